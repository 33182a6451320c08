import { PlatformConfigError } from "../core/errors";
import { checkPrometheusLabelName, checkPrometheusMetricName } from "../core/validate";
import {
  checkBuckets,
  DEFAULT_METRIC_CONTRACT,
  SeriesMatcher,
  LatencyMetrics,
  MetricContract,
  RequestMetrics,
  validateMetricContract,
} from "./metric-contract";

/**
 * Metric contracts of the model servers our users run, with names checked against upstream
 * source (links in each method). Every preset is validated with `validateMetricContract` before it
 * is returned, so a bad option fails where the contract is built, not at synth of a rule.
 */

/** A custom server instrumented with the Python `prometheus_client` library. */
export interface PrometheusClientContractOptions {
  /**
   * Request counter as Prometheus sees it. `prometheus_client` always exposes a Counter with a
   * `_total` suffix (`Counter("phone_detection_requests", ...)` is scraped as
   * `phone_detection_requests_total`), so the name must end in `_total`.
   */
  readonly requestCounter: string;
  /**
   * Label of the counter holding the outcome, e.g. `status`; set with `errorValues`.
   * @default - no outcome label: see `errorCounter`
   */
  readonly statusLabel?: string;
  /** Values of `statusLabel` that mean a failed request, e.g. `["error", "timeout"]`. @default - none */
  readonly errorValues?: readonly string[];
  /**
   * A separate counter of failed requests (`..._errors_total`), for servers that count failures
   * apart; `requestCounter` then counts every request. With neither `statusLabel` nor
   * `errorCounter`, requests have no outcome: QPS, latency and autoscaling work, error alerts and
   * the availability SLO do not (InferenceService warns).
   * @default - none
   */
  readonly errorCounter?: string;
  /** Histogram base name (without `_bucket`/`_sum`/`_count`), e.g. `phone_detection_latency_seconds`. */
  readonly latencyHistogram: string;
  /** @default "seconds" (the Prometheus base unit; prometheus_client's `Histogram.time()` observes seconds) */
  readonly latencyUnit?: "seconds" | "milliseconds";
  /**
   * The histogram's `buckets=` as the code declares them, in `latencyUnit`: SLO and latency alert
   * thresholds are then checked against them at synth. @default - unknown
   */
  readonly latencyBuckets?: readonly number[];
  /** Gauge of queued or in-flight requests. @default - none */
  readonly queueDepth?: string;
  /** Gauge that is 1 once the model is loaded. @default - none */
  readonly modelLoaded?: string;
  /** Label naming the pipeline stage, e.g. `module` for ASR/LLM/TTS/animation. @default - none */
  readonly stageLabel?: string;
  /** Extra matchers on every request and latency series. @default - none */
  readonly extraMatchers?: readonly SeriesMatcher[];
}

/** A FastAPI app instrumented with prometheus-fastapi-instrumentator's default metrics. */
export interface FastapiInstrumentatorContractOptions {
  /** `metric_namespace` passed to `Instrumentator.instrument()`. @default - none */
  readonly metricNamespace?: string;
  /** `metric_subsystem` passed to `Instrumentator.instrument()`. @default - none */
  readonly metricSubsystem?: string;
  /**
   * Handlers (route templates) left out of QPS, error ratio and latency. The instrumentator
   * instruments its own `/metrics` route unless `excluded_handlers` says otherwise.
   * @default ["/metrics", "/healthz", "/ready"] (the scrape and InferenceService's default probe paths)
   */
  readonly excludedHandlers?: readonly string[];
  /**
   * Name of the in-progress gauge, when the app sets `should_instrument_requests_inprogress=True`
   * (off by default upstream; the upstream default name is `http_requests_inprogress`).
   * @default - no queue-depth metric
   */
  readonly inProgressGauge?: string;
  /** Label naming the pipeline stage, when the app adds one. @default - none */
  readonly stageLabel?: string;
}

export interface TritonContractOptions {
  /**
   * Count only this model (the ensemble a client calls). Triton counts a request once for an
   * ensemble and once more for every composing model, so summing over all models overcounts.
   * @default - every model the server hosts
   */
  readonly model?: string;
}

export interface VllmContractOptions {
  /**
   * HTTP handlers that are not inference and stay out of QPS. vLLM already excludes
   * `/metrics`, `/health`, `/load`, `/ping`, `/version` and `/server_info` from its instrumentator.
   * @default ["/v1/models", "/tokenize", "/detokenize"]
   */
  readonly nonInferenceHandlers?: readonly string[];
}

const DEFAULT_FASTAPI_EXCLUDED = ["/metrics", "/healthz", "/ready"];
const DEFAULT_VLLM_NON_INFERENCE = ["/v1/models", "/tokenize", "/detokenize"];

export class MetricContracts {
  /** The platform's own names (`inference_requests_total{status="error"}`...). */
  public static default(): MetricContract {
    return DEFAULT_METRIC_CONTRACT;
  }

  /**
   * A server instrumented by hand with `prometheus_client`: one counter with an outcome label and
   * one histogram, names chosen by the team. Example, the phone detector:
   * `prometheusClient({ requestCounter: "phone_detection_requests_total", statusLabel: "status",
   * errorValues: ["error"], latencyHistogram: "phone_detection_latency_seconds" })`.
   */
  public static prometheusClient(options: PrometheusClientContractOptions): MetricContract {
    const scope = "MetricContracts.prometheusClient";
    if (!options.requestCounter.endsWith("_total")) {
      throw new PlatformConfigError(
        scope,
        "requestCounter",
        options.requestCounter,
        "must be the counter's exposed name ending in _total (prometheus_client appends it to every Counter)",
      );
    }
    // Under the option names the caller used; `checked` below is the contract-level safety net.
    checkPrometheusMetricName(scope, "requestCounter", options.requestCounter);
    if (options.errorCounter !== undefined) checkPrometheusMetricName(scope, "errorCounter", options.errorCounter);
    if (options.statusLabel !== undefined) checkPrometheusLabelName(scope, "statusLabel", options.statusLabel);
    checkPrometheusMetricName(scope, "latencyHistogram", options.latencyHistogram);
    if (/_(bucket|sum|count)$/.test(options.latencyHistogram)) {
      throw new PlatformConfigError(scope, "latencyHistogram", options.latencyHistogram, "must be the histogram's base name, without _bucket, _sum or _count");
    }
    if (options.latencyBuckets !== undefined) checkBuckets(scope, "latencyBuckets", options.latencyBuckets);
    if (options.queueDepth !== undefined) checkPrometheusMetricName(scope, "queueDepth", options.queueDepth);
    if (options.modelLoaded !== undefined) checkPrometheusMetricName(scope, "modelLoaded", options.modelLoaded);
    if (options.stageLabel !== undefined) checkPrometheusLabelName(scope, "stageLabel", options.stageLabel);
    return checked(scope, {
      flavour: "prometheus_client",
      requests: clientRequests(scope, options),
      latency: {
        kind: "histogram",
        name: options.latencyHistogram,
        unit: options.latencyUnit ?? "seconds",
        ...(options.latencyBuckets !== undefined && { buckets: options.latencyBuckets }),
      },
      queueDepth: options.queueDepth,
      modelLoaded: options.modelLoaded,
      stageLabel: options.stageLabel,
      extraMatchers: options.extraMatchers,
    });
  }

  /**
   * prometheus-fastapi-instrumentator's `metrics.default()` (trallnag/prometheus-fastapi-instrumentator,
   * src/prometheus_fastapi_instrumentator/metrics.py and middleware.py):
   * - `http_requests_total{method, status, handler}`. The label is `status`, not `status_code`, and
   *   holds "2xx"/"5xx" by default (`should_group_status_codes=True`) or the raw code when grouping is
   *   off; the error matcher `status=~"5.."` matches both forms.
   * - `http_request_duration_highr_seconds`: histogram with 21 buckets (10 ms to 60 s) and no labels,
   *   used for latency because quantiles and SLO thresholds need buckets. The per-handler
   *   `http_request_duration_seconds` has only 0.1/0.5/1 s buckets, useless for a 3 s P95.
   *   Its lack of a `handler` label means excluded handlers are only kept out of latency when the
   *   app passes them in `excluded_handlers`; the negative matcher below is a no-op on it.
   */
  public static fastapiInstrumentator(options: FastapiInstrumentatorContractOptions = {}): MetricContract {
    const prefix = [options.metricNamespace, options.metricSubsystem].filter((p) => p !== undefined && p !== "").join("_");
    const name = (base: string) => (prefix ? `${prefix}_${base}` : base);
    return checked("MetricContracts.fastapiInstrumentator", {
      flavour: "fastapi-instrumentator",
      requests: instrumentatorRequests(name("http_requests_total")),
      latency: { kind: "histogram", name: name("http_request_duration_highr_seconds"), unit: "seconds" },
      queueDepth: options.inProgressGauge,
      stageLabel: options.stageLabel,
      extraMatchers: excludeHandlers(options.excludedHandlers ?? DEFAULT_FASTAPI_EXCLUDED),
    });
  }

  /**
   * NVIDIA Triton (triton-inference-server/server docs/user_guide/metrics.md), metrics port 8002:
   * - `nv_inference_request_success` and `nv_inference_request_failure` (the latter with a `reason`
   *   label REJECTED/CANCELED/BACKEND/OTHER in recent releases): separate counters, each request
   *   counted once even when it carries a batch. `nv_inference_count` counts inferences (batch
   *   items), which is not QPS.
   * - Latency: only cumulative counters by default, in microseconds:
   *   `nv_inference_request_duration_us` over `nv_inference_request_success` (the doc pairs them)
   *   gives the average; there is no request-latency histogram, so no quantiles.
   * - `nv_inference_pending_request_count`: requests waiting for a model instance (queue size).
   * - Per-model `model` label: used as the stage label (composing models of an ensemble).
   * No model-loaded gauge exists; readiness is Triton's `/v2/health/ready`.
   */
  public static triton(options: TritonContractOptions = {}): MetricContract {
    const latency: LatencyMetrics = {
      kind: "sumCount",
      sum: "nv_inference_request_duration_us",
      count: "nv_inference_request_success",
      unit: "microseconds",
    };
    return checked("MetricContracts.triton", {
      flavour: "triton",
      requests: { kind: "successFailure", success: "nv_inference_request_success", failure: "nv_inference_request_failure" },
      latency,
      queueDepth: "nv_inference_pending_request_count",
      stageLabel: "model",
      extraMatchers: options.model === undefined ? undefined : [{ label: "model", op: "=", value: options.model }],
    });
  }

  /**
   * vLLM's OpenAI-compatible server (vllm/v1/metrics/loggers.py and
   * vllm/entrypoints/serve/instrumentator/metrics.py), all on the serving port's `/metrics`:
   * - Requests and errors come from the HTTP layer: vLLM mounts prometheus-fastapi-instrumentator,
   *   so `http_requests_total{handler, method, status}` counts every request that reached the API,
   *   and `status=~"5.."` catches engine failures (finished_reason "error" is always turned into a
   *   500), a dead engine and overload. `vllm:request_success_total{finished_reason}` is not used:
   *   it only sees requests that reached the engine, its reasons stop/length/abort/error/repetition
   *   mix client aborts with failures, and requests rejected before the engine (validation,
   *   context too long, overload) never appear in it. 4xx are client errors and do not count.
   * - Latency: `vllm:e2e_request_latency_seconds` histogram (engine end-to-end, seconds).
   * - Queue: `vllm:num_requests_waiting` gauge.
   * vLLM has no model-loaded gauge: it serves HTTP only once the model is loaded.
   */
  public static vllm(options: VllmContractOptions = {}): MetricContract {
    return checked("MetricContracts.vllm", {
      flavour: "vllm",
      requests: instrumentatorRequests("http_requests_total"),
      latency: { kind: "histogram", name: "vllm:e2e_request_latency_seconds", unit: "seconds" },
      queueDepth: "vllm:num_requests_waiting",
      // A negative matcher: the vllm:* histogram has no `handler` label and still matches.
      extraMatchers: excludeHandlers(options.nonInferenceHandlers ?? DEFAULT_VLLM_NON_INFERENCE),
    });
  }

  private constructor() {}
}

/**
 * prometheus-fastapi-instrumentator's request counter (vLLM mounts the same instrumentator): label
 * `status`, "5xx" when grouped (the default) or "503" when not; `status=~"5.."` matches both.
 */
function instrumentatorRequests(counter: string): RequestMetrics {
  return { kind: "statusLabel", counter, statusLabel: "status", errors: { kind: "statusClasses", classes: ["5xx"] } };
}

/** The outcome of a prometheus_client counter, checked under the preset's own option names. */
function clientRequests(scope: string, o: PrometheusClientContractOptions): RequestMetrics {
  if (o.statusLabel !== undefined || o.errorValues !== undefined) {
    if (o.errorCounter !== undefined) {
      throw new PlatformConfigError(scope, "errorCounter", o.errorCounter, "must not be set with statusLabel: the outcome comes from a label or from a separate counter, not both");
    }
    if (o.statusLabel === undefined) throw new PlatformConfigError(scope, "statusLabel", undefined, "must name the label that holds the outcome when errorValues is set");
    if (o.errorValues === undefined || o.errorValues.length === 0) {
      throw new PlatformConfigError(
        scope,
        "errorValues",
        o.errorValues,
        `must list at least one value of the '${o.statusLabel}' label that means a failed request; without an outcome label, leave statusLabel unset`,
      );
    }
    o.errorValues.forEach((v, i) => {
      if (v === "") throw new PlatformConfigError(scope, `errorValues[${i}]`, v, "must be a non-empty label value");
    });
    return { kind: "statusLabel", counter: o.requestCounter, statusLabel: o.statusLabel, errors: { kind: "values", values: o.errorValues } };
  }
  if (o.errorCounter !== undefined) {
    if (!o.errorCounter.endsWith("_total")) {
      throw new PlatformConfigError(scope, "errorCounter", o.errorCounter, "must be the counter's exposed name ending in _total (prometheus_client appends it to every Counter)");
    }
    return { kind: "errorCounter", counter: o.requestCounter, errorCounter: o.errorCounter };
  }
  return { kind: "noOutcome", counter: o.requestCounter };
}

function checked(scope: string, contract: MetricContract): MetricContract {
  validateMetricContract(scope, "contract", contract);
  return contract;
}

/**
 * One negative regex matcher on `handler`. Negative, so series without a `handler` label (the
 * latency histograms) still match.
 */
function excludeHandlers(handlers: readonly string[]): SeriesMatcher[] | undefined {
  if (handlers.length === 0) return undefined;
  return [{ label: "handler", op: "!~", value: handlers.map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|") }];
}
