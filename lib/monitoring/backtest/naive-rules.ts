import { MonitoredService } from "../../contracts/monitoring-catalog";
import { errorRate, latencyAverage, latencyQuantile } from "../../contracts/promql";
import { DCGM_METRICS as D } from "../rules/dcgm-metrics";
import { AlertRule, RuleGroup, Severity } from "../rules/rule-types";

/**
 * The plain threshold rules that model servers' own write-ups and most tutorials ship, for
 * comparison in the backtest: absolute error rate above 0.1/s for 5m (critical), P90 above 1 s for
 * 10m (warning), GPU memory above 80 % for 5m (warning) and above 95 % at once (critical), a scrape
 * target down for 1m (critical). Same service, same metric contract, same DCGM names as the
 * platform's rules; only the logic differs.
 */
export function naiveRuleGroups(service: MonitoredService): RuleGroup[] {
  const { contract: c, selector: s } = service;
  const by = ["namespace", "service"];
  const p90 = latencyQuantile(c, s, 0.9, "5m", by) ?? latencyAverage(c, s, "5m", by);
  const memory = `${D.fbUsed} / (${D.fbUsed} + ${D.fbFree})`;
  const alertRule = (a: { alert: string; expr: string; for?: string; severity: Severity; what: string }): AlertRule => ({
    alert: a.alert,
    expr: a.expr,
    ...(a.for ? { for: a.for } : {}),
    labels: { severity: a.severity },
    annotations: { summary: a.what, description: `${a.what} ({{ $value }})` },
  });
  return [
    {
      name: "naive",
      rules: [
        alertRule({ alert: "ErrorRateHigh", expr: `${errorRate(c, s, "5m", by)} > 0.1`, for: "5m", severity: "critical", what: "Error rate above 0.1/s." }),
        alertRule({ alert: "LatencyP90High", expr: `${p90} > 1`, for: "10m", severity: "warning", what: "P90 latency above 1s." }),
        alertRule({ alert: "GpuMemoryHigh", expr: `${memory} > 0.8`, for: "5m", severity: "warning", what: "GPU memory above 80%." }),
        alertRule({ alert: "GpuMemoryCritical", expr: `${memory} > 0.95`, severity: "critical", what: "GPU memory above 95%." }),
        alertRule({
          alert: "TargetDown",
          expr: `up{namespace="${s.namespace}", service="${s.service}"} == 0`,
          for: "1m",
          severity: "critical",
          what: "Scrape target down.",
        }),
      ],
    },
  ];
}
