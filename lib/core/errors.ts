import { IConstruct } from "constructs";

/**
 * The one error class of the library. Its message names the construct path, the prop,
 * the offending value and what would have been accepted, so a failed synth says exactly
 * which line of configuration to change.
 */
export class PlatformConfigError extends Error {
  public readonly path: string;
  public readonly prop: string;

  constructor(scope: IConstruct | string, prop: string, value: unknown, accepted: string) {
    const path = typeof scope === "string" ? scope : scope.node.path;
    super(`${path}: '${prop}' ${accepted}, got ${formatValue(value)}`);
    this.name = "PlatformConfigError";
    this.path = path;
    this.prop = prop;
  }

  /**
   * The same error reported at `scope`, with `prefix` before the prop: for options a caller
   * received under other names (a configuration file's `services["x"].metrics.` for a preset's own).
   */
  public under(scope: IConstruct | string, prefix: string): PlatformConfigError {
    const rebased = new PlatformConfigError(scope, `${prefix}${this.prop}`, undefined, "");
    rebased.message = `${rebased.path}: '${rebased.prop}' ${this.message.slice(`${this.path}: '${this.prop}' `.length)}`;
    return rebased;
  }
}

/** Renders a value for an error message: strings quoted, objects as compact JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value);
  // JSON would print null for these; YAML's .inf and .nan arrive as them.
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
