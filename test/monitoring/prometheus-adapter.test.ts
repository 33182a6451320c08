import { Testing } from "cdktf";
import { Construct } from "constructs";
import { MonitoringCatalog } from "../../lib/contracts/monitoring-catalog";
import { monitoringLabelContract } from "../../lib/contracts/monitoring-labels";
import { MetricContracts } from "../../lib/contracts/presets";
import { PrometheusAdapter, PrometheusAdapterValues } from "../../lib/monitoring/prometheus-adapter";
import { AdapterCustomRule, adapterRequestRateQuery, adapterRuleProblems } from "../../lib/monitoring/private/adapter-rules";
import { registerPodsMetricConsumer } from "../../lib/contracts/autoscaling-agreement";
import { CHARTS } from "../../lib/versions";
import { PlatformFixture, SYSTEM_NODE_SELECTOR, expectResource, helmValues, platform, service } from "../workload/fixture";
import { promqlErrors } from "../workload/promql-parse";

function adapter(f: PlatformFixture, options: Partial<ConstructorParameters<typeof PrometheusAdapter>[2]> = {}, id = "adapter") {
  return new PrometheusAdapter(f.stack, id, { catalog: f.catalog, nodeSelector: SYSTEM_NODE_SELECTOR, ...options });
}

type Values = PrometheusAdapterValues;

/** The adapter's placeholders as it fills them for a Pods query on two pods of `namespace`. */
function substitute(query: string, series: string, namespace: string): string {
  return query
    .split("<<.Series>>")
    .join(series)
    .split("<<.LabelMatchers>>")
    .join(`namespace="${namespace}",pod=~"detector-7d9f-abcde|detector-7d9f-fghij"`)
    .split("<<.GroupBy>>")
    .join("pod");
}

describe("PrometheusAdapter defaults", () => {
  const f = platform();
  service(f);
  service(f, { name: "batch", autoscaling: false }, "batch");
  adapter(f);
  const json = Testing.synth(f.stack, true);
  const values = helmValues(json, "prometheus-adapter") as unknown as Values;

  test("pinned chart in the monitoring namespace", () => {
    expectResource(json, "helm_release", {
      name: "prometheus-adapter",
      namespace: "monitoring",
      chart: CHARTS.prometheusAdapter.chart,
      repository: CHARTS.prometheusAdapter.repository,
      version: CHARTS.prometheusAdapter.version,
    });
  });

  test("points at the kube-prometheus-stack Prometheus of the catalog's label contract", () => {
    expect(values.prometheus).toEqual({ url: "http://kube-prometheus-stack-prometheus.monitoring.svc", port: 9090, path: "" });
  });

  test("two replicas with a PDB, on the system pool, non-root, small resources", () => {
    expect(values.replicas).toBe(2);
    expect(values.podDisruptionBudget).toEqual({ enabled: true, maxUnavailable: 1 });
    expect(values.nodeSelector).toEqual(SYSTEM_NODE_SELECTOR);
    expect(values.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(values.resources).toEqual({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } });
  });

  test("default rules off; one custom rule per autoscaled service, none for the fixed one", () => {
    expect(values.rules.default).toBe(false);
    expect(values.rules.custom).toEqual([
      {
        seriesQuery: 'inference_requests_total{namespace="inference", service="detector"}',
        resources: { overrides: { namespace: { resource: "namespace" }, pod: { resource: "pod" } } },
        name: { matches: "^inference_requests_total$", as: "detector_requests_per_second" },
        metricsQuery: 'sum by (<<.GroupBy>>)(rate(inference_requests_total{<<.LabelMatchers>>, service="detector"}[2m]))',
      },
    ]);
  });

});

describe("PrometheusAdapter overrides", () => {
  test("URL, port, rate window, single replica, namespace, resources", () => {
    const f = platform();
    service(f);
    adapter(f, {
      prometheusUrl: "http://thanos-query.monitoring.svc",
      prometheusPort: 10902,
      rateWindow: "1m",
      replicas: 1,
      namespace: "custom-metrics",
      resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { memory: "1Gi" } },
    });
    const json = Testing.synth(f.stack, true);
    const values = helmValues(json, "prometheus-adapter") as unknown as Values;
    expect(values.prometheus).toEqual({ url: "http://thanos-query.monitoring.svc", port: 10902, path: "" });
    expect(values.replicas).toBe(1);
    expect(values.podDisruptionBudget.enabled).toBe(false);
    expect(values.resources.limits.memory).toBe("1Gi");
    expect(values.rules.custom[0].metricsQuery).toContain("[1m]");
    expectResource(json, "helm_release", { name: "prometheus-adapter", namespace: "custom-metrics" });
  });

  test("the Prometheus URL follows kube-prometheus-stack's fullname rule for other release names", () => {
    const url = (release: string) => adapter(platform(), { catalog: new MonitoringCatalog(monitoringLabelContract(release, "observability")) }).prometheusUrl;
    expect(url("obs-kube-prometheus-stack")).toBe("http://obs-kube-prometheus-stack-prometheus.observability.svc");
    // "prometheus-kube-prometheus-stack" cut to 26 characters: the well-known prometheus-kube-prometheus-prometheus.
    expect(url("prometheus")).toBe("http://prometheus-kube-prometheus-prometheus.observability.svc");
  });

  test("rules are generated lazily: a service added after the adapter gets its rule", () => {
    const f = platform();
    const a = adapter(f);
    service(f, { name: "late" });
    expect(a.rules().map((r) => r.name.as)).toEqual(["late_requests_per_second"]);
    expect(() => Testing.synth(f.stack, true)).not.toThrow();
  });
});

describe("PrometheusAdapter rules from each contract", () => {
  const f = platform();
  service(f, { name: "triton", metrics: MetricContracts.triton({ model: "ensemble" }), metricsPort: 8002, containerPort: 8000 }, "triton");
  service(f, { name: "llm", metrics: MetricContracts.vllm(), metricsPort: "serving", containerPort: 8000 }, "llm");
  service(f, { name: "faceswap", namespace: "apps", metrics: MetricContracts.fastapiInstrumentator(), metricsPort: "serving" }, "faceswap");
  service(
    f,
    {
      name: "talking-head",
      metrics: MetricContracts.prometheusClient({
        requestCounter: "talking_head_requests_total",
        statusLabel: "status",
        errorValues: ["error"],
        latencyHistogram: "talking_head_latency_seconds",
        stageLabel: "module",
      }),
    },
    "talking-head",
  );
  const rules = adapter(f).rules();
  const byName = Object.fromEntries(rules.map((r) => [r.name.as, r]));

  test("Triton: success plus failure per pod, discovered by the success counter, one model only", () => {
    expect(byName.triton_requests_per_second).toEqual({
      seriesQuery: 'nv_inference_request_success{namespace="inference", service="triton", model="ensemble"}',
      resources: { overrides: { namespace: { resource: "namespace" }, pod: { resource: "pod" } } },
      name: { matches: "^nv_inference_request_success$", as: "triton_requests_per_second" },
      metricsQuery:
        '(sum by (<<.GroupBy>>)(rate(nv_inference_request_success{<<.LabelMatchers>>, service="triton", model="ensemble"}[2m])) + sum by (<<.GroupBy>>)(rate(nv_inference_request_failure{<<.LabelMatchers>>, service="triton", model="ensemble"}[2m])))',
    });
  });

  test("vLLM and FastAPI: the HTTP counter without non-inference handlers; names with dashes become underscores", () => {
    expect(byName.llm_requests_per_second.metricsQuery).toBe(
      'sum by (<<.GroupBy>>)(rate(http_requests_total{<<.LabelMatchers>>, service="llm", handler!~"/v1/models|/tokenize|/detokenize"}[2m]))',
    );
    expect(byName.faceswap_requests_per_second.seriesQuery).toBe(
      'http_requests_total{namespace="apps", service="faceswap", handler!~"/metrics|/healthz|/ready"}',
    );
    expect(byName.talking_head_requests_per_second.name).toEqual({ matches: "^talking_head_requests_total$", as: "talking_head_requests_per_second" });
  });

  test.each(rules.map((r) => [r.name.as, r] as const))("%s: metricsQuery with the placeholders filled parses as PromQL", (_name, rule) => {
    const filled = substitute(rule.metricsQuery, rule.name.matches.slice(1, -1), "inference");
    expect(filled).not.toContain("<<");
    expect(promqlErrors(filled)).toEqual([]);
    expect(promqlErrors(rule.seriesQuery)).toEqual([]);
  });

  test("the parse check bites: the template itself, unfilled, is not PromQL", () => {
    expect(promqlErrors(rules[0].metricsQuery).length).toBeGreaterThan(0);
  });

  test("the query selects the HPA's pods through the adapter's matchers, never a fixed namespace", () => {
    const q = adapterRequestRateQuery(MetricContracts.default(), "detector", "2m");
    expect(q).toBe('sum by (<<.GroupBy>>)(rate(inference_requests_total{<<.LabelMatchers>>, service="detector"}[2m]))');
  });
});

describe("adapter rule PromQL (synth-time validation)", () => {
  const f = platform();
  service(f);
  const a = adapter(f);
  const good = a.rules()[0];

  test("the generated rules type-check, and the adapter validates them at synth", () => {
    expect(adapterRuleProblems(a, good)).toEqual([]);
    expect(a.node.validate()).toEqual([]);
  });

  test("a metricsQuery of the wrong type, or a seriesQuery that is no selector, is reported with the rule and the position", () => {
    const bad: AdapterCustomRule = {
      ...good,
      seriesQuery: "rate(inference_requests_total[5m])[10m:]",
      metricsQuery: "sum by (<<.GroupBy>>)(rate(inference_requests_total{<<.LabelMatchers>>}))",
    };
    expect(adapterRuleProblems(a, bad)).toEqual([
      `platform/adapter: 'rules.custom["detector_requests_per_second"].seriesQuery' must be valid PromQL: evaluates to a range vector, where only an instant vector is accepted, got "rate(inference_requests_total[5m])[10m:]"`,
      `platform/adapter: 'rules.custom["detector_requests_per_second"].metricsQuery' must be valid PromQL (shown with <<.LabelMatchers>> and <<.GroupBy>> filled as for two pods): expected type matrix in call to function "rate", got vector at characters 19-74 (inference_requests_total{namespace="default",pod=~"a|b"}), got "sum by (pod)(rate(inference_requests_total{namespace=\\"default\\",pod=~\\"a|b\\"}))"`,
    ]);
  });
});

describe("HPA / adapter agreement (synth-time validation)", () => {
  test("holds when the adapter is fed by the services' catalog", () => {
    const f = platform();
    service(f);
    adapter(f);
    expect(() => Testing.synth(f.stack, true)).not.toThrow();
  });

  test("fails when a service autoscales on RPS and the app has no adapter", () => {
    const f = platform();
    service(f);
    expect(() => Testing.synth(f.stack, true)).toThrow(
      "platform/svc: HPA inference/detector scales on Pods metric 'detector_requests_per_second', but the app has no custom metrics adapter; add a PrometheusAdapter fed by the same MonitoringCatalog",
    );
  });

  test("fails when the names disagree: the adapter reads another catalog", () => {
    const f = platform();
    service(f);
    const other = platform();
    service(other, { name: "other" });
    adapter(f, { catalog: other.catalog });
    expect(() => Testing.synth(f.stack, true)).toThrow(
      "platform/svc: HPA inference/detector scales on Pods metric 'detector_requests_per_second', which no prometheus-adapter rule serves (rules serve: other_requests_per_second); is the adapter fed by the same MonitoringCatalog?",
    );
  });

  test("fails when the names disagree: an HPA registered with a misspelt metric", () => {
    const f = platform();
    service(f);
    adapter(f);
    registerPodsMetricConsumer(new Construct(f.stack, "hand-made-hpa"), { hpa: "inference/detector-2", metricName: "detector_request_per_second" });
    expect(() => Testing.synth(f.stack, true)).toThrow(
      "platform/hand-made-hpa: HPA inference/detector-2 scales on Pods metric 'detector_request_per_second', which no prometheus-adapter rule serves (rules serve: detector_requests_per_second)",
    );
  });

  test("fails when two rules serve one metric: same service name in two namespaces", () => {
    const f = platform();
    service(f, { namespace: "team-a" }, "a");
    service(f, { namespace: "team-b" }, "b");
    adapter(f);
    expect(() => Testing.synth(f.stack, true)).toThrow(
      "platform/a: HPA team-a/detector scales on Pods metric 'detector_requests_per_second', which 2 prometheus-adapter rules serve; it must be served by exactly one",
    );
  });

  test("fails when two adapters serve the same catalog", () => {
    const f = platform();
    service(f);
    adapter(f);
    adapter(f, {}, "adapter-2");
    expect(() => Testing.synth(f.stack, true)).toThrow("which 2 prometheus-adapter rules serve");
  });

  test("a service without autoscaling needs no adapter", () => {
    const f = platform();
    service(f, { autoscaling: false });
    expect(() => Testing.synth(f.stack, true)).not.toThrow();
  });
});

describe("PrometheusAdapter rejects bad input", () => {
  test.each([
    [
      "a URL with a port",
      { prometheusUrl: "http://prometheus:9090" },
      `platform/adapter: 'prometheusUrl' must be http(s)://host without port or path (the port is prometheusPort), got "http://prometheus:9090"`,
    ],
    ["a rate window under 30s", { rateWindow: "15s" }, `platform/adapter: 'rateWindow' must be at least 30s (4 scrape intervals or more), got "15s"`],
    ["a rate window that is no duration", { rateWindow: "2 minutes" }, `platform/adapter: 'rateWindow' must be a Prometheus duration such as 30s, 5m, 1h or 1h30m, got "2 minutes"`],
    ["no system pool labels", { nodeSelector: {} }, `platform/adapter: 'nodeSelector' must hold the system pool's node labels, got {}`],
  ])("%s", (_what, options, message) => {
    expect(() => adapter(platform(), options)).toThrow(message);
  });
});
