/**
 * Incident scenarios as typed data: what the monitored system does over time (one timeline per
 * metric role) and what the alerts must do about it. A scenario names roles, never metric names:
 * the series are built from the service's metric contract and DCGM's names, so the same scenario
 * replays against any model server.
 */

/**
 * The signals a scenario can drive. Service roles follow the metric contract; GPU roles drive the
 * first GPU (the one held by the service's first pod), the others stay at their healthy baseline.
 */
export const METRIC_ROLES = {
  /** Requests per second across all pods (the contract's request counter). */
  requestRate: "requests per second, all pods together",
  /** Fraction (0-1) of requests that fail (the contract's outcome label or failure counter). */
  errorRatio: "fraction of failed requests, 0-1",
  /** Median request latency, seconds (the contract's histogram or sum/count). */
  latencyMedian: "median latency, seconds",
  /** 95th percentile latency, seconds: with the median, a log-normal latency distribution. */
  latencyP95: "P95 latency, seconds",
  /** How many of the service's pods Prometheus scrapes successfully (`up`); the others go stale. */
  podsUp: "pods whose scrape succeeds",
  /** Available replicas of the Deployment (kube-state-metrics). */
  replicasAvailable: "available replicas",
  /** Queue depth per pod (the contract's queue gauge, when it has one). */
  queueDepth: "requests queued per pod",
  /** Fraction (0-1) of the first GPU's memory in use (DCGM FB_USED / (FB_USED + FB_FREE)). */
  gpuMemoryUsed: "fraction of GPU memory used, 0-1",
  /** Temperature of the first GPU, °C. */
  gpuTemperature: "GPU temperature, °C",
  /** Last XID code of the first GPU (0: none). */
  gpuXid: "last XID error code",
  /** 1 while the DCGM exporter on the first GPU's node runs, 0 once it died (its series go stale). */
  dcgmExporterUp: "1 while the DCGM exporter runs, 0 when it is dead",
} as const;

export type MetricRole = keyof typeof METRIC_ROLES;

/** A value from `at` on; with `ramp`, reached linearly from the previous keyframe instead of a step. */
export interface Keyframe {
  /** Time in the trace, a Prometheus duration from its start ("0s", "2h30m"). */
  readonly at: string;
  readonly value: number;
  /** @default false: the value holds from `at` until the next keyframe */
  readonly ramp?: boolean;
}

/** A constant, or keyframes in time order. */
export type Timeline = number | readonly Keyframe[];

/** "warning" means warning or critical; "critical" means critical only. */
export type ExpectedSeverity = "warning" | "critical";

export type Expectation =
  /** An alert of at least `severity` fires within `within` of the onset. */
  | { readonly kind: "fires"; readonly severity: ExpectedSeverity; readonly within: string }
  /** No alert of at least `severity` fires anywhere in the trace. */
  | { readonly kind: "quiet"; readonly severity: ExpectedSeverity }
  /** An alert of at least `severity` fires at least `atLeast` before the limit is hit at `limitAt` (trace time). */
  | { readonly kind: "leadTime"; readonly severity: ExpectedSeverity; readonly limitAt: string; readonly atLeast: string };

export const EXPECTATION_KINDS = ["fires", "quiet", "leadTime"] as const;

export interface Scenario {
  /** Unique within a suite. */
  readonly name: string;
  /** Length of the trace: long enough for the rules' longest windows before the onset. */
  readonly duration: string;
  /**
   * When the incident starts. The first sample showing it is the next scrape (the incident began
   * just after a scrape); detection times add one evaluation interval, the worst phase of the
   * rule evaluation against the scrape.
   */
  readonly onset: string;
  /** Pods of the service, one GPU node each. @default 3 */
  readonly replicas?: number;
  /** Timelines by role; roles not given keep the healthy baseline. */
  readonly signals: Readonly<Partial<Record<MetricRole, Timeline>>>;
  readonly expect: readonly Expectation[];
}

/** A healthy model server on three GPUs: the baseline every scenario starts from. */
export const BASELINE: Readonly<Record<MetricRole, number>> = {
  requestRate: 6,
  errorRatio: 0.001,
  latencyMedian: 0.25,
  latencyP95: 0.6,
  podsUp: 3,
  replicasAvailable: 3,
  queueDepth: 1,
  gpuMemoryUsed: 0.62,
  gpuTemperature: 64,
  gpuXid: 0,
  dcgmExporterUp: 1,
};
