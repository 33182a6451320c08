import { IConstruct } from "constructs";
import { MonitoredService } from "../../contracts/monitoring-catalog";
import { errorRatio, formatBucketBound, hasLatencyQuantiles, latencyGoodRatio, latencyUnitSeconds, requestRate } from "../../contracts/promql";
import { PlatformConfigError } from "../../core/errors";
import { checkObjective, checkPositive } from "./private/checks";
import { eq, num, series } from "./private/queries";
import { alertRule, recordingRule } from "./private/rule-builders";
import { AlertRule, Rule, RuleGroup, Severity } from "./rule-types";

/** Error-ratio windows of the multi-window, multi-burn-rate alerts (Google SRE workbook, ch. 5). */
export const SLO_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;
export type SloWindow = (typeof SLO_WINDOWS)[number];

/** `namespace_service_slo:sli_error:ratio_rate<window>`, labelled `slo="availability"` or `slo="latency"`. */
export function sloErrorRecord(window: SloWindow): string {
  return `namespace_service_slo:sli_error:ratio_rate${window}`;
}

interface BurnCondition {
  readonly long: SloWindow;
  readonly short: SloWindow;
  /** Burn rate: how many times faster than "exactly spend the budget in 30 days". */
  readonly factor: number;
}

/**
 * Page: 2% of a 30-day budget gone in 1h (14.4x) or 5% in 6h (6x). Ticket: 10% in 1d (3x) or in
 * 3d at 1x. The short window makes the alert stop soon after the burn stops.
 */
const BURN_ALERTS: readonly { readonly severity: Severity; readonly for: string; readonly conditions: readonly BurnCondition[] }[] = [
  {
    severity: "critical",
    for: "2m",
    conditions: [
      { long: "1h", short: "5m", factor: 14.4 },
      { long: "6h", short: "30m", factor: 6 },
    ],
  },
  {
    severity: "warning",
    for: "15m",
    conditions: [
      { long: "1d", short: "2h", factor: 3 },
      { long: "3d", short: "6h", factor: 1 },
    ],
  },
];

type SloKind = "availability" | "latency";

/**
 * Multi-window multi-burn-rate rules for a service's SLOs: error ratios recorded over every window,
 * then a page and a ticket alert per SLO. Availability counts failed requests; latency counts
 * requests slower than the threshold, from the histogram bucket at that bound. Returns no group
 * when the service declares no SLO.
 */
export function sloRuleGroups(scope: IConstruct | string, prop: string, service: MonitoredService): RuleGroup[] {
  const slos = service.slos;
  if (!slos || (slos.availability === undefined && slos.latency === undefined)) return [];
  const { contract: c, selector: s } = service;
  const rules: Rule[] = [];
  if (slos.availability !== undefined) {
    checkObjective(scope, `${prop}.slos.availability`, slos.availability);
    rules.push(...sloRules(service, "availability", slos.availability, (w) => errorRatio(c, s, w), "failed"));
  }
  if (slos.latency !== undefined) {
    const { objective, thresholdSeconds } = slos.latency;
    checkObjective(scope, `${prop}.slos.latency.objective`, objective);
    checkPositive(scope, `${prop}.slos.latency.thresholdSeconds`, thresholdSeconds);
    if (!hasLatencyQuantiles(c)) {
      throw new PlatformConfigError(
        scope,
        `${prop}.slos.latency`,
        slos.latency,
        `needs a latency histogram, but contract '${c.flavour}' measures latency as sum/count only; drop the latency SLO or expose a histogram`,
      );
    }
    const slower = `were slower than ${num(thresholdSeconds)}s`;
    rules.push(...sloRules(service, "latency", objective, (w) => `1 - ${latencyGoodRatio(c, s, thresholdSeconds, w)!}`, slower));
    const bound = formatBucketBound(Number((thresholdSeconds / latencyUnitSeconds(c)).toPrecision(12)));
    rules.push(
      alertRule({
        alert: "InferenceSloLatencyBucketMissing",
        // Requests flow but no bucket has this bound: the latency SLO would read "no data" forever.
        expr: `${requestRate(c, s, "5m", ["namespace", "service"])} > 0\nunless on ()\n${latencyGoodRatio(c, s, thresholdSeconds, "5m")!}`,
        for: "15m",
        severity: "warning",
        labels: serviceLabels(service),
        summary: "The latency SLO's threshold is not a bucket bound of the latency histogram.",
        description: `${s.namespace}/${s.service} serves {{ printf "%.2f" $value }} req/s, but its latency histogram has no bucket le="${bound}", so the ${num(thresholdSeconds)}s latency SLO cannot be measured. Add the bucket or change slos.latency.thresholdSeconds.`,
      }),
    );
  }
  return [{ name: `slo-${s.namespace}-${s.service}`, rules }];
}

function serviceLabels(service: MonitoredService): Record<string, string> {
  const { namespace, service: name } = service.selector;
  return { namespace, service: name, ...(service.team ? { team: service.team } : {}) };
}

function sloRules(service: MonitoredService, kind: SloKind, objective: number, errorRatioOver: (window: string) => string, what: string): Rule[] {
  const { namespace, service: name } = service.selector;
  // Static labels: the latency ratio has no `by` clause, and both kinds share record names.
  const recordLabels = { namespace, service: name, slo: kind };
  const budget = num(1 - objective);
  const ratio = (w: SloWindow) => series(sloErrorRecord(w), eq("namespace", namespace), eq("service", name), eq("slo", kind));
  const records = SLO_WINDOWS.map((w) => recordingRule(sloErrorRecord(w), errorRatioOver(w), recordLabels));
  const alerts: AlertRule[] = BURN_ALERTS.map(({ severity, for: forDuration, conditions }) =>
    alertRule({
      alert: "InferenceSloBudgetBurn",
      expr: conditions
        .map(({ long, short, factor }) => `(\n${ratio(long)} > (${num(factor)} * ${budget})\nand\n${ratio(short)} > (${num(factor)} * ${budget})\n)`)
        .join("\nor\n"),
      for: forDuration,
      severity,
      labels: { ...serviceLabels(service), slo: kind },
      summary:
        severity === "critical"
          ? `The ${kind} SLO's error budget burns fast: it would be gone within days.`
          : `The ${kind} SLO's error budget burns steadily: it would be gone before the 30-day window ends.`,
      description:
        `${namespace}/${name}: {{ $value | humanizePercentage }} of requests ${what} over the last ${conditions.map((x) => x.long).join(" or ")} ` +
        `(budget ${num(Number(budget) * 100)}%, objective ${num(objective * 100)}%), burning the error budget at ` +
        `${conditions.map((x) => `${num(x.factor)}x (${x.long})`).join(" or ")} its sustainable rate.`,
    }),
  );
  return [...records, ...alerts];
}
