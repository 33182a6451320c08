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
   * Ratio and latency alerts stay silent below this many requests per second, so a handful of
   * failures on an idle service does not page anyone. @default 0.1
   */
  readonly minRequestsPerSecond?: number;
  /** P90 latency threshold. @default - 1 s for 10m */
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
