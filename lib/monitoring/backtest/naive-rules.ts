import { MonitoredService } from "../../contracts/monitoring-catalog";
import { errorRate, latencyAverage, latencyQuantile } from "../../contracts/promql";
import { DCGM_METRICS as D } from "../rules/dcgm-metrics";
import { eq, series } from "../rules/private/queries";
import { alertRule } from "../rules/private/rule-builders";
import { RuleGroup } from "../rules/rule-types";

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
  const annotations = (what: string) => ({ summary: what, description: `${what} ({{ $value }})` });
  return [
    {
      name: "naive",
      rules: [
        alertRule({ alert: "ErrorRateHigh", expr: `${errorRate(c, s, "5m", by)} > 0.1`, for: "5m", severity: "critical", ...annotations("Error rate above 0.1/s.") }),
        alertRule({ alert: "LatencyP90High", expr: `${p90} > 1`, for: "10m", severity: "warning", ...annotations("P90 latency above 1s.") }),
        alertRule({ alert: "GpuMemoryHigh", expr: `${memory} > 0.8`, for: "5m", severity: "warning", ...annotations("GPU memory above 80%.") }),
        alertRule({ alert: "GpuMemoryCritical", expr: `${memory} > 0.95`, severity: "critical", ...annotations("GPU memory above 95%.") }),
        alertRule({
          alert: "TargetDown",
          expr: `${series("up", eq("namespace", s.namespace), eq("service", s.service))} == 0`,
          for: "1m",
          severity: "critical",
          ...annotations("Scrape target down."),
        }),
      ],
    },
  ];
}
