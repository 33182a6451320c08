import { IConstruct } from "constructs";
import { MonitoredService } from "../../contracts/monitoring-catalog";
import { DEFAULT_DOMAIN_METRIC_FOR, DomainMetric, domainMetricQuery } from "../../contracts/domain-metrics";
import { hasRequestOutcome } from "../../contracts/metric-contract";
import { latencyAlertThresholds } from "../../contracts/service-objectives";
import { validateServiceMonitoring } from "../../contracts/service-validation";
import {
  errorRate,
  errorRatio,
  hasLatencyQuantiles,
  latencyAverage,
  latencyQuantile,
  requestRate,
  serviceGauge,
} from "../../contracts/promql";
import { PlatformConfigError } from "../../core/errors";
import { checkDns1123Label, parsePrometheusDuration } from "../../core/validate";
import { availableReplicas, deploymentPods, durationText, eq, num, series, withPodNode } from "./private/queries";
import { alertRule, recordingRule } from "./private/rule-builders";
import { AlertRule, isAlertRule, RecordingRule, Rule, RuleGroup } from "./rule-types";

/** Every per-service query aggregates to these labels, so recorded series and alerts name the service. */
const BY = ["namespace", "service"] as const;

/**
 * Names of the per-service recording rules, for dashboards and autoscaling to query by reference.
 * Per-stage variants put the contract's stage label into the level, e.g. `namespace_service_module:...`.
 */
export const INFERENCE_RECORDS = {
  requestRate: "inference_requests:rate5m",
  errorRate: "inference_request_errors:rate5m",
  errorRatio: "inference_request_errors:ratio_rate5m",
  latencyMean: "inference_request_duration_seconds:mean_rate5m",
  latencyP95: "inference_request_duration_seconds:p95_rate5m",
  latencyP99: "inference_request_duration_seconds:p99_rate5m",
} as const;
export const INFERENCE_RECORD_LEVEL = "namespace_service";

/** Alert options of one service with every default filled in. */
interface ResolvedAlerting {
  readonly errorRatioPercent: number;
  readonly errorRatioFor: string;
  readonly errorRate?: { readonly perSecond: number; readonly for: string };
  readonly minRps: number;
  readonly p90: { readonly seconds: number; readonly for: string };
  readonly slow: { readonly p95Seconds: number; readonly minQps: number; readonly for: string };
  readonly backlog: { readonly depth: number; readonly for: string };
  readonly cpuPercent: number;
  readonly maxRestartsPerHour: number;
  readonly modelNotLoadedFor: string;
  readonly trafficStoppedFor?: string;
}

/**
 * Rules for one model server, all of its request and latency PromQL from the metric contract
 * builders: recording rules for dashboards, then alerts on errors, latency, traffic, capacity and
 * the pods behind it. The group is evaluated every scrape interval, so "three samples" of CPU
 * means three consecutive evaluations.
 */
export function inferenceRuleGroup(scope: IConstruct | string, prop: string, service: MonitoredService, scrapeInterval: string): RuleGroup {
  const { namespace, service: name } = service.selector;
  checkDns1123Label(scope, `${prop}.selector.namespace`, namespace);
  checkDns1123Label(scope, `${prop}.selector.service`, name);
  if (!service.deployment) throw new PlatformConfigError(scope, `${prop}.deployment`, service.deployment, "must name the service's Deployment");
  if (service.team !== undefined && !service.team) throw new PlatformConfigError(scope, `${prop}.team`, service.team, "must be a non-empty team name");
  validateServiceMonitoring(scope, { prefix: `${prop}.`, contract: "contract" }, service);
  const a = resolveAlerting(service);
  const scrapeSeconds = parsePrometheusDuration(scope, "scrapeInterval", scrapeInterval);

  const rules: Rule[] = [
    ...recordingRules(service),
    ...trafficAlerts(service, a, scrapeSeconds),
    ...podAlerts(service, a, scrapeSeconds),
    ...(service.domainMetrics ?? []).flatMap((m) => domainMetricAlerts(service, m)),
  ];
  const labels = { namespace, service: name, ...(service.team ? { team: service.team } : {}) };
  return {
    name: `inference-${namespace}-${name}`,
    interval: scrapeInterval,
    rules: rules.map((r) => (isAlertRule(r) ? { ...r, labels: { ...r.labels, ...labels } } : r)),
  };
}

/** Options were checked by validateServiceMonitoring; this fills in the defaults. */
function resolveAlerting(service: MonitoredService): ResolvedAlerting {
  const a = service.alerting ?? {};
  // Latency thresholds follow the service's latency objective when it declares one.
  const latency = latencyAlertThresholds(a, service.slos);
  return {
    errorRatioPercent: a.errorRatioPercent ?? 10,
    errorRatioFor: a.errorRatioFor ?? "3m",
    errorRate: a.errorRatePerSecond === undefined ? undefined : { perSecond: a.errorRatePerSecond, for: a.errorRateFor ?? "5m" },
    minRps: a.minRequestsPerSecond ?? 0.1,
    p90: { seconds: latency.p90Seconds, for: a.p90Latency?.for ?? "10m" },
    slow: { p95Seconds: latency.p95Seconds, minQps: a.slowUnderLoad?.minQps ?? 1, for: a.slowUnderLoad?.for ?? "5m" },
    backlog: { depth: a.queueBacklog?.depth ?? 10, for: a.queueBacklog?.for ?? "10m" },
    cpuPercent: a.cpuPercent ?? 90,
    maxRestartsPerHour: a.maxRestartsPerHour ?? 2,
    modelNotLoadedFor: a.modelNotLoadedFor ?? "10m",
    trafficStoppedFor: a.trafficStopped === false ? undefined : (a.trafficStopped?.for ?? "3m"),
  };
}

function recordingRules(service: MonitoredService): RecordingRule[] {
  const { contract: c, selector: s } = service;
  const forLevel = (level: string, groupBy: readonly string[]): RecordingRule[] => [
    recordingRule(`${level}:${INFERENCE_RECORDS.requestRate}`, requestRate(c, s, "5m", groupBy)),
    // A counter without outcome has no errors to record.
    ...(hasRequestOutcome(c)
      ? [
          recordingRule(`${level}:${INFERENCE_RECORDS.errorRate}`, errorRate(c, s, "5m", groupBy)),
          recordingRule(`${level}:${INFERENCE_RECORDS.errorRatio}`, errorRatio(c, s, "5m", groupBy)),
        ]
      : []),
    recordingRule(`${level}:${INFERENCE_RECORDS.latencyMean}`, latencyAverage(c, s, "5m", groupBy)),
    // Quantiles only from a histogram; sum/count contracts (Triton) have the mean above and no more.
    ...(hasLatencyQuantiles(c)
      ? [
          recordingRule(`${level}:${INFERENCE_RECORDS.latencyP95}`, latencyQuantile(c, s, 0.95, "5m", groupBy)!),
          recordingRule(`${level}:${INFERENCE_RECORDS.latencyP99}`, latencyQuantile(c, s, 0.99, "5m", groupBy)!),
        ]
      : []),
  ];
  const stage = c.stageLabel;
  return [...forLevel(INFERENCE_RECORD_LEVEL, BY), ...(stage ? forLevel(`${INFERENCE_RECORD_LEVEL}_${stage}`, [...BY, stage]) : [])];
}

/** P90 (or, without a histogram, mean) latency in seconds, and what to call it in messages. */
function latencyStatistic(service: MonitoredService, q: number, window: string): { readonly expr: string; readonly label: string } {
  const { contract: c, selector: s } = service;
  const quantile = latencyQuantile(c, s, q, window, BY);
  return quantile ? { expr: quantile, label: `P${Math.round(q * 100)} latency` } : { expr: latencyAverage(c, s, window, BY), label: "Mean latency" };
}

/** A short window over a few scrapes, in seconds: at least 1m, and four samples at slower scrape intervals. */
function shortWindowSeconds(scrapeSeconds: number): number {
  return Math.max(60, 4 * scrapeSeconds);
}

function trafficAlerts(service: MonitoredService, a: ResolvedAlerting, scrapeSeconds: number): AlertRule[] {
  const { contract: c, selector: s } = service;
  const short = durationText(shortWindowSeconds(scrapeSeconds));
  const where = `${s.namespace}/${s.service}`;
  const rps = (window: string) => requestRate(c, s, window, BY);
  const busy = `${rps("5m")} > ${num(a.minRps)}`;
  const p90 = latencyStatistic(service, 0.9, "5m");
  // The page reads a window of two short windows (2m at 15 s scrapes): a latency rise shows within
  // a minute and a two-minute blip is over well before `for` (5m), where a 5m window would hold it for 7.
  const p95 = latencyStatistic(service, 0.95, durationText(2 * shortWindowSeconds(scrapeSeconds)));
  const errors: AlertRule[] = hasRequestOutcome(c)
    ? [
    alertRule({
      alert: "InferenceErrorRatioHigh",
      // The ratio over a short window crosses the threshold within a minute of a sustained fault;
      // `for` (3m) is longer than a burst plus that window, so a 90 s burst then health never
      // pages (the SLO burn alerts account for it). Silent below minRequestsPerSecond: a handful
      // of failures on an idle service is no incident.
      expr: `${errorRatio(c, s, short, BY)} > ${num(a.errorRatioPercent / 100)}\nand\n${busy}`,
      for: a.errorRatioFor,
      severity: "critical",
      summary: `More than ${num(a.errorRatioPercent)}% of inference requests fail.`,
      description: `${where}: {{ $value | humanizePercentage }} of requests failed over the last ${short}, above ${num(a.errorRatioPercent)}% for ${a.errorRatioFor}: a sustained failure, not a burst.`,
    }),
        ...(a.errorRate
          ? [
              alertRule({
                alert: "InferenceErrorRateHigh",
                // The absolute floor beside the ratio: failures per second, whatever the traffic.
                expr: `${errorRate(c, s, "5m", BY)} > ${num(a.errorRate.perSecond)}`,
                for: a.errorRate.for,
                severity: "warning",
                summary: `More than ${num(a.errorRate.perSecond)} inference requests per second fail.`,
                description: `${where}: {{ printf "%.2f" $value }} requests per second failed over the last 5 minutes (threshold ${num(a.errorRate.perSecond)}/s).`,
              }),
            ]
          : []),
      ]
    : [];
  const rules: AlertRule[] = [
    ...errors,
    alertRule({
      alert: "InferenceLatencyHigh",
      expr: `${p90.expr} > ${num(a.p90.seconds)}\nand\n${busy}`,
      for: a.p90.for,
      severity: "warning",
      summary: `${p90.label} above ${num(a.p90.seconds)}s.`,
      description: `${where}: ${p90.label} is {{ $value | humanizeDuration }} (threshold ${num(a.p90.seconds)}s).`,
    }),
    alertRule({
      alert: "InferenceSlowUnderLoad",
      expr: `${p95.expr} > ${num(a.slow.p95Seconds)}\nand\n${rps("5m")} > ${num(a.slow.minQps)}`,
      for: a.slow.for,
      severity: "critical",
      summary: `${p95.label} above ${num(a.slow.p95Seconds)}s while serving more than ${num(a.slow.minQps)} req/s.`,
      description: `${where}: ${p95.label} is {{ $value | humanizeDuration }} under a load above ${num(a.slow.minQps)} req/s: users wait. Scale out or shed load.`,
    }),
  ];
  if (a.trafficStoppedFor !== undefined) {
    rules.push(
      alertRule({
        alert: "InferenceTrafficStopped",
        // Only services that had real traffic in the last hour: one never used stays silent, and
        // one whose pods restarted (no request series yet) still counts as stopped. At the
        // minimum rate, 5 minutes without a request is 30 missing ones, not a lull.
        expr: `(\n${rps("1h")} > ${num(a.minRps)}\nunless\n${rps("5m")} > 0\n)\nand on (namespace)\n${availableReplicas(s.namespace, service.deployment)} > 0`,
        for: a.trafficStoppedFor,
        severity: "warning",
        summary: "Inference traffic stopped while replicas are up.",
        description: `${where} served {{ printf "%.2f" $value }} req/s over the last hour but none in the last 5 minutes, with replicas available. Check the ingress, the gateway and the clients.`,
      }),
    );
  }
  if (c.queueDepth) {
    rules.push(
      alertRule({
        alert: "InferenceQueueBacklog",
        expr: withPodNode(`max by (namespace, service, pod) (${serviceGauge(c, s, c.queueDepth)}) > ${num(a.backlog.depth)}`, s.namespace),
        for: a.backlog.for,
        severity: "warning",
        summary: `More than ${num(a.backlog.depth)} requests queued in a pod.`,
        description: `${where}: pod {{ $labels.pod }} has {{ $value }} requests queued (threshold ${num(a.backlog.depth)}).`,
      }),
    );
  }
  if (c.modelLoaded) {
    rules.push(
      alertRule({
        alert: "InferenceModelNotLoaded",
        expr: withPodNode(`max by (namespace, service, pod) (${serviceGauge(c, s, c.modelLoaded)}) == 0`, s.namespace),
        for: a.modelNotLoadedFor,
        severity: "warning",
        summary: `A pod has not loaded its model for ${a.modelNotLoadedFor}.`,
        description: `${where}: pod {{ $labels.pod }} reports model loaded = {{ $value }} for ${a.modelNotLoadedFor}, longer than a model load takes. Check its logs (weights download, GPU memory).`,
      }),
    );
  }
  return rules;
}

/** Alerts on the pods and scaling behind the service, from kube-state-metrics, cAdvisor and `up`. */
function podAlerts(service: MonitoredService, a: ResolvedAlerting, scrapeSeconds: number): AlertRule[] {
  const { namespace, service: name } = service.selector;
  const where = `${namespace}/${name}`;
  const ns = eq("namespace", namespace);
  const pods = deploymentPods(service.deployment);
  const up = series("up", ns, eq("service", name));
  const perContainer = "namespace, pod, container";
  const restarts = (window: string) => `max by (${perContainer}) (increase(${series("kube_pod_container_status_restarts_total", ns, pods)}[${window}]))`;
  // Three consecutive evaluations of a group evaluated every scrape: pending at the first, firing at the third.
  const cpuFor = durationText(2 * scrapeSeconds);
  const cpuWindow = durationText(shortWindowSeconds(scrapeSeconds));
  const targetsDown = `count by (namespace, service) (${up} == 0)\n/ count by (namespace, service) (${up})`;

  const rules: AlertRule[] = [
    ...[
      { severity: "warning" as const, test: "> 0", summary: "Prometheus cannot scrape some pods of an inference service." },
      { severity: "critical" as const, test: ">= 1", summary: "Prometheus cannot scrape any pod of an inference service." },
    ].map(({ severity, test, summary }) =>
      alertRule({
        alert: "InferenceTargetDown",
        expr: `${targetsDown}\n${test}`,
        // Two minutes of failed scrapes: a pod that restarts cleanly is back before that.
        for: "2m",
        severity,
        summary,
        description: `${where}: {{ $value | humanizePercentage }} of its scrape targets are down.`,
      }),
    ),
    alertRule({
      alert: "InferenceNotScraped",
      // The most reported "no data" cause: the ServiceMonitor's labels do not match Prometheus's selector.
      expr: `${availableReplicas(namespace, service.deployment)} > 0\nunless on ()\n${up}`,
      for: "10m",
      severity: "warning",
      summary: "An inference service has running replicas but no scrape target.",
      description: `${where}: Deployment ${service.deployment} has {{ $value }} available replicas but Prometheus has no target for the service. Check the ServiceMonitor's labels against Prometheus's serviceMonitorSelector.`,
    }),
    alertRule({
      alert: "InferenceCpuHigh",
      // Relative to the CPU limit (the design's pods set 2 CPU): a container without a limit has no ratio.
      expr: withPodNode(
        `sum by (${perContainer}) (rate(${series("container_cpu_usage_seconds_total", ns, pods, { label: "container", op: "!=", value: "" })}[${cpuWindow}]))\n` +
          `/ on (${perContainer})\nsum by (${perContainer}) (${series("kube_pod_container_resource_limits", ns, pods, eq("resource", "cpu"))})\n> ${num(a.cpuPercent / 100)}`,
        namespace,
      ),
      for: cpuFor,
      severity: "warning",
      summary: `Container CPU above ${num(a.cpuPercent)}% of its limit for three samples.`,
      description: `${where}: container {{ $labels.container }} of pod {{ $labels.pod }} uses {{ $value | humanizePercentage }} of its CPU limit; pre- and post-processing will be throttled.`,
    }),
    alertRule({
      alert: "InferencePodRestarting",
      expr: withPodNode(`${restarts("1h")} > ${num(a.maxRestartsPerHour)}`, namespace),
      severity: "warning",
      summary: `A container restarted more than ${num(a.maxRestartsPerHour)} times in an hour.`,
      description: `${where}: container {{ $labels.container }} of pod {{ $labels.pod }} restarted {{ printf "%.0f" $value }} times in the last hour.`,
    }),
    alertRule({
      alert: "InferencePodOOMKilled",
      // last_terminated_reason stays set after the restart; a restart in the last 10m makes it news.
      expr: withPodNode(
        `${restarts("10m")} > 0\nand on (${perContainer})\nmax by (${perContainer}) (${series("kube_pod_container_status_last_terminated_reason", ns, pods, eq("reason", "OOMKilled"))}) == 1`,
        namespace,
      ),
      severity: "warning",
      summary: "A container was OOMKilled.",
      description: `${where}: container {{ $labels.container }} of pod {{ $labels.pod }} was OOMKilled and restarted {{ printf "%.0f" $value }} times in the last 10 minutes. Raise its memory limit or find the leak.`,
    }),
  ];
  if (service.hpa) {
    const hpa = [ns, eq("horizontalpodautoscaler", service.hpa)];
    const byHpa = "namespace, horizontalpodautoscaler";
    rules.push(
      alertRule({
        alert: "InferenceHpaMaxedOut",
        expr: `max by (${byHpa}) (${series("kube_horizontalpodautoscaler_status_current_replicas", ...hpa)})\n>= on (${byHpa})\nmax by (${byHpa}) (${series("kube_horizontalpodautoscaler_spec_max_replicas", ...hpa)})`,
        for: "15m",
        severity: "warning",
        summary: "The autoscaler has been at its maximum replicas for 15 minutes.",
        description: `${where}: HPA ${service.hpa} runs {{ $value }} replicas, its maximum; more load will queue. Raise maxReplicas or add GPU capacity.`,
      }),
    );
  }
  return rules;
}

/**
 * Per-pod alerts on one of the service's own metrics: a warning and a critical rule, each only
 * when its threshold is set, sharing the alert name (Alertmanager's inhibition lets the critical
 * one silence the warning) and told apart by the `metric` label.
 */
function domainMetricAlerts(service: MonitoredService, m: DomainMetric): AlertRule[] {
  const { namespace, service: name } = service.selector;
  const baseFor = m.for ?? DEFAULT_DOMAIN_METRIC_FOR;
  const what = m.kind === "counter" ? `${m.title} (per second)` : m.title;
  return [
    { severity: "warning" as const, threshold: m.warning, for: baseFor },
    { severity: "critical" as const, threshold: m.critical, for: m.criticalFor ?? baseFor },
  ]
    .filter((t): t is { severity: "warning" | "critical"; threshold: number; for: string } => t.threshold !== undefined)
    .map((t) =>
      alertRule({
        alert: "InferenceMetricAboveThreshold",
        expr: withPodNode(`${domainMetricQuery(m, service.selector)} > ${num(t.threshold)}`, namespace),
        for: t.for,
        severity: t.severity,
        labels: { metric: m.metric },
        summary: `${what} above ${num(t.threshold)}${unitSuffix(m)}.`,
        description: `${namespace}/${name}: pod {{ $labels.pod }} reports ${what} = ${valueTemplate(m)} (${t.severity} threshold ${num(t.threshold)}${unitSuffix(m)}).`,
      }),
    );
}

/** The alert's value as people read it: bytes in binary units, anything else with two decimals. */
function valueTemplate(m: DomainMetric): string {
  return m.unit === "bytes" ? "{{ $value | humanize1024 }}B" : `{{ printf "%.2f" $value }}${unitSuffix(m)}`;
}

function unitSuffix(m: DomainMetric): string {
  switch (m.unit ?? "short") {
    case "percent":
      return "%";
    case "bytes":
      return " bytes";
    case "seconds":
      return "s";
    default:
      return "";
  }
}
