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
  | { readonly kind: "successFailure"; readonly success: string; readonly failure: string };

/** How a server measures request latency. */
export type LatencyMetrics =
  /** A Prometheus histogram: base name without `_bucket`/`_sum`/`_count`. Quantiles are available. */
  | { readonly kind: "histogram"; readonly name: string; readonly unit: "seconds" | "milliseconds" }
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
  if (r.kind === "statusLabel") names.push(r.counter);
  else names.push(r.success, r.failure);
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
  } else {
    checkPrometheusMetricName(scope, `${prop}.requests.success`, r.success);
    checkPrometheusMetricName(scope, `${prop}.requests.failure`, r.failure);
  }
  const l = contract.latency;
  if (l.kind === "histogram") {
    checkPrometheusMetricName(scope, `${prop}.latency.name`, l.name);
    if (/_(bucket|sum|count)$/.test(l.name)) {
      throw new PlatformConfigError(scope, `${prop}.latency.name`, l.name, "must be the histogram's base name, without _bucket, _sum or _count");
    }
  } else {
    checkPrometheusMetricName(scope, `${prop}.latency.sum`, l.sum);
    checkPrometheusMetricName(scope, `${prop}.latency.count`, l.count);
  }
  if (contract.queueDepth !== undefined) checkPrometheusMetricName(scope, `${prop}.queueDepth`, contract.queueDepth);
  if (contract.modelLoaded !== undefined) checkPrometheusMetricName(scope, `${prop}.modelLoaded`, contract.modelLoaded);
  if (contract.stageLabel !== undefined) checkPrometheusLabelName(scope, `${prop}.stageLabel`, contract.stageLabel);
  (contract.extraMatchers ?? []).forEach((m, i) => checkPrometheusLabelName(scope, `${prop}.extraMatchers[${i}].label`, m.label));
}
