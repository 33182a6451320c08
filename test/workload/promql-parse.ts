import { parser } from "@prometheus-io/lezer-promql";

/** Syntax errors the Prometheus UI's parser finds in a query, as "offset: text around it"; empty when it parses. */
export function promqlErrors(query: string): string[] {
  const errors: string[] = [];
  parser.parse(query).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`${node.from}: ${query.slice(Math.max(0, node.from - 20), node.to + 20)}`);
    },
  });
  return errors;
}
