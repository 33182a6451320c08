import { Aspects, IAspect, TerraformElement, TerraformRemoteState, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";

/**
 * Terraform evaluates every string of a configuration as a template: `${...}` interpolates and
 * `%{...}` runs a directive, in JSON syntax too, object keys included. A tag, an image or an
 * environment value that came from a user and holds `${file("/etc/passwd")}` would be evaluated
 * on the deployer's machine at plan time. The escape makes every such string literal, in one
 * place: each Terraform element's rendering is rewritten just before cdktf resolves it, while
 * cdktf's own tokens (references, cross-stack outputs, `Fn.*`) still read `${TfToken[TOKEN.n]}`
 * and can be told apart from text. Text becomes `$${` and `%%{`, Terraform's own escapes, which
 * it reads back as the literal `${` and `%{`.
 *
 * Consequence for library users: a Terraform expression must be passed as a cdktf token
 * (`Fn.*`, a resource attribute, `TerraformVariable.stringValue`), never as hand-written `"${...}"`.
 */

/** cdktf's string token marker (cdktf/lib/tokens/private/encoding: BEGIN_STRING_TOKEN_MARKER, VALID_KEY_CHARS). */
const CDKTF_STRING_TOKEN = /\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}/g;
const TEMPLATE_START = /[$%]\{/g;

function escapeText(text: string): string {
  // A function replacement: in a replacement string "$$" would collapse to "$".
  return text.replace(TEMPLATE_START, (start) => `${start[0]}${start}`);
}

/** One string with its literal parts escaped and cdktf's tokens kept as they are. */
export function escapeTemplateString(value: string): string {
  if (!value.includes("{")) return value;
  let out = "";
  let last = 0;
  for (const token of value.matchAll(CDKTF_STRING_TOKEN)) {
    out += escapeText(value.slice(last, token.index)) + token[0];
    last = token.index + token[0].length;
  }
  return out + escapeText(value.slice(last));
}

/** Escapes every string of a rendered element (values and keys), leaving tokens, numbers and booleans. */
export function escapeTemplates<T>(value: T): T {
  return escapeValue(value) as T;
}

function escapeValue(value: unknown): unknown {
  if (typeof value === "string") return escapeTemplateString(value);
  if (Array.isArray(value)) return value.map(escapeValue);
  if (value !== null && typeof value === "object") {
    // Only plain data: anything else (a token object, an IResolvable) is cdktf's to resolve.
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[escapeTemplateString(key)] = escapeValue(v);
    return out;
  }
  return value;
}

const ESCAPED = Symbol.for("cdktf-gpu-inference.literal-templates");

/** Wraps each Terraform element's rendering with the escape, once per element. */
class LiteralTemplates implements IAspect {
  public visit(node: IConstruct): void {
    if (!TerraformElement.isTerraformElement(node)) return;
    const marked = node as unknown as Record<symbol, boolean | undefined>;
    if (marked[ESCAPED]) return;
    marked[ESCAPED] = true;
    const render = node.toTerraform.bind(node);
    node.toTerraform = node instanceof TerraformRemoteState ? () => escapeRemoteState(render()) : () => escapeTemplates(render());
  }
}

/**
 * cdktf's cross-stack references read the other stack's state through a remote-state data
 * source whose `workspace` is the one expression cdktf writes as raw text; keep that one.
 */
const WORKSPACE_EXPRESSION = "${terraform.workspace}";

function escapeRemoteState(rendered: Record<string, unknown>): Record<string, unknown> {
  const escaped = escapeTemplates(rendered);
  const sources = (escaped.data as { terraform_remote_state?: Record<string, Record<string, unknown>> } | undefined)?.terraform_remote_state ?? {};
  for (const source of Object.values(sources)) {
    if (source.workspace === escapeTemplateString(WORKSPACE_EXPRESSION)) source.workspace = WORKSPACE_EXPRESSION;
  }
  return escaped;
}

const REGISTERED = Symbol.for("cdktf-gpu-inference.literal-templates-aspect");

/**
 * Makes every string in the stack of `scope` literal for Terraform (see above). Every construct
 * of the library calls it, so a stack holding any of them is covered, whoever wrote the stack;
 * repeated calls add nothing. The stack's own elements written by other code are covered too:
 * the aspect sees the whole stack.
 */
export function keepTemplatesLiteral(scope: IConstruct): void {
  const stack = TerraformStack.of(scope);
  const marked = stack as unknown as Record<symbol, boolean | undefined>;
  if (marked[REGISTERED]) return;
  marked[REGISTERED] = true;
  Aspects.of(stack).add(new LiteralTemplates());
}
