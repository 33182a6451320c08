import { parsePromql } from "../../private/promql-check";

type SyntaxNode = ReturnType<typeof parsePromql>["topNode"];

/**
 * What a PromQL expression reads, from the syntax tree of the Prometheus UI's parser: every
 * selector with the labels it matches on, and every label named elsewhere (grouping, vector
 * matching, label_replace). The dashboard checks compare these with what the contracts provide.
 */
export interface PromqlReferences {
  readonly selectors: readonly { readonly metric: string; readonly labels: readonly string[] }[];
  /** Labels in by/without/on/ignoring/group_left/group_right and label_replace/label_join sources. */
  readonly otherLabels: readonly string[];
  /** Labels an expression creates: label_replace/label_join destinations. */
  readonly createdLabels: readonly string[];
}

const GROUPING_PARENTS = new Set(["AggregateModifier", "MatchingModifierClause"]);

export function promqlReferences(expr: string): PromqlReferences {
  const selectors: { metric: string; labels: string[] }[] = [];
  const otherLabels: string[] = [];
  const createdLabels: string[] = [];
  // Past an error node the tree is the parser's recovery, not the user's query: stop there
  // (the PromQL check reports the error).
  let hasSyntaxError = false;
  const text = (n: SyntaxNode) => expr.slice(n.from, n.to);
  parsePromql(expr).iterate({
    enter(ref) {
      if (ref.type.isError) hasSyntaxError = true;
      if (hasSyntaxError) return false;
      const n = ref.node;
      if (n.name === "VectorSelector") {
        const labels = n.getChild("LabelMatchers")?.getChildren("UnquotedLabelMatcher") ?? [];
        const names = labels.map((m) => text(m.getChild("LabelName")!));
        const id = n.getChild("Identifier");
        const nameMatcher = labels.find((m) => text(m.getChild("LabelName")!) === "__name__");
        const metric = id ? text(id) : nameMatcher ? unquote(text(nameMatcher.getChild("StringLiteral")!)) : "";
        selectors.push({ metric, labels: names.filter((l) => l !== "__name__") });
        return false;
      }
      if (n.name === "GroupingLabels" && n.parent && GROUPING_PARENTS.has(n.parent.name)) {
        otherLabels.push(...n.getChildren("LabelName").map(text));
        return false;
      }
      if (n.name === "FunctionCall") {
        const fn = text(n.getChild("FunctionIdentifier")!);
        const args = stringArgs(n, text);
        // label_replace(v, dst, replacement, src, regex); label_join(v, dst, separator, src...).
        if (fn === "label_replace" && args.length >= 4) {
          createdLabels.push(args[0]);
          otherLabels.push(args[2]);
        }
        if (fn === "label_join" && args.length >= 3) {
          createdLabels.push(args[0]);
          otherLabels.push(...args.slice(2));
        }
      }
      return undefined;
    },
  });
  return { selectors, otherLabels, createdLabels };
}

function stringArgs(call: SyntaxNode, text: (n: SyntaxNode) => string): string[] {
  return (call.getChild("FunctionCallBody")?.getChildren("StringLiteral") ?? []).map((s) => unquote(text(s)));
}

function unquote(literal: string): string {
  return JSON.parse(literal.startsWith("'") ? `"${literal.slice(1, -1).replace(/"/g, '\\"')}"` : literal.startsWith("`") ? JSON.stringify(literal.slice(1, -1)) : literal) as string;
}

/**
 * The labels the result of an expression can carry, given the labels of each metric: what a
 * recording rule's series will have. An over-approximation where PromQL keeps "some" labels
 * (arithmetic between two vectors keeps the left side's, `or` both sides').
 */
export function outputLabels(expr: string, labelsOf: (metric: string) => readonly string[]): Set<string> {
  const text = (n: SyntaxNode) => expr.slice(n.from, n.to);
  const visit = (n: SyntaxNode | null): Set<string> => {
    if (!n) return new Set();
    switch (n.name) {
      case "PromQL":
      case "ParenExpr":
      case "UnaryExpr":
      case "MatrixSelector":
      case "SubqueryExpr":
      case "OffsetExpr":
      case "StepInvariantExpr":
        return union(children(n).map(visit));
      case "VectorSelector": {
        const id = n.getChild("Identifier");
        return new Set(id ? labelsOf(text(id)) : []);
      }
      case "AggregateExpr": {
        const mod = n.getChild("AggregateModifier");
        const inner = visit(n.getChild("FunctionCallBody"));
        const op = text(n.getChild("AggregateOp")!);
        if (["topk", "bottomk", "limitk", "limit_ratio"].includes(op)) return inner;
        if (!mod) return new Set();
        const labels = mod.getChild("GroupingLabels")?.getChildren("LabelName").map(text) ?? [];
        if (mod.getChild("By")) return new Set(labels);
        return new Set([...inner].filter((l) => !labels.includes(l)));
      }
      case "FunctionCallBody":
        return union(children(n).map(visit));
      case "FunctionCall": {
        const fn = text(n.getChild("FunctionIdentifier")!);
        const body = n.getChild("FunctionCallBody");
        const inner = visit(body);
        if (["vector", "time", "scalar", "pi", "absent", "absent_over_time"].includes(fn)) return new Set();
        if (fn === "label_replace" || fn === "label_join") {
          const [dst] = stringArgs(n, text);
          return new Set([...inner, ...(dst ? [dst] : [])]);
        }
        if (fn === "histogram_quantile") inner.delete("le");
        return inner;
      }
      case "BinaryExpr": {
        const kids = children(n);
        const sides = kids.filter((c) => !isOperatorNode(c.name));
        const [left, right] = [visit(sides[0] ?? null), visit(sides[1] ?? null)];
        const op = kids.find((c) => isOperatorNode(c.name) && c.name !== "MatchingModifierClause");
        const mod = kids.find((c) => c.name === "MatchingModifierClause");
        const extra = mod?.getChildren("GroupingLabels")[1]?.getChildren("LabelName").map(text) ?? [];
        if (op?.name === "Or") return union([left, right]);
        if (op?.name === "And" || op?.name === "Unless") return left;
        if (mod?.getChild("GroupRight")) return union([right, new Set(extra)]);
        if (left.size === 0) return right;
        return union([left, new Set(extra)]);
      }
      default:
        return new Set();
    }
  };
  return visit(parsePromql(expr).topNode);
}

function children(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

const OPERATORS = new Set([
  "Add", "Sub", "Mul", "Div", "Mod", "Pow", "Atan2", "Eql", "Neq", "Lte", "Lss", "Gte", "Gtr", "EqlSingle",
  "And", "Or", "Unless", "BoolModifier", "MatchingModifierClause",
]);

function isOperatorNode(name: string): boolean {
  return OPERATORS.has(name);
}

function union(sets: readonly Set<string>[]): Set<string> {
  return new Set(sets.flatMap((s) => [...s]));
}
