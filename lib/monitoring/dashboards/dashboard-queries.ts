import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { GrafanaDashboard } from "./common";

/** One PromQL query of a dashboard panel, as a test or a person would run it against Prometheus. */
export interface DashboardQuery {
  readonly dashboardUid: string;
  readonly dashboardTitle: string;
  readonly panelTitle: string;
  /** The query's refId within the panel (A, B, ...). */
  readonly refId: string;
  /** The expression with every dashboard and Grafana variable substituted. */
  readonly expr: string;
  /** A stat or table query Grafana evaluates once (instant), rather than over the range. */
  readonly instant: boolean;
}

/**
 * Values of Grafana's built-in variables when a query is run outside Grafana: `$__rate_interval`
 * is at least four scrape intervals, 1m for the platform's 15s.
 */
export const GRAFANA_BUILTIN_VARIABLES: Readonly<Record<string, string>> = {
  __rate_interval: "1m",
  __interval: "15s",
  __range: "1h",
  __range_s: "3600",
  __interval_ms: "15000",
};

/**
 * `$name`, `${name}`, `${name:format}` and `[[name]]` replaced by `values[name]`; names without a
 * value (such as `$1` in label_replace) are left as they are.
 */
export function substituteVariables(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (whole, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c)!;
    return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
  });
}

/** Every panel of a dashboard, rows' nested panels included. */
export function dashboardPanels(d: GrafanaDashboard): dashboard.Panel[] {
  return (d.panels ?? []).flatMap((p) => (p.type === "row" ? (p as dashboard.RowPanel).panels : [p as dashboard.Panel]));
}

/** The value a dashboard variable has when the caller gives none: what "All" matches. */
function allValueOf(v: dashboard.VariableModel): string {
  return v.allValue ?? ".*";
}

/**
 * Every panel query of the dashboards with the variables substituted, so an end-to-end test can
 * run each against a real Prometheus. `variables` gives values by name (`{ namespace: "inference" }`,
 * `{ __rate_interval: "30s" }`); a dashboard variable not given takes its "All" value (`.*` unless
 * the variable says otherwise) and a Grafana built-in its GRAFANA_BUILTIN_VARIABLES value.
 */
export function dashboardQueries(dashboards: readonly GrafanaDashboard[], variables: Readonly<Record<string, string>> = {}): DashboardQuery[] {
  return dashboards.flatMap((d) => {
    const values: Record<string, string> = { ...GRAFANA_BUILTIN_VARIABLES };
    for (const v of d.templating.list ?? []) values[v.name] = allValueOf(v);
    Object.assign(values, variables);
    return dashboardPanels(d).flatMap((panel) =>
      (panel.targets ?? []).map((t) => {
        const q = t as { refId?: string; expr?: string; instant?: boolean };
        return {
          dashboardUid: d.uid ?? "",
          dashboardTitle: d.title ?? "",
          panelTitle: panel.title ?? "",
          refId: q.refId ?? "",
          expr: substituteVariables(q.expr ?? "", values),
          instant: q.instant === true,
        };
      }),
    );
  });
}
