import { IConstruct } from "constructs";
import { PlatformConfigError } from "../core/errors";
import { checkNonNegative, checkObjective, checkPercent, checkPositive, checkWindow } from "../core/validate";
import { DomainMetric, validateDomainMetrics } from "./domain-metrics";
import { hasRequestOutcome, MetricContract, validateMetricContract } from "./metric-contract";
import { latencyUnitSeconds } from "./promql";
import { InferenceAlertOptions, latencyAlertThresholds, ServiceSlos } from "./service-objectives";

/** What a service declares about its monitoring, under the option names its owner used. */
export interface ServiceMonitoringOptions {
  readonly contract: MetricContract;
  readonly alerting?: InferenceAlertOptions;
  readonly slos?: ServiceSlos;
  readonly domainMetrics?: readonly DomainMetric[];
}

/** Option names in messages: an InferenceService calls its contract `metrics`, a MonitoredService `contract`. */
export interface ServiceMonitoringPropNames {
  /** Prefix of every name, e.g. `services["web/face-swap"].` or "" for a construct's own props. */
  readonly prefix: string;
  readonly contract: string;
}

/**
 * Checks a service's contract, alerting options, SLOs and domain metrics together, before any rule
 * is built, so a mistake fails where it was made (the service's constructor) under the option
 * name the user passed. The rule packs call it too, for services that never were a construct.
 */
export function validateServiceMonitoring(scope: IConstruct | string, names: ServiceMonitoringPropNames, options: ServiceMonitoringOptions): void {
  const { contract, alerting: a = {}, slos } = options;
  const p = (name: string) => `${names.prefix}${name}`;
  const path = typeof scope === "string" ? scope : scope.node.path;
  validateMetricContract(path, p(names.contract), contract);

  if (a.errorRatioPercent !== undefined) checkPercent(scope, p("alerting.errorRatioPercent"), a.errorRatioPercent);
  if (a.errorRatePerSecond !== undefined) checkPositive(scope, p("alerting.errorRatePerSecond"), a.errorRatePerSecond);
  if (a.minRequestsPerSecond !== undefined) checkNonNegative(scope, p("alerting.minRequestsPerSecond"), a.minRequestsPerSecond);
  if (a.p90Latency !== undefined) checkPositive(scope, p("alerting.p90Latency.seconds"), a.p90Latency.seconds);
  if (a.slowUnderLoad !== undefined) {
    checkPositive(scope, p("alerting.slowUnderLoad.p95Seconds"), a.slowUnderLoad.p95Seconds);
    checkNonNegative(scope, p("alerting.slowUnderLoad.minQps"), a.slowUnderLoad.minQps);
  }
  if (a.queueBacklog !== undefined) checkPositive(scope, p("alerting.queueBacklog.depth"), a.queueBacklog.depth);
  if (a.cpuPercent !== undefined) checkPercent(scope, p("alerting.cpuPercent"), a.cpuPercent);
  if (a.maxRestartsPerHour !== undefined) checkNonNegative(scope, p("alerting.maxRestartsPerHour"), a.maxRestartsPerHour);
  const durations: [string, string | undefined][] = [
    ["errorRatioFor", a.errorRatioFor],
    ["errorRateFor", a.errorRateFor],
    ["p90Latency.for", a.p90Latency?.for],
    ["slowUnderLoad.for", a.slowUnderLoad?.for],
    ["queueBacklog.for", a.queueBacklog?.for],
    ["modelNotLoadedFor", a.modelNotLoadedFor],
    ["trafficStopped.for", a.trafficStopped === false ? undefined : a.trafficStopped?.for],
  ];
  for (const [name, value] of durations) if (value !== undefined) checkWindow(scope, p(`alerting.${name}`), value);
  if (a.errorRateFor !== undefined && a.errorRatePerSecond === undefined) {
    throw new PlatformConfigError(scope, p("alerting.errorRateFor"), a.errorRateFor, "only applies with alerting.errorRatePerSecond");
  }

  if (!hasRequestOutcome(contract)) {
    const outcomeOptions: [string, unknown][] = [
      ["alerting.errorRatioPercent", a.errorRatioPercent],
      ["alerting.errorRatioFor", a.errorRatioFor],
      ["alerting.errorRatePerSecond", a.errorRatePerSecond],
      ["slos.availability", slos?.availability],
    ];
    const set = outcomeOptions.find(([, v]) => v !== undefined);
    if (set) {
      throw new PlatformConfigError(
        scope,
        p(set[0]),
        set[1],
        `needs failed requests to be counted, but ${p(names.contract)} counts requests without outcome; declare the outcome (a status label or an error counter) or remove ${set[0]}`,
      );
    }
  }

  if (slos?.availability !== undefined) checkObjective(scope, p("slos.availability"), slos.availability);
  const l = contract.latency;
  if (slos?.latency !== undefined) {
    const { objective, thresholdSeconds } = slos.latency;
    checkObjective(scope, p("slos.latency.objective"), objective);
    checkPositive(scope, p("slos.latency.thresholdSeconds"), thresholdSeconds);
    if (l.kind !== "histogram") {
      throw new PlatformConfigError(
        scope,
        p("slos.latency"),
        slos.latency,
        `needs a latency histogram, but contract '${contract.flavour}' measures latency as sum/count only; drop the latency SLO or expose a histogram`,
      );
    }
    if (l.buckets !== undefined) {
      const bound = inUnit(contract, thresholdSeconds);
      if (!l.buckets.some((b) => Number(b.toPrecision(12)) === bound)) {
        const near = neighbours(l.buckets, bound);
        throw new PlatformConfigError(
          scope,
          p("slos.latency.thresholdSeconds"),
          thresholdSeconds,
          `must be a bucket bound of the latency histogram ${l.name} (declared ${describeBuckets(contract)}), else the SLO counts no request as fast enough; ${near}`,
        );
      }
    }
  }
  if (l.kind === "histogram" && l.buckets !== undefined) {
    // histogram_quantile reports at most the largest finite bound: a threshold at or above it never fires.
    const largest = l.buckets[l.buckets.length - 1];
    const t = latencyAlertThresholds(a, slos);
    const checks = [
      { option: "alerting.p90Latency.seconds", seconds: t.p90Seconds, defaultFrom: t.p90Default },
      { option: "alerting.slowUnderLoad.p95Seconds", seconds: t.p95Seconds, defaultFrom: t.p95Default },
    ];
    for (const { option, seconds, defaultFrom } of checks) {
      if (inUnit(contract, seconds) < largest) continue;
      const why = `a quantile of ${l.name} never reads above its largest finite bucket (${largest} ${l.unit}), so the alert could never fire`;
      throw new PlatformConfigError(
        scope,
        p(option),
        seconds,
        defaultFrom === undefined
          ? `must lie below the largest bucket: ${why}; lower it or declare larger buckets`
          : `must be set below the largest bucket: its default (${defaultFrom}) is at or above it, and ${why}; set it or declare larger buckets`,
      );
    }
  }
  if (options.domainMetrics !== undefined) validateDomainMetrics(scope, p("domainMetrics"), options.domainMetrics);
}

function inUnit(contract: MetricContract, seconds: number): number {
  return Number((seconds / latencyUnitSeconds(contract)).toPrecision(12));
}

function describeBuckets(contract: MetricContract): string {
  const l = contract.latency;
  return l.kind === "histogram" && l.buckets ? `${l.buckets.join(", ")} ${l.unit}` : "none";
}

/** "the nearest bounds are 0.5 and 1 seconds" for a message. */
function neighbours(buckets: readonly number[], value: number): string {
  const below = [...buckets].reverse().find((b) => b < value);
  const above = buckets.find((b) => b > value);
  const list = [below, above].filter((b): b is number => b !== undefined);
  return `the nearest bounds are ${list.join(" and ")}`;
}
