import { parser } from "@prometheus-io/lezer-promql";

/** Where the first syntax error of an expression sits, and the text around it. */
export interface PromqlSyntaxError {
  /** 1-based character position. */
  readonly position: number;
  /** Up to 30 characters either side, with `»` marking the position. */
  readonly snippet: string;
}

const CONTEXT = 30;
/**
 * Expressions already parsed without error. Parsing is pure, and the monitoring stack renders
 * its rule groups more than once per synth: each expression is parsed once.
 */
const VALID = new Set<string>();

/**
 * Parses with the grammar of the Prometheus UI (lezer-promql) and returns the first error node,
 * or undefined. Syntax only: type errors such as `rate(x)` without a range are left to
 * `promtool check rules`, which the test suite runs on every rendered file.
 */
export function findPromqlSyntaxError(expr: string): PromqlSyntaxError | undefined {
  if (VALID.has(expr)) return undefined;
  let from: number | undefined;
  parser.parse(expr).iterate({
    enter(node) {
      if (from !== undefined) return false;
      if (node.type.isError) from = node.from;
      return undefined;
    },
  });
  if (from === undefined) {
    VALID.add(expr);
    return undefined;
  }
  const before = expr.slice(Math.max(0, from - CONTEXT), from);
  const after = expr.slice(from, from + CONTEXT);
  const snippet = `${from > CONTEXT ? "…" : ""}${before}»${after}${from + CONTEXT < expr.length ? "…" : ""}`;
  return { position: from + 1, snippet: snippet.replace(/\s+/g, " ") };
}
