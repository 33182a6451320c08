import { MetricContracts } from "../../lib/contracts/presets";
import { MonitoringStack } from "../../lib/monitoring/monitoring-stack";
import { MetricsAuthOptions } from "../../lib/workload/inference-service";
import { platform, service } from "./fixture";

/**
 * A service's alerting options, SLOs, contract and domain metrics are checked in its constructor,
 * under its construct path and the option names its owner passed: the mistake fails where it was
 * made, not later in the rule packs with a position in a list.
 */
const detector = (extra: Partial<Parameters<typeof MetricContracts.prometheusClient>[0]> = {}) =>
  MetricContracts.prometheusClient({
    requestCounter: "phone_detection_requests_total",
    statusLabel: "status",
    errorValues: ["error"],
    latencyHistogram: "phone_detection_latency_seconds",
    latencyBuckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    ...extra,
  });

describe("InferenceService validates its monitoring options in its constructor", () => {
  test.each([
    [{ alerting: { p90Latency: { seconds: 1, for: "ten minutes" } } }, `platform/svc: 'alerting.p90Latency.for' must be a Prometheus duration such as 30s, 5m, 1h or 1h30m, got "ten minutes"`],
    [{ alerting: { errorRatioPercent: 0 } }, "platform/svc: 'alerting.errorRatioPercent' must be a percentage above 0 and at most 100, got 0"],
    [{ alerting: { errorRateFor: "5m" } }, `platform/svc: 'alerting.errorRateFor' only applies with alerting.errorRatePerSecond, got "5m"`],
    [{ slos: { availability: 99.5 } }, "platform/svc: 'slos.availability' must be a fraction strictly between 0 and 1, such as 0.995, got 99.5"],
  ])("%j", (options, message) => {
    expect(() => service(platform(), { metrics: detector(), ...options })).toThrow(message);
  });

  test("an SLO threshold between two declared buckets is an error at construction", () => {
    expect(() => service(platform(), { metrics: detector({ latencyBuckets: [0.25, 0.5, 1, 2.5] }), slos: { latency: { objective: 0.95, thresholdSeconds: 0.75 } } })).toThrow(
      "platform/svc: 'slos.latency.thresholdSeconds' must be a bucket bound of the latency histogram phone_detection_latency_seconds (declared 0.25, 0.5, 1, 2.5 seconds), else the SLO counts no request as fast enough; the nearest bounds are 0.5 and 1, got 0.75",
    );
  });

  test("a latency alert threshold at or above the largest bucket could never fire", () => {
    expect(() => service(platform(), { metrics: detector(), alerting: { p90Latency: { seconds: 5 } } })).toThrow(
      "platform/svc: 'alerting.p90Latency.seconds' must lie below the largest bucket: a quantile of phone_detection_latency_seconds never reads above its largest finite bucket (5 seconds), so the alert could never fire; lower it or declare larger buckets, got 5",
    );
    // A default derived from the objective is checked too, and the message says where it came from.
    expect(() => service(platform(), { metrics: detector(), slos: { latency: { objective: 0.95, thresholdSeconds: 2.5 } } })).toThrow(
      "platform/svc: 'alerting.slowUnderLoad.p95Seconds' must be set below the largest bucket: its default (2 × slos.latency.thresholdSeconds) is at or above it, and a quantile of phone_detection_latency_seconds never reads above its largest finite bucket (5 seconds), so the alert could never fire; set it or declare larger buckets, got 5",
    );
  });

  test("milliseconds histograms compare in their own unit", () => {
    const ms = detector({ latencyUnit: "milliseconds", latencyBuckets: [50, 100, 250, 500, 1000, 5000] });
    expect(() => service(platform(), { metrics: ms, slos: { latency: { objective: 0.95, thresholdSeconds: 0.25 } } })).not.toThrow();
    expect(() => service(platform(), { metrics: ms, slos: { latency: { objective: 0.95, thresholdSeconds: 0.3 } } })).toThrow("'slos.latency.thresholdSeconds' must be a bucket bound");
  });

  test("a contract without outcome rejects error options and the availability SLO, and warns", () => {
    const noOutcome = MetricContracts.prometheusClient({ requestCounter: "linly_talker_request_total", latencyHistogram: "linly_talker_latency_seconds" });
    expect(() => service(platform(), { metrics: noOutcome, slos: { availability: 0.99 } })).toThrow(
      "platform/svc: 'slos.availability' needs failed requests to be counted, but metrics counts requests without outcome; declare the outcome (a status label or an error counter) or remove slos.availability, got 0.99",
    );
    expect(() => service(platform(), { metrics: noOutcome, alerting: { errorRatePerSecond: 0.1 } })).toThrow("'alerting.errorRatePerSecond' needs failed requests to be counted");
    const f = platform();
    const svc = service(f, { metrics: noOutcome });
    expect(svc.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => m.data)).toEqual([
      "InferenceService 'detector': its request counter has no outcome (metrics 'prometheus_client'), so it gets no error-ratio alert and no availability SLO; declare a status label or an error counter to be alerted on failures.",
    ]);
  });

  test("domain metrics are named by metric in messages", () => {
    const m = { metric: "facefusion_gpu_memory_percent", kind: "gauge" as const, title: "GPU memory", unit: "percent" as const };
    expect(() => service(platform(), { metrics: detector(), domainMetrics: [{ ...m, warning: 95, critical: 80 }] })).toThrow(
      `platform/svc: 'domainMetrics["facefusion_gpu_memory_percent"].warning' must be below 'domainMetrics["facefusion_gpu_memory_percent"].critical' (80), got 95`,
    );
    expect(() => service(platform(), { metrics: detector(), domainMetrics: [{ ...m, kind: "counter" }] })).toThrow(
      `platform/svc: 'domainMetrics["facefusion_gpu_memory_percent"].metric' must end in _total for a counter (the name Prometheus stores); is it a gauge?, got "facefusion_gpu_memory_percent"`,
    );
    expect(() => service(platform(), { metrics: detector(), domainMetrics: [m, m] })).toThrow(
      `platform/svc: 'domainMetrics[*].metric' must hold unique names; this one appears more than once, got "facefusion_gpu_memory_percent"`,
    );
    expect(() => service(platform(), { metrics: detector(), domainMetrics: [{ ...m, for: "10m" }] })).toThrow("'domainMetrics[\"facefusion_gpu_memory_percent\"].for' only applies with a warning or critical threshold");
  });

  test("the domain metrics reach the catalog, typed for dashboards", () => {
    const f = platform();
    const domainMetrics = [{ metric: "phone_detection_objects_per_frame", kind: "gauge" as const, title: "Phones per frame", warning: 20 }];
    service(f, { metrics: detector(), domainMetrics });
    expect(f.catalog.services[0].domainMetrics).toEqual(domainMetrics);
  });
});

describe("prometheusClient outcome options", () => {
  const base = { requestCounter: "facefusion_requests_total", latencyHistogram: "facefusion_request_duration_seconds" };
  test("a separate error counter, or none, or a label: one of them", () => {
    expect(MetricContracts.prometheusClient({ ...base, errorCounter: "facefusion_request_errors_total" }).requests).toEqual({
      kind: "errorCounter",
      counter: "facefusion_requests_total",
      errorCounter: "facefusion_request_errors_total",
    });
    expect(MetricContracts.prometheusClient(base).requests).toEqual({ kind: "noOutcome", counter: "facefusion_requests_total" });
    expect(() => MetricContracts.prometheusClient({ ...base, statusLabel: "status", errorValues: ["error"], errorCounter: "facefusion_request_errors_total" })).toThrow(
      `MetricContracts.prometheusClient: 'errorCounter' must not be set with statusLabel: the outcome comes from a label or from a separate counter, not both, got "facefusion_request_errors_total"`,
    );
    expect(() => MetricContracts.prometheusClient({ ...base, errorValues: ["error"] })).toThrow(
      "MetricContracts.prometheusClient: 'statusLabel' must name the label that holds the outcome when errorValues is set, got undefined",
    );
    expect(() => MetricContracts.prometheusClient({ ...base, latencyBuckets: [1, 0.5] })).toThrow(
      "MetricContracts.prometheusClient: 'latencyBuckets[1]' must be above the bound before it (1): bounds are listed in increasing order, got 0.5",
    );
  });
});

describe("/metrics on the serving port", () => {
  const warnings = (svc: ReturnType<typeof service>) => svc.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => m.data);

  test("warns who can read the metrics, and recommends a separate metrics port", () => {
    expect(warnings(service(platform(), { metricsPort: "serving" }))).toEqual([
      `InferenceService 'detector' serves /metrics on its serving port (metricsPort "serving"): every namespace of the cluster can read its metrics, since a NetworkPolicy cannot tell paths apart; serve them on a separate metricsPort, which only the monitoring namespace may reach.`,
    ]);
    expect(warnings(service(platform(), { metricsPort: "serving", allowServingFrom: ["gateway"] }))).toEqual([
      `InferenceService 'detector' serves /metrics on its serving port (metricsPort "serving"): the namespaces gateway, monitoring can read its metrics, since a NetworkPolicy cannot tell paths apart; serve them on a separate metricsPort, which only the monitoring namespace may reach.`,
    ]);
    expect(warnings(service(platform(), { metricsPort: 9100 }))).toEqual([]);
  });
});

describe("scrapes that need credentials", () => {
  function monitors(metricsAuth: MetricsAuthOptions) {
    const f = platform();
    service(f, { metricsAuth });
    const m = new MonitoringStack(f.stack, "monitoring", { clusterName: "c", catalog: f.catalog, gpuPools: f.allPools, systemNodeLabels: { role: "system" }, storageClass: "gp3" });
    return m.helm.values.prometheus.additionalServiceMonitors;
  }

  test("Basic Auth from a Secret in the monitoring namespace, default keys", () => {
    expect(monitors({ basicAuth: { secretName: "detector-metrics" } })[0].endpoints).toEqual([
      {
        port: "metrics",
        path: "/metrics",
        basicAuth: { username: { name: "detector-metrics", key: "username" }, password: { name: "detector-metrics", key: "password" } },
      },
    ]);
  });

  test("a bearer token as the endpoint's authorization", () => {
    expect(monitors({ bearerToken: { secretName: "detector-metrics", key: "scrape-token" } })[0].endpoints[0].authorization).toEqual({
      type: "Bearer",
      credentials: { name: "detector-metrics", key: "scrape-token" },
    });
  });

  test("names and keys are checked in the constructor", () => {
    expect(() => service(platform(), { metricsAuth: { basicAuth: { secretName: "Detector_Metrics" } } })).toThrow(
      `platform/svc: 'metricsAuth.basicAuth.secretName' must be the name of a Secret (a DNS-1123 subdomain: a-z, 0-9, '-' and '.'), got "Detector_Metrics"`,
    );
    expect(() => service(platform(), { metricsAuth: { bearerToken: { secretName: "s", key: "a/b" } } })).toThrow(
      `platform/svc: 'metricsAuth.bearerToken.key' must be a Secret key (letters, digits, '-', '_' and '.'), got "a/b"`,
    );
  });
});
