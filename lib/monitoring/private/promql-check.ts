import { parser } from "@prometheus-io/lezer-promql";
import type { EditorState } from "@codemirror/state";
import type { Parser as LinterParser } from "@prometheus-io/codemirror-promql/dist/cjs/parser";

/**
 * The one place PromQL is checked: syntax with the Prometheus UI's grammar (lezer-promql), then
 * types with the Prometheus UI's own linter (codemirror-promql), which mirrors the type checks of
 * Prometheus's parser (`checkAST` in promql/parser/parse.go): `rate(up)`, `abs(up[5m])`,
 * `1 + "a"`, `up and 1`, `{}`; with the few checks of that parser the linter lacks (a range or
 * offset on a function's result, `sum(x, y)`: `parserChecks`) and the experimental functions the
 * platform's Prometheus does not enable. Rules, dashboards and adapter queries all come through here.
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

const TREES = new Map<string, Tree>();

/**
 * The syntax tree of the Prometheus UI's grammar, parsed once per expression: the checks here and
 * the dashboards' analysis of what a query reads (promql-analysis.ts) share it.
 */
export function parsePromql(expr: string): Tree {
  let tree = TREES.get(expr);
  if (!tree) {
    tree = parser.parse(expr);
    TREES.set(expr, tree);
  }
  return tree;
}

export interface PromqlCheckOptions {
  /**
   * Types too, with the linter (about 30 ms to load, then a fraction of a millisecond each).
   * False for the expressions the platform generates from its own templates: promtool
   * type-checks every one of them in the test suite, so synth checks their syntax only (user
   * input can only reach them as checked names and numbers).
   * @default true
   */
  readonly types?: boolean;
}

/** Syntax, experimental functions and the parser's structural checks: no linter. */
function syntaxProblems(expr: string): PromqlDiagnostic[] {
  // The tree is cached by parsePromql; a cached full check would add type errors, so none here.
  const tree = parsePromql(expr);
  const syntax = firstSyntaxError(tree);
  return syntax ? [syntax] : [...experimentalFunctions(expr, tree), ...parserChecks(tree)].sort((a, b) => a.from - b.from);
}

export function checkPromql(expr: string): PromqlCheck {
  let result = CHECKED.get(expr);
  if (!result) {
    const tree = parsePromql(expr);
    const syntax = firstSyntaxError(tree);
    const refused = syntax ? [] : [...experimentalFunctions(expr, tree), ...parserChecks(tree)].sort((a, b) => a.from - b.from);
    result = syntax ? { errors: [syntax] } : refused.length > 0 ? { errors: refused } : typeCheck(expr, tree);
    CHECKED.set(expr, result);
  }
  return result;
}

/**
 * The first problem of `expr` as one line for an error message, or undefined: the linter's
 * message, where (1-based characters) and the part of the expression it is about; then, if the
 * expression is valid but its type is not one of `accepted`, what it is and what was expected.
 */
export function promqlProblem(expr: string, accepted: readonly PromqlValueType[], options: PromqlCheckOptions = {}): string | undefined {
  if (options.types === false) {
    if (expr.trim() === "") return "is empty";
    const syntax = syntaxProblems(expr);
    return syntax.length > 0 ? describe(expr, syntax[0]) : undefined;
  }
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
type SyntaxNode = Tree["topNode"];

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

/** Operators whose first argument is a parameter (Prometheus's `IsAggregatorWithParam`), as lezer-promql names them. */
const AGGREGATIONS_WITH_PARAM = new Set(["Topk", "Bottomk", "Quantile", "CountValues", "LimitK", "LimitRatio"]);
/** What `offset` and `@` may follow (Prometheus's parser: `addOffset`, `setTimestamp`). */
const MODIFIABLE = new Set(["VectorSelector", "MatrixSelector", "SubqueryExpr"]);

function isModifier(node: SyntaxNode): boolean {
  return node.name === "OffsetExpr" || node.name === "StepInvariantExpr";
}

/**
 * Checks of Prometheus's parser that the linter leaves out, found by comparing the two
 * (test/promtool/promql-types.test.ts), each with Prometheus's own message: a range on anything
 * but a vector selector (`vector(1)[5m]`; the UI's grammar also reads `-x[5m]` and `1 + x[5m]` as
 * a range on the whole, and Prometheus refuses those too), offset or @ after anything but a
 * selector or a subquery (`rate(x[5m]) offset 1m`) or set twice, and an aggregation with the
 * wrong number of arguments (`sum(x, y)`, `quantile(x)`).
 */
function parserChecks(tree: Tree): PromqlDiagnostic[] {
  const errors: PromqlDiagnostic[] = [];
  const add = (node: SyntaxNode, message: string) => errors.push({ from: node.from, to: node.to, message });
  tree.iterate({
    enter(ref) {
      const node = ref.node;
      if (node.name === "MatrixSelector" && node.firstChild && node.firstChild.name !== "VectorSelector") {
        add(node.firstChild, "ranges only allowed for vector selectors");
      }
      if (isModifier(node) && !(node.parent && isModifier(node.parent))) {
        const seen = { OffsetExpr: 0, StepInvariantExpr: 0 };
        let inner: SyntaxNode | null = node;
        while (inner) {
          if (inner.name === "OffsetExpr" || inner.name === "StepInvariantExpr") seen[inner.name]++;
          // The UI's grammar binds offset and @ looser than operators (`a > b offset 5m` comes as
          // `(a > b) offset 5m`); Prometheus binds them to the operand on their left, `b`.
          else if (inner.name !== "BinaryExpr" && inner.name !== "UnaryExpr") break;
          inner = isModifier(inner) ? inner.firstChild : inner.lastChild;
        }
        if (!inner || !MODIFIABLE.has(inner.name)) {
          add(node, `${seen.OffsetExpr ? "offset" : "@"} modifier must be preceded by an instant vector selector or range vector selector or a subquery`);
        } else if (seen.OffsetExpr > 1) add(node, "offset may not be set multiple times");
        else if (seen.StepInvariantExpr > 1) add(node, "@ <timestamp> may not be set multiple times");
      }
      if (node.name === "AggregateExpr") {
        const op = node.getChild("AggregateOp")?.firstChild?.name ?? "";
        const args = (node.getChild("FunctionCallBody")?.getChildren("Expr") ?? []).length;
        const expected = AGGREGATIONS_WITH_PARAM.has(op) ? 2 : 1;
        if (args !== expected) add(node, `wrong number of arguments for aggregate expression provided, expected ${expected}, got ${args}`);
      }
      return undefined;
    },
  });
  return errors;
}

interface Linter {
  readonly Parser: typeof LinterParser;
  readonly EditorState: typeof EditorState;
}

let linter: Linter | undefined;

/**
 * The linter (with CodeMirror's state and language packages, about 30 ms to load) is required on
 * the first type check only, so a program that checks no PromQL never pays for it. `Parser` is not
 * exported from the package root, hence the path into its CommonJS build (the version is pinned).
 */
function loadLinter(): Linter {
  /* eslint-disable @typescript-eslint/no-require-imports */
  linter ??= {
    Parser: (require("@prometheus-io/codemirror-promql/dist/cjs/parser") as typeof import("@prometheus-io/codemirror-promql/dist/cjs/parser")).Parser,
    EditorState: (require("@codemirror/state") as typeof import("@codemirror/state")).EditorState,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return linter;
}

const TYPES: ReadonlySet<string> = new Set<PromqlValueType>(["vector", "matrix", "scalar", "string"]);

function typeCheck(expr: string, tree: Tree): PromqlCheck {
  // `checkAST` walks the node it is given (the syntax check's own, complete tree: lezer-promql is
  // pinned to the linter's version, so the node ids it compares are the same) and reads the text
  // through the state's `sliceDoc`. The state needs no language: with one, each expression would be
  // parsed a second time, only as far as an editor's viewport (3000 characters), and cost more than
  // the rest of the check. Only public API: nothing depends on how CodeMirror stores its tree.
  const { Parser, EditorState: State } = loadLinter();
  const linterParser = new Parser(State.create({ doc: expr }));
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
