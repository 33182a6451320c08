import { MonitoredService } from "../../contracts/monitoring-catalog";
import { errorMatcher, formatBucketBound, latencyUnitSeconds } from "../../contracts/promql";
import { SeriesMatcher } from "../../contracts/metric-contract";
import { DEFAULT_MONITORING_NAMESPACE, DEFAULT_MONITORING_RELEASE } from "../../contracts/monitoring-labels";
import { DCGM_METRICS as D } from "../rules/dcgm-metrics";
import { KSM_POOL_LABEL } from "../rules";
import { BASELINE, MetricRole, Scenario } from "./scenario";

/** A sample: a value, a staleness marker (the target stopped being scraped), or nothing. */
export type Sample = number | "stale" | undefined;

/** One input series of a promtool unit test: its labels and one sample per scrape. */
export interface InputSeries {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: readonly Sample[];
}

/** The trace's time grid and the seconds of onset and end, already parsed. */
export interface Trace {
  readonly scrapeSeconds: number;
  readonly onsetSeconds: number;
  readonly durationSeconds: number;
}

/** Where the service runs: the pool of its GPU nodes. */
export interface ServicePlacement {
  readonly service: MonitoredService;
  readonly poolName: string;
}

/** prometheus_client's default histogram buckets, in seconds. */
const DEFAULT_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** An A10G's framebuffer as DCGM reports it (used + free), MiB. */
const GPU_MEMORY_MIB = 23028;
const Z95 = 1.6448536269514722;

/** Target labels that kube-state-metrics' ServiceMonitor leaves on node-level series. */
const KSM_TARGET = {
  job: "kube-state-metrics",
  instance: "10.0.0.85:8080",
  endpoint: "http",
  service: `${DEFAULT_MONITORING_RELEASE}-kube-state-metrics`,
  namespace: DEFAULT_MONITORING_NAMESPACE,
  pod: `${DEFAULT_MONITORING_RELEASE}-kube-state-metrics-6d9f7c-x2k4p`,
  container: "kube-state-metrics",
};

/**
 * Every input series of one scenario for one service on `replicas` GPU nodes of its pool, with the
 * labels Prometheus stores on a cluster: the ServiceMonitor's target labels on the service's own
 * series, DCGM's labels plus the holding pod's on GPU series, kube-state-metrics' object labels.
 */
export function scenarioSeries(scenario: Scenario, trace: Trace, placement: ServicePlacement, parse: (prop: string, value: string) => number): InputSeries[] {
  const { service, poolName } = placement;
  const { namespace, service: serviceName } = service.selector;
  const c = service.contract;
  const replicas = scenario.replicas ?? 3;
  const steps = Math.floor(trace.durationSeconds / trace.scrapeSeconds) + 1;
  const times = Array.from({ length: steps }, (_, i) => i * trace.scrapeSeconds);
  const defaults: Record<MetricRole, number> = { ...BASELINE, podsUp: replicas, replicasAvailable: replicas };
  const at = (role: MetricRole): number[] => {
    const timeline = scenario.signals[role] ?? defaults[role];
    const keyframes = typeof timeline === "number" ? [{ at: "0s", value: timeline }] : timeline;
    const points = keyframes.map((k, i) => ({ t: parse(`signals.${role}[${i}].at`, k.at), value: k.value, ramp: k.ramp ?? false }));
    // A sample at t shows the state just before t: the incident starts right after a scrape.
    return times.map((t) => valueAt(points, t - 1e-6, defaults[role]));
  };
  const series: InputSeries[] = [];
  const rate = at("requestRate");
  const errors = at("errorRatio");
  const median = at("latencyMedian");
  const p95 = at("latencyP95");
  const podsUp = at("podsUp");
  const queue = at("queueDepth");

  const pods = Array.from({ length: replicas }, (_, i) => ({
    name: `${service.deployment}-7c9d8f5b6-${podSuffix(i)}`,
    node: `ip-10-0-${i + 1}-21.ec2.internal`,
    ip: `10.0.${i + 1}.40`,
  }));
  pods.forEach((pod, p) => {
    const target = {
      namespace,
      service: serviceName,
      pod: pod.name,
      container: "server",
      job: serviceName,
      endpoint: "http-metrics",
      instance: `${pod.ip}:8000`,
      // A pipeline's series carry their stage; one stage stands for all.
      ...(c.stageLabel ? { [c.stageLabel]: "main" } : {}),
    };
    const up = (i: number) => p < Math.round(podsUp[i]);
    const scraped = (values: number[]): Sample[] => values.map((v, i) => (up(i) ? v : i > 0 && up(i - 1) ? "stale" : undefined));
    // Counters accumulate over every interval, scraped or not: a scrape after an outage sees the total.
    const counter = (perSecond: (i: number) => number): number[] => {
      let total = 0;
      return times.map((_, i) => (total += i === 0 ? 0 : perSecond(i) * trace.scrapeSeconds));
    };
    const podRate = (i: number) => rate[i] / replicas;
    const r = c.requests;
    if (r.kind === "statusLabel") {
      const err = errorMatcher(c)!;
      const [okValue, errValue] = outcomeValues(r.errors, err);
      series.push({ metric: r.counter, labels: { ...target, [r.statusLabel]: okValue, ...extra(c.extraMatchers) }, samples: scraped(counter((i) => podRate(i) * (1 - errors[i]))) });
      series.push({ metric: r.counter, labels: { ...target, [r.statusLabel]: errValue, ...extra(c.extraMatchers) }, samples: scraped(counter((i) => podRate(i) * errors[i])) });
    } else if (r.kind === "successFailure") {
      series.push({ metric: r.success, labels: { ...target, ...extra(c.extraMatchers) }, samples: scraped(counter((i) => podRate(i) * (1 - errors[i]))) });
      series.push({ metric: r.failure, labels: { ...target, ...extra(c.extraMatchers) }, samples: scraped(counter((i) => podRate(i) * errors[i])) });
    } else if (r.kind === "errorCounter") {
      // Every request in one counter, the failed ones again in their own.
      series.push({ metric: r.counter, labels: { ...target, ...extra(c.extraMatchers) }, samples: scraped(counter(podRate)) });
      series.push({ metric: r.errorCounter, labels: { ...target, ...extra(c.extraMatchers) }, samples: scraped(counter((i) => podRate(i) * errors[i])) });
    } else {
      // No outcome: the error role of a scenario has nothing to write to.
      series.push({ metric: r.counter, labels: { ...target, ...extra(c.extraMatchers) }, samples: scraped(counter(podRate)) });
    }
    const unit = latencyUnitSeconds(c);
    const sigma = (i: number) => Math.max(Math.log(Math.max(p95[i], median[i] * 1.0001) / median[i]) / Z95, 1e-6);
    const mean = (i: number) => median[i] * Math.exp(sigma(i) ** 2 / 2);
    const l = c.latency;
    if (l.kind === "histogram") {
      for (const bound of [...DEFAULT_BUCKETS_SECONDS, Infinity]) {
        const share = (i: number) => (bound === Infinity ? 1 : logNormalCdf(bound, median[i], sigma(i)));
        series.push({
          metric: `${l.name}_bucket`,
          labels: { ...target, le: formatBucketBound(bound === Infinity ? bound : Number((bound / unit).toPrecision(12))), ...extra(c.extraMatchers) },
          samples: scraped(counter((i) => podRate(i) * share(i))),
        });
      }
      series.push({ metric: `${l.name}_sum`, labels: { ...target, ...extra(c.extraMatchers) }, samples: scraped(counter((i) => (podRate(i) * mean(i)) / unit)) });
      series.push({ metric: `${l.name}_count`, labels: { ...target, ...extra(c.extraMatchers) }, samples: scraped(counter(podRate)) });
    } else {
      series.push({ metric: l.sum, labels: { ...target, ...extra(c.extraMatchers) }, samples: scraped(counter((i) => (podRate(i) * mean(i)) / unit)) });
      // Triton divides by its success counter, already written above.
      if (r.kind !== "successFailure" || l.count !== r.success) {
        series.push({ metric: l.count, labels: { ...target, ...extra(c.extraMatchers) }, samples: scraped(counter(podRate)) });
      }
    }
    if (c.queueDepth) series.push({ metric: c.queueDepth, labels: target, samples: scraped(queue) });
    if (c.modelLoaded) series.push({ metric: c.modelLoaded, labels: target, samples: scraped(times.map(() => 1)) });
    series.push({ metric: "up", labels: target, samples: times.map((_, i) => (up(i) ? 1 : 0)) });
    series.push({ metric: "kube_pod_info", labels: { ...KSM_TARGET, namespace, pod: pod.name, node: pod.node, created_by_kind: "ReplicaSet" }, samples: times.map(() => 1) });
  });
  series.push({
    metric: "kube_deployment_status_replicas_available",
    labels: { ...KSM_TARGET, namespace, deployment: service.deployment },
    samples: at("replicasAvailable"),
  });
  series.push(...gpuSeries(pods, poolName, { at, steps, namespace }));
  return series;
}

interface GpuContext {
  readonly at: (role: MetricRole) => number[];
  readonly steps: number;
  readonly namespace: string;
}

/** One GPU per node, held by the pod on it; the first GPU follows the scenario's GPU roles. */
function gpuSeries(pods: readonly { readonly name: string; readonly node: string }[], poolName: string, ctx: GpuContext): InputSeries[] {
  const constant = (v: number) => Array.from({ length: ctx.steps }, () => v);
  const memory = ctx.at("gpuMemoryUsed");
  const temperature = ctx.at("gpuTemperature");
  const xid = ctx.at("gpuXid");
  const exporterUp = ctx.at("dcgmExporterUp");
  const series: InputSeries[] = [];
  pods.forEach((pod, g) => {
    const node = { ...KSM_TARGET, node: pod.node };
    series.push({ metric: "kube_node_labels", labels: { ...node, [KSM_POOL_LABEL]: poolName }, samples: constant(1) });
    // Created a day before the trace starts.
    series.push({ metric: "kube_node_created", labels: node, samples: constant(-86400) });
    series.push({ metric: "kube_node_status_condition", labels: { ...node, condition: "Ready", status: "true" }, samples: constant(1) });
    for (const metric of ["kube_node_status_capacity", "kube_node_status_allocatable"]) {
      series.push({ metric, labels: { ...node, resource: "nvidia_com_gpu", unit: "integer" }, samples: constant(1) });
    }
    const first = g === 0;
    const dcgm = {
      gpu: "0",
      UUID: `GPU-5f3c2a${g}e-8d41-4b7a-9c6e-2f1d0a3b4c5${g}`,
      pci_bus_id: "00000000:00:1E.0",
      device: "nvidia0",
      modelName: "NVIDIA A10G",
      Hostname: pod.node,
      DCGM_FI_DRIVER_VERSION: "570.172.08",
      namespace: ctx.namespace,
      pod: pod.name,
      container: "server",
      job: "dcgm-exporter",
      instance: `10.0.${g + 1}.17:9400`,
      endpoint: "metrics",
      service: "dcgm-exporter",
      exporter_namespace: "nvidia",
      exporter_pod: `dcgm-exporter-${podSuffix(g + 7)}`,
    };
    const alive = (i: number) => !first || exporterUp[i] >= 0.5;
    const scraped = (values: number[]): Sample[] => values.map((v, i) => (alive(i) ? v : i > 0 && alive(i - 1) ? "stale" : undefined));
    const used = first ? memory.map((f) => Math.round(f * GPU_MEMORY_MIB)) : constant(Math.round(BASELINE.gpuMemoryUsed * GPU_MEMORY_MIB));
    series.push({ metric: D.fbUsed, labels: dcgm, samples: scraped(used) });
    series.push({ metric: D.fbFree, labels: dcgm, samples: scraped(used.map((u) => GPU_MEMORY_MIB - u)) });
    series.push({ metric: D.gpuTemp, labels: dcgm, samples: scraped(first ? temperature : constant(BASELINE.gpuTemperature)) });
    series.push({ metric: D.xidErrors, labels: dcgm, samples: scraped(first ? xid : constant(0)) });
    series.push({ metric: D.grEngineActive, labels: dcgm, samples: scraped(constant(0.45)) });
    series.push({ metric: D.gpuUtil, labels: dcgm, samples: scraped(constant(70)) });
    series.push({ metric: D.rowRemapFailure, labels: dcgm, samples: scraped(constant(0)) });
    series.push({ metric: D.uncorrectableRemappedRows, labels: dcgm, samples: scraped(constant(0)) });
  });
  return series;
}

/** The timeline's value at `t` (seconds): the last keyframe at or before it, or a ramp towards the next. */
function valueAt(points: readonly { readonly t: number; readonly value: number; readonly ramp: boolean }[], t: number, fallback: number): number {
  let value = fallback;
  let from = { t: 0, value: fallback };
  for (const p of points) {
    // A keyframe at 0s holds from the first sample on.
    if (p.t <= Math.max(t, 0)) {
      value = p.value;
      from = p;
      continue;
    }
    if (p.ramp) value = from.value + ((p.value - from.value) * (t - from.t)) / (p.t - from.t);
    break;
  }
  return value;
}

function outcomeValues(errors: { readonly kind: "values"; readonly values: readonly string[] } | { readonly kind: "statusClasses" }, err: SeriesMatcher): [string, string] {
  if (errors.kind === "values") return [errors.values.includes("ok") ? "success" : "ok", errors.values[0]];
  // Status classes: a raw code matches both the code and the grouped ("5xx") forms of the matcher.
  return ["200", err.value.startsWith("4") ? "400" : "500"];
}

/** Labels that make a series pass the contract's extra matchers (`handler!="/metrics"` needs nothing). */
function extra(matchers: readonly SeriesMatcher[] | undefined): Record<string, string> {
  return Object.fromEntries((matchers ?? []).filter((m) => m.op === "=").map((m) => [m.label, m.value]));
}

function podSuffix(i: number): string {
  return ["xk2p4", "m9qd7", "t8w3z", "h5n6r", "c2v8b", "p4j7k", "w6f9s", "d3g5t", "r7y2m", "b8q4n"][i % 10] + (i >= 10 ? String(i) : "");
}

/** P(X <= x) for a log-normal latency with this median and shape. */
function logNormalCdf(x: number, median: number, sigma: number): number {
  return 0.5 * (1 + erf(Math.log(x / median) / (sigma * Math.SQRT2)));
}

/** Abramowitz-Stegun 7.1.26, |error| < 1.5e-7: plenty for bucket shares. */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return sign * y;
}
