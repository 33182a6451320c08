import { RuleFile } from "./time-profile";

/** A PromQL query some consumer (a recording rule, a dashboard panel) runs, named for messages. */
export interface NamedQuery {
  readonly name: string;
  readonly expr: string;
}

/** Every recording rule of the exported files, queried by its recorded name. */
export function recordingRuleQueries(files: Readonly<Record<string, RuleFile>>): NamedQuery[] {
  const names = Object.values(files).flatMap((f) => f.groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : []))));
  return [...new Set(names)].map((record) => ({ name: `recording rule ${record}`, expr: record }));
}

/** Result of one instant query: series count, or the error Prometheus returned. */
export interface QueryOutcome {
  readonly query: NamedQuery;
  readonly series: number;
  readonly error?: string;
}

/** Runs every query as an instant query against `prometheusUrl`. */
export async function runQueries(prometheusUrl: string, queries: readonly NamedQuery[]): Promise<QueryOutcome[]> {
  return Promise.all(
    queries.map(async (query) => {
      const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query.expr)}`);
      const body = (await response.json()) as { status: string; error?: string; data?: { result: unknown[] } };
      return body.status === "success" ? { query, series: body.data?.result.length ?? 0 } : { query, series: 0, error: body.error ?? response.statusText };
    }),
  );
}
