import { parser } from "@prometheus-io/lezer-promql";
import type { EditorState } from "@codemirror/state";
import type { Parser as LinterParser } from "@prometheus-io/codemirror-promql/dist/cjs/parser";

/**
 * The one place PromQL is checked: syntax with the Prometheus UI's grammar (lezer-promql), then
 * types with the Prometheus UI's own linter (codemirror-promql), which mirrors the type checks of
 * Prometheus's parser (`checkAST` in promql/parser/parse.go): `rate(up)`, `abs(up[5m])`,
 * `1 + "a"`, `up and 1`, `{}`. Rules, dashboards and adapter queries all come through here.
 */

/** What a PromQL expression evaluates to, in the names of Prometheus's HTTP API (`resultType`). */
export type PromqlValueType = "vector" | "matrix" | "scalar" | "string";

/** One problem, at 0-based, end-exclusive character offsets into the expression. */
export interface PromqlDiagnostic {
  readonly from: number;
  readonly to: number;
  readonly message: string;
}

export interface PromqlCheck {
  /** Syntax errors (the first one only: the parser recovers and later ones are noise) or type errors; empty when valid. */
  readonly errors: readonly PromqlDiagnostic[];
  /** The expression's result type; undefined when there are errors or the expression is empty. */
  readonly type?: PromqlValueType;
}

/** Prometheus's own words for the types, for messages. */
export const PROMQL_TYPE_NAMES: Readonly<Record<PromqlValueType, string>> = {
  vector: "instant vector",
  matrix: "range vector",
  scalar: "scalar",
  string: "string",
};

/**
 * Checked expressions. Checking is pure, and the monitoring stack renders its rule groups and
 * dashboards more than once per synth: each expression is checked once.
 */
const CHECKED = new Map<string, PromqlCheck>();

export function checkPromql(expr: string): PromqlCheck {
  let result = CHECKED.get(expr);
  if (!result) {
    const tree = parser.parse(expr);
    const syntax = firstSyntaxError(tree);
    const experimental = syntax ? [] : experimentalFunctions(expr, tree);
    result = syntax ? { errors: [syntax] } : experimental.length > 0 ? { errors: experimental } : typeCheck(expr, tree);
    CHECKED.set(expr, result);
  }
  return result;
}

/**
 * The first problem of `expr` as one line for an error message, or undefined: the linter's
 * message, where (1-based characters) and the part of the expression it is about; then, if the
 * expression is valid but its type is not one of `accepted`, what it is and what was expected.
 */
export function promqlProblem(expr: string, accepted: readonly PromqlValueType[]): string | undefined {
  const { errors, type } = checkPromql(expr);
  if (errors.length > 0) return describe(expr, errors[0]);
  if (type === undefined) return "is empty";
  if (!accepted.includes(type)) {
    return `evaluates to a ${PROMQL_TYPE_NAMES[type]}, where only ${accepted.map((t) => `${article(t)} ${PROMQL_TYPE_NAMES[t]}`).join(" or ")} is accepted`;
  }
  return undefined;
}

function article(t: PromqlValueType): string {
  return t === "vector" ? "an" : "a";
}

const CONTEXT = 30;

function describe(expr: string, d: PromqlDiagnostic): string {
  if (d.from === d.to) {
    const before = expr.slice(Math.max(0, d.from - CONTEXT), d.from);
    const after = expr.slice(d.from, d.from + CONTEXT);
    const snippet = `${d.from > CONTEXT ? "…" : ""}${before}»${after}${d.from + CONTEXT < expr.length ? "…" : ""}`.replace(/\s+/g, " ");
    return `${d.message} at character ${d.from + 1} (${snippet})`;
  }
  const part = expr.slice(d.from, d.to).replace(/\s+/g, " ");
  const quoted = part.length > 2 * CONTEXT ? `${part.slice(0, 2 * CONTEXT)}…` : part;
  return `${d.message} at characters ${d.from + 1}-${d.to} (${quoted})`;
}

type Tree = ReturnType<typeof parser.parse>;

/** A syntax error as a zero-width diagnostic where the parser gave up. */
function firstSyntaxError(tree: Tree): PromqlDiagnostic | undefined {
  let from: number | undefined;
  tree.iterate({
    enter(node) {
      if (from !== undefined) return false;
      if (node.type.isError) from = node.from;
      return undefined;
    },
  });
  return from === undefined ? undefined : { from, to: from, message: "syntax error" };
}

/**
 * Functions and aggregations that Prometheus 3 parses only with
 * `--enable-feature=promql-experimental-functions`, which the platform does not set: a rule using
 * one is refused when Prometheus loads its file. The linter does not know which are experimental;
 * test/promtool/promql-types.test.ts asks promtool about every function the linter knows and
 * fails when this list and promtool's "is not enabled" differ.
 */
export const EXPERIMENTAL_PROMQL_FUNCTIONS: readonly string[] = [
  "double_exponential_smoothing",
  "info",
  "limit_ratio",
  "limitk",
  "mad_over_time",
  "sort_by_label",
  "sort_by_label_desc",
  "ts_of_last_over_time",
  "ts_of_max_over_time",
  "ts_of_min_over_time",
];
const EXPERIMENTAL = new Set(EXPERIMENTAL_PROMQL_FUNCTIONS);

function experimentalFunctions(expr: string, tree: Tree): PromqlDiagnostic[] {
  const found: PromqlDiagnostic[] = [];
  tree.iterate({
    enter(node) {
      if (node.name !== "FunctionIdentifier" && node.name !== "AggregateOp") return;
      const name = expr.slice(node.from, node.to);
      if (EXPERIMENTAL.has(name)) {
        found.push({
          from: node.from,
          to: node.to,
          message: `${name}() is experimental in Prometheus and needs --enable-feature=promql-experimental-functions, which the platform does not set`,
        });
      }
    },
  });
  return found;
}

let Linter: typeof LinterParser | undefined;

/**
 * The linter (with @codemirror/language, about 30 ms to load) is required on the first type
 * check only, so a program that checks no PromQL never pays for it. `Parser` is not exported
 * from the package root, hence the path into its CommonJS build (the version is pinned).
 */
function loadLinter(): typeof LinterParser {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  Linter ??= (require("@prometheus-io/codemirror-promql/dist/cjs/parser") as typeof import("@prometheus-io/codemirror-promql/dist/cjs/parser")).Parser;
  return Linter;
}

/**
 * The linter reads an editor's state through two members only: its syntax tree (`syntaxTree(state)`,
 * which is `state.field(Language.state).tree`) and `sliceDoc`. A real EditorState per expression
 * would parse it a second time, only within the editor's 3000-character viewport, and cost more
 * than the rest of the check (a tenth of the default app's synth): this view hands the linter the
 * complete tree of the syntax check instead. lezer-promql is pinned to the linter's version, so
 * the node ids it compares are the same; the tests would fail on a linter reading anything else.
 */
function linterState(expr: string, tree: Tree): EditorState {
  const view = { field: () => ({ tree }), sliceDoc: (from = 0, to = expr.length) => expr.slice(from, to) };
  return view as unknown as EditorState;
}

const TYPES: ReadonlySet<string> = new Set<PromqlValueType>(["vector", "matrix", "scalar", "string"]);

function typeCheck(expr: string, tree: Tree): PromqlCheck {
  const Parser = loadLinter();
  const linterParser = new Parser(linterState(expr, tree));
  // The same @lezer/common node, declared twice (its ESM and CommonJS typings).
  const type: string = linterParser.checkAST(tree.topNode.firstChild as Parameters<LinterParser["checkAST"]>[0]);
  const seen = new Set<string>();
  const errors: PromqlDiagnostic[] = [];
  for (const d of linterParser.getDiagnostics()) {
    // Warnings (such as range() as a subquery step) are advice, not what Prometheus refuses.
    if (d.severity !== "error") continue;
    const key = `${d.from}:${d.to}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push({ from: d.from, to: d.to, message: d.message });
  }
  if (errors.length > 0 || !TYPES.has(type)) return { errors };
  return { errors, type: type as PromqlValueType };
}
