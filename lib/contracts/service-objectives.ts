/**
 * Per-service alerting thresholds and service-level objectives, as typed data. An
 * InferenceService carries them; the monitoring rules read them. Every field is optional:
 * the rule packs hold the defaults.
 */

export interface InferenceAlertOptions {
  /** Alert when more than this percentage of requests fail. @default 10 */
  readonly errorRatioPercent?: number;
  /**
   * How long the error ratio (over a window of four scrapes, at least 1m) must stay above the
   * threshold: longer than the bursts that should not page. @default "3m"
   */
  readonly errorRatioFor?: string;
  /**
   * Absolute error-rate floor beside the ratio: a warning when more than this many requests per
   * second fail, whatever the traffic. The ratio with its traffic guard stays the page.
   * @default - no absolute error-rate alert
   */
  readonly errorRatePerSecond?: number;
  /** How long the error rate must stay above `errorRatePerSecond`. @default "5m" */
  readonly errorRateFor?: string;
  /**
   * Ratio and latency alerts stay silent below this many requests per second, so a handful of
   * failures on an idle service does not page anyone. @default 0.1
   */
  readonly minRequestsPerSecond?: number;
  /**
   * P90 latency threshold.
   * @default - the latency SLO's threshold when the service declares one, else 1 s; for 10m
   */
  readonly p90Latency?: { readonly seconds: number; readonly for?: string };
  /**
   * Composite "slow while busy" (critical): P95 above `p95Seconds` while QPS above `minQps`.
   * @default - twice the latency SLO's threshold (3 s without a latency SLO) at 1 QPS, for 5m
   */
  readonly slowUnderLoad?: { readonly p95Seconds: number; readonly minQps: number; readonly for?: string };
  /** Queue depth per pod that counts as a backlog. @default - 10 for 10m */
  readonly queueBacklog?: { readonly depth: number; readonly for?: string };
  /**
   * CPU use of a container, in percent of its CPU limit, that alerts when seen at three
   * consecutive evaluations. @default 90
   */
  readonly cpuPercent?: number;
  /** Container restarts within one hour above which an alert fires. @default 2 */
  readonly maxRestartsPerHour?: number;
  /** How long a pod may report its model not loaded: longer than the model's load time at startup. @default "10m" */
  readonly modelNotLoadedFor?: string;
  /**
   * Alert when a service that had traffic in the last hour gets none for 5 minutes while
   * replicas are available; `false` for services that idle on purpose. @default - on, for 3m
   */
  readonly trafficStopped?: false | { readonly for?: string };
}

/** Service-level objectives: multi-window multi-burn-rate rules are generated from them. */
export interface ServiceSlos {
  /** Fraction of requests that must succeed, in (0, 1), e.g. 0.995. @default - no availability SLO */
  readonly availability?: number;
  /**
   * Fraction of requests faster than `thresholdSeconds`, in (0, 1). The threshold must be a
   * bucket bound of the latency histogram. @default - no latency SLO
   */
  readonly latency?: { readonly objective: number; readonly thresholdSeconds: number };
}

/** Latency alert thresholds when a service declares no latency objective. */
export const DEFAULT_P90_LATENCY_SECONDS = 1;
/**
 * The "slow under load" page sits this many times above the latency objective's threshold: a P95
 * several times its normal value pages within the detection budget (npm run backtest), while a
 * service merely somewhat slower than its objective gets the P90 warning and SLO tickets.
 */
export const SLOW_UNDER_LOAD_FACTOR = 2;
/** The "slow under load" page without a latency objective. */
export const DEFAULT_P95_LATENCY_SECONDS = 3;

/**
 * The latency alert thresholds a service gets, in seconds: what it set, else derived from its
 * latency objective (a model that takes 5 to 15 s per image declares so once, and the alerts follow),
 * else 1 s and 3 s.
 */
export function latencyAlertThresholds(alerting: InferenceAlertOptions | undefined, slos: ServiceSlos | undefined): {
  readonly p90Seconds: number;
  readonly p95Seconds: number;
  /** How a default was derived, for messages; undefined when the user set the value. */
  readonly p90Default?: string;
  readonly p95Default?: string;
} {
  const base = slos?.latency?.thresholdSeconds;
  const p90Default = base ?? DEFAULT_P90_LATENCY_SECONDS;
  const p90Set = alerting?.p90Latency?.seconds;
  const p95Set = alerting?.slowUnderLoad?.p95Seconds;
  return {
    p90Seconds: p90Set ?? p90Default,
    p95Seconds: p95Set ?? (base !== undefined ? SLOW_UNDER_LOAD_FACTOR * base : DEFAULT_P95_LATENCY_SECONDS),
    ...(p90Set === undefined && { p90Default: base !== undefined ? "slos.latency.thresholdSeconds" : `${DEFAULT_P90_LATENCY_SECONDS}s` }),
    ...(p95Set === undefined && {
      p95Default: base !== undefined ? `${SLOW_UNDER_LOAD_FACTOR} × slos.latency.thresholdSeconds` : `${DEFAULT_P95_LATENCY_SECONDS}s`,
    }),
  };
}
