import { GrafanaDashboard } from "../../lib/monitoring/dashboards";
import { dashboardQueries } from "../../lib/monitoring/dashboards/dashboard-queries";
import { NamedQuery, recordingRuleQueries } from "./harness/queries";
import { compressDuration, compressPromql, formatDurationMs, RuleFile, TimeProfile } from "./harness/time-profile";

/**
 * The queries that must return data on the running reference system (checked by
 * alerting.e2e.test.ts against Prometheus 3): every recording rule, and every dashboard panel
 * query with its template variables substituted (each dashboard variable at its "All" value,
 * Grafana's built-ins and the query's own ranges under the time profile, like the rules).
 */
export function queriesThatMustReturnData(
  rules: Readonly<Record<string, RuleFile>>,
  dashboards: readonly GrafanaDashboard[],
  profile: TimeProfile,
): NamedQuery[] {
  const builtins = {
    __rate_interval: formatDurationMs(profile.minRangeSeconds * 1_000),
    __interval: formatDurationMs(profile.scrapeIntervalSeconds * 1_000),
    __interval_ms: String(profile.scrapeIntervalSeconds * 1_000),
    __range: compressDuration("1h", profile),
    __range_s: String(3_600 / profile.factor),
  };
  return [
    ...recordingRuleQueries(rules),
    ...dashboardQueries(dashboards, builtins).map((q) => ({
      name: `dashboard ${q.dashboardUid} / ${q.panelTitle} (${q.refId})`,
      expr: compressPromql(q.expr, profile),
    })),
  ];
}
