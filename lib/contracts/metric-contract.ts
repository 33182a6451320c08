import { PlatformConfigError } from "../core/errors";
import { checkPrometheusLabelName, checkPrometheusMetricName } from "../core/validate";

/**
 * Which values of the request counter's status label mean a failed request:
 * listed values (`status="error"`) or HTTP status classes (`status_code=~"5.."`).
 */
export type ErrorMatch =
  | { readonly kind: "values"; readonly values: readonly string[] }
  | { readonly kind: "statusClasses"; readonly classes: readonly ("4xx" | "5xx")[] };

/** How a server counts requests and their outcome. */
export type RequestMetrics =
  /** One counter with an outcome label: prometheus_client, FastAPI instrumentator. */
  | {
      readonly kind: "statusLabel";
      /** Counter name, with its `_total` suffix as exposed. */
      readonly counter: string;
      readonly statusLabel: string;
      readonly errors: ErrorMatch;
    }
  /** Separate success and failure counters: NVIDIA Triton. */
  | { readonly kind: "successFailure"; readonly success: string; readonly failure: string }
  /**
   * A counter of every request and a separate counter of the failed ones (`requests_total` and
   * `request_errors_total`): the failures are counted in both.
   */
  | { readonly kind: "errorCounter"; readonly counter: string; readonly errorCounter: string }
  /**
   * A request counter with no outcome at all (`linly_talker_request_total{module}`): QPS and
   * autoscaling work, but no error ratio can be computed, so the service gets no error alerts and
   * no availability SLO (InferenceService warns at synth).
   */
  | { readonly kind: "noOutcome"; readonly counter: string };

/** How a server measures request latency. */
export type LatencyMetrics =
  /** A Prometheus histogram: base name without `_bucket`/`_sum`/`_count`. Quantiles are available. */
  | {
      readonly kind: "histogram";
      readonly name: string;
      readonly unit: "seconds" | "milliseconds";
      /**
       * The histogram's finite bucket bounds (`le`), in `unit`, as the server declares them. When
       * given, a latency SLO threshold must be one of them and a latency alert threshold must lie
       * below the largest (histogram_quantile never reports more than that bound), checked at synth.
       * @default - unknown: only checked on the cluster (InferenceSloLatencyBucketMissing)
       */
      readonly buckets?: readonly number[];
    }
  /** Cumulative duration and count counters (Triton): averages only, no quantiles. */
  | {
      readonly kind: "sumCount";
      readonly sum: string;
      readonly count: string;
      readonly unit: "seconds" | "milliseconds" | "microseconds";
    };

/**
 * A typed description of the metrics one model server exposes. Everything downstream
 * (alerts, recording rules, dashboards, autoscaling) builds its PromQL from this, never from a
 * hard-coded metric name.
 */
export interface MetricContract {
  /** Short name of the preset or "custom", shown in rule annotations and dashboards. */
  readonly flavour: string;
  readonly requests: RequestMetrics;
  readonly latency: LatencyMetrics;
  /** Gauge of requests waiting or in flight. @default - no queue alerts or panels */
  readonly queueDepth?: string;
  /** Gauge that is 1 once the model is loaded and ready. @default - no model-loaded alert */
  readonly modelLoaded?: string;
  /** Label naming the pipeline stage (ASR, LLM, TTS, animation) a sample belongs to. @default - no per-stage breakdown */
  readonly stageLabel?: string;
  /**
   * Extra label matchers on every request and latency series, e.g. `handler!="/metrics"` to keep
   * health checks and scrapes out of QPS. @default - none
   */
  readonly extraMatchers?: readonly SeriesMatcher[];
}

export interface SeriesMatcher {
  readonly label: string;
  readonly op: "=" | "!=" | "=~" | "!~";
  readonly value: string;
}

/** The labels that pin a series to one service: the ServiceMonitor gives every target both. */
export interface ServiceSelector {
  readonly namespace: string;
  /** Kubernetes Service name (the `service` label the ServiceMonitor attaches). */
  readonly service: string;
}

/** Default contract: the names an in-house server instrumented with prometheus_client would use. */
export const DEFAULT_METRIC_CONTRACT: MetricContract = {
  flavour: "default",
  requests: {
    kind: "statusLabel",
    counter: "inference_requests_total",
    statusLabel: "status",
    errors: { kind: "values", values: ["error"] },
  },
  latency: { kind: "histogram", name: "inference_request_duration_seconds", unit: "seconds" },
  queueDepth: "inference_queue_depth",
  modelLoaded: "inference_model_loaded",
};

/** Every metric name the contract references, for validation and scrape allow-lists. */
export function contractMetricNames(contract: MetricContract): string[] {
  const names: string[] = [];
  const r = contract.requests;
  if (r.kind === "successFailure") names.push(r.success, r.failure);
  else if (r.kind === "errorCounter") names.push(r.counter, r.errorCounter);
  else names.push(r.counter);
  const l = contract.latency;
  if (l.kind === "histogram") names.push(`${l.name}_bucket`, `${l.name}_sum`, `${l.name}_count`);
  else names.push(l.sum, l.count);
  if (contract.queueDepth) names.push(contract.queueDepth);
  if (contract.modelLoaded) names.push(contract.modelLoaded);
  return names;
}

/** Rejects a contract with invalid names or an empty error set; `prop` prefixes every message. */
export function validateMetricContract(scope: string, prop: string, contract: MetricContract): void {
  const r = contract.requests;
  if (r.kind === "statusLabel") {
    checkPrometheusMetricName(scope, `${prop}.requests.counter`, r.counter);
    checkPrometheusLabelName(scope, `${prop}.requests.statusLabel`, r.statusLabel);
    const errs = r.errors.kind === "values" ? r.errors.values : r.errors.classes;
    if (errs.length === 0) {
      throw new PlatformConfigError(
        scope,
        `${prop}.requests.errors`,
        errs,
        "must list at least one status value (or status class) that means an error",
      );
    }
    if (r.errors.kind === "values") {
      r.errors.values.forEach((v, i) => {
        if (v === "") throw new PlatformConfigError(scope, `${prop}.requests.errors.values[${i}]`, v, "must be a non-empty status value");
      });
    }
  } else if (r.kind === "successFailure") {
    checkPrometheusMetricName(scope, `${prop}.requests.success`, r.success);
    checkPrometheusMetricName(scope, `${prop}.requests.failure`, r.failure);
  } else if (r.kind === "errorCounter") {
    checkPrometheusMetricName(scope, `${prop}.requests.counter`, r.counter);
    checkPrometheusMetricName(scope, `${prop}.requests.errorCounter`, r.errorCounter);
    if (r.errorCounter === r.counter) {
      throw new PlatformConfigError(scope, `${prop}.requests.errorCounter`, r.errorCounter, "must differ from the request counter: it counts the failed requests only");
    }
  } else {
    checkPrometheusMetricName(scope, `${prop}.requests.counter`, r.counter);
  }
  const l = contract.latency;
  if (l.kind === "histogram") {
    checkPrometheusMetricName(scope, `${prop}.latency.name`, l.name);
    if (/_(bucket|sum|count)$/.test(l.name)) {
      throw new PlatformConfigError(scope, `${prop}.latency.name`, l.name, "must be the histogram's base name, without _bucket, _sum or _count");
    }
    if (l.buckets !== undefined) checkBuckets(scope, `${prop}.latency.buckets`, l.buckets);
  } else {
    checkPrometheusMetricName(scope, `${prop}.latency.sum`, l.sum);
    checkPrometheusMetricName(scope, `${prop}.latency.count`, l.count);
  }
  if (contract.queueDepth !== undefined) checkPrometheusMetricName(scope, `${prop}.queueDepth`, contract.queueDepth);
  if (contract.modelLoaded !== undefined) checkPrometheusMetricName(scope, `${prop}.modelLoaded`, contract.modelLoaded);
  if (contract.stageLabel !== undefined) checkPrometheusLabelName(scope, `${prop}.stageLabel`, contract.stageLabel);
  (contract.extraMatchers ?? []).forEach((m, i) => checkPrometheusLabelName(scope, `${prop}.extraMatchers[${i}].label`, m.label));
}

/** Bucket bounds as a server declares them: finite, positive, strictly increasing, at least one. */
export function checkBuckets(scope: string, prop: string, buckets: readonly number[]): void {
  if (buckets.length === 0) {
    throw new PlatformConfigError(scope, prop, buckets, "must list the histogram's finite bucket bounds (le values); leave it unset when unknown");
  }
  buckets.forEach((b, i) => {
    if (!Number.isFinite(b) || b <= 0) throw new PlatformConfigError(scope, `${prop}[${i}]`, b, "must be a finite bucket bound above 0 (+Inf is implied)");
    if (i > 0 && b <= buckets[i - 1]) {
      throw new PlatformConfigError(scope, `${prop}[${i}]`, b, `must be above the bound before it (${buckets[i - 1]}): bounds are listed in increasing order`);
    }
  });
}

/** True when the contract can tell failed requests from successful ones. */
export function hasRequestOutcome(contract: MetricContract): boolean {
  return contract.requests.kind !== "noOutcome";
}
