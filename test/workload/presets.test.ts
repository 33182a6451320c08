import { DEFAULT_METRIC_CONTRACT, MetricContract, contractMetricNames } from "../../lib/contracts/metric-contract";
import { MetricContracts } from "../../lib/contracts/presets";
import { errorMatcher, errorRatio, latencyAverage, latencyQuantile, requestRate, serviceGauge } from "../../lib/contracts/promql";
import { promqlErrors } from "./promql-parse";

const svc = { namespace: "inference", service: "api" };

/** True when the contract's error matcher selects this status value, as Prometheus would (anchored regex). */
function isError(contract: MetricContract, status: string): boolean {
  const m = errorMatcher(contract)!;
  return m.op === "=" ? m.value === status : new RegExp(`^(?:${m.value})$`).test(status);
}

describe("MetricContracts", () => {
  test("default() is the platform's own contract", () => {
    expect(MetricContracts.default()).toBe(DEFAULT_METRIC_CONTRACT);
  });

  describe("prometheusClient", () => {
    const detector = MetricContracts.prometheusClient({
      requestCounter: "phone_detection_requests_total",
      statusLabel: "status",
      errorValues: ["error", "timeout"],
      latencyHistogram: "phone_detection_latency_seconds",
    });

    test("takes the team's names; errors are the listed status values; seconds by default", () => {
      expect(detector.requests).toEqual({
        kind: "statusLabel",
        counter: "phone_detection_requests_total",
        statusLabel: "status",
        errors: { kind: "values", values: ["error", "timeout"] },
      });
      expect(detector.latency).toEqual({ kind: "histogram", name: "phone_detection_latency_seconds", unit: "seconds" });
      expect(isError(detector, "timeout")).toBe(true);
      expect(isError(detector, "ok")).toBe(false);
      expect(detector.stageLabel).toBeUndefined();
    });

    test("stage label, gauges and milliseconds are passed through", () => {
      const pipeline = MetricContracts.prometheusClient({
        requestCounter: "talking_head_requests_total",
        statusLabel: "result",
        errorValues: ["failed"],
        latencyHistogram: "talking_head_stage_latency_ms",
        latencyUnit: "milliseconds",
        queueDepth: "talking_head_queue_depth",
        modelLoaded: "talking_head_model_loaded",
        stageLabel: "module",
      });
      expect(pipeline.stageLabel).toBe("module");
      expect(pipeline.queueDepth).toBe("talking_head_queue_depth");
      expect(pipeline.modelLoaded).toBe("talking_head_model_loaded");
      expect(latencyAverage(pipeline, svc, "5m")).toContain("* 0.001");
    });

    test("a counter name without _total is rejected: prometheus_client always appends it", () => {
      expect(() =>
        MetricContracts.prometheusClient({
          requestCounter: "phone_detection_requests",
          statusLabel: "status",
          errorValues: ["error"],
          latencyHistogram: "phone_detection_latency_seconds",
        }),
      ).toThrow(
        `MetricContracts.prometheusClient: 'requestCounter' must be the counter's exposed name ending in _total (prometheus_client appends it to every Counter), got "phone_detection_requests"`,
      );
    });

    test("an invalid metric name is rejected with the prop and the value", () => {
      expect(() =>
        MetricContracts.prometheusClient({
          requestCounter: "phone_detection_requests_total",
          statusLabel: "status",
          errorValues: ["error"],
          latencyHistogram: "phone-detection-latency",
        }),
      ).toThrow(`MetricContracts.prometheusClient: 'latencyHistogram' must be a valid Prometheus metric name matching [a-zA-Z_:][a-zA-Z0-9_:]*, got "phone-detection-latency"`);
    });

    test("an empty set of error values is rejected", () => {
      expect(() =>
        MetricContracts.prometheusClient({
          requestCounter: "phone_detection_requests_total",
          statusLabel: "status",
          errorValues: [],
          latencyHistogram: "phone_detection_latency_seconds",
        }),
      ).toThrow(
        "MetricContracts.prometheusClient: 'errorValues' must list at least one value of the 'status' label that means a failed request; without an outcome label, leave statusLabel unset, got []",
      );
    });
  });

  describe("fastapiInstrumentator", () => {
    const api = MetricContracts.fastapiInstrumentator();

    test("http_requests_total with label `status` (not status_code); 5xx errors in grouped or raw form", () => {
      expect(api.requests).toEqual({
        kind: "statusLabel",
        counter: "http_requests_total",
        statusLabel: "status",
        errors: { kind: "statusClasses", classes: ["5xx"] },
      });
      expect(isError(api, "5xx")).toBe(true);
      expect(isError(api, "503")).toBe(true);
      expect(isError(api, "4xx")).toBe(false);
      expect(isError(api, "2xx")).toBe(false);
    });

    test("latency from the high-resolution histogram; scrapes and probes left out of QPS", () => {
      expect(api.latency).toEqual({ kind: "histogram", name: "http_request_duration_highr_seconds", unit: "seconds" });
      expect(requestRate(api, svc, "1m")).toBe(
        'sum(rate(http_requests_total{namespace="inference", service="api", handler!~"/metrics|/healthz|/ready"}[1m]))',
      );
      expect(api.queueDepth).toBeUndefined();
    });

    test("namespace/subsystem prefix, excluded handlers and in-progress gauge are configurable", () => {
      const custom = MetricContracts.fastapiInstrumentator({
        metricNamespace: "faceswap",
        metricSubsystem: "api",
        excludedHandlers: ["/metrics", "/v1/health.json"],
        inProgressGauge: "http_requests_inprogress",
      });
      expect(contractMetricNames(custom)).toContain("faceswap_api_http_requests_total");
      expect(contractMetricNames(custom)).toContain("faceswap_api_http_request_duration_highr_seconds_bucket");
      expect(custom.extraMatchers).toEqual([{ label: "handler", op: "!~", value: "/metrics|/v1/health\\.json" }]);
      expect(custom.queueDepth).toBe("http_requests_inprogress");
      expect(MetricContracts.fastapiInstrumentator({ excludedHandlers: [] }).extraMatchers).toBeUndefined();
    });
  });

  describe("triton", () => {
    const triton = MetricContracts.triton();

    test("separate success/failure counters, microsecond sum/count latency, pending requests as queue", () => {
      expect(triton.requests).toEqual({
        kind: "successFailure",
        success: "nv_inference_request_success",
        failure: "nv_inference_request_failure",
      });
      expect(triton.latency).toEqual({
        kind: "sumCount",
        sum: "nv_inference_request_duration_us",
        count: "nv_inference_request_success",
        unit: "microseconds",
      });
      expect(triton.queueDepth).toBe("nv_inference_pending_request_count");
      expect(triton.stageLabel).toBe("model");
      expect(latencyQuantile(triton, svc, 0.95, "5m")).toBeUndefined();
      expect(latencyAverage(triton, svc, "5m")).toContain("* 0.000001");
    });

    test("model option counts one model only (ensembles count composing models again)", () => {
      expect(triton.extraMatchers).toBeUndefined();
      const ensemble = MetricContracts.triton({ model: "talking_head" });
      expect(requestRate(ensemble, svc, "1m")).toContain('nv_inference_request_success{namespace="inference", service="api", model="talking_head"}');
    });
  });

  describe("vllm", () => {
    const vllm = MetricContracts.vllm();

    test("requests and 5xx from the HTTP instrumentator, e2e latency histogram, waiting queue", () => {
      expect(vllm.requests).toEqual({
        kind: "statusLabel",
        counter: "http_requests_total",
        statusLabel: "status",
        errors: { kind: "statusClasses", classes: ["5xx"] },
      });
      expect(vllm.latency).toEqual({ kind: "histogram", name: "vllm:e2e_request_latency_seconds", unit: "seconds" });
      expect(vllm.queueDepth).toBe("vllm:num_requests_waiting");
      expect(vllm.modelLoaded).toBeUndefined();
    });

    test("non-inference handlers are excluded with a negative matcher, which keeps the vllm:* histogram", () => {
      expect(vllm.extraMatchers).toEqual([{ label: "handler", op: "!~", value: "/v1/models|/tokenize|/detokenize" }]);
      expect(latencyQuantile(vllm, svc, 0.95, "5m")).toContain('vllm:e2e_request_latency_seconds_bucket{namespace="inference", service="api", handler!~');
    });
  });

  test.each([
    ["default", MetricContracts.default()],
    ["fastapiInstrumentator", MetricContracts.fastapiInstrumentator()],
    ["triton", MetricContracts.triton({ model: "ensemble" })],
    ["vllm", MetricContracts.vllm()],
    [
      "prometheusClient",
      MetricContracts.prometheusClient({
        requestCounter: "phone_detection_requests_total",
        statusLabel: "status",
        errorValues: ["error"],
        latencyHistogram: "phone_detection_latency_seconds",
        stageLabel: "module",
      }),
    ],
  ])("%s: every query built from it parses as PromQL", (_name, contract) => {
    const queries = [
      requestRate(contract, svc, "5m", ["pod"]),
      errorRatio(contract, svc, "5m"),
      latencyAverage(contract, svc, "5m"),
      latencyQuantile(contract, svc, 0.95, "5m") ?? "vector(0)",
      serviceGauge(contract, svc, contract.queueDepth ?? "up"),
    ];
    for (const q of queries) expect(promqlErrors(q)).toEqual([]);
  });
});
