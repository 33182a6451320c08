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
