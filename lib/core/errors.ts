import { IConstruct } from "constructs";
import { isSecretName, looksLikeCredential } from "./secret-values";

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
    super(`${path}: '${prop}' ${accepted}, got ${formatValue(value, prop)}`);
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

/**
 * Renders a value for an error message: strings quoted, objects as compact JSON. This is the one
 * place a message shows what the user wrote, so it is where secrets are kept out: nothing under
 * a name that says it holds a credential (`prop`, or a key inside an object), and no string
 * shaped like one, is ever repeated; the message then says what was hidden and why.
 */
export function formatValue(value: unknown, prop = ""): string {
  if (value === undefined) return "undefined";
  if (isSecretName(prop) && value !== null && value !== "") return hidden(value);
  if (typeof value === "string") return looksLikeCredential(value) ? hidden(value) : JSON.stringify(value);
  // JSON would print null for these; YAML's .inf and .nan arrive as them.
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value, (key, v: unknown) => {
      if (key !== "" && isSecretName(key) && v !== null && v !== "" && typeof v !== "object") return hidden(v);
      return typeof v === "string" && looksLikeCredential(v) ? hidden(v) : v;
    });
  } catch {
    // Too deep or circular to print: say what it is rather than "[object Object]".
    return `<not shown: ${Array.isArray(value) ? "a list" : "an object"} too deeply nested to print>`;
  }
}

function hidden(value: unknown): string {
  const shape = typeof value === "string" ? `a string of ${value.length} characters` : `a ${Array.isArray(value) ? "list" : typeof value}`;
  return `<not shown: ${shape} that may be a secret>`;
}
