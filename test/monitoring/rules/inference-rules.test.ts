import { MetricContract, ServiceSelector } from "../../../lib/contracts/metric-contract";
import { MonitoredService } from "../../../lib/contracts/monitoring-catalog";
import { renderMatchers, serviceMatchers } from "../../../lib/contracts/promql";
import { inferenceRuleGroup, isAlertRule, RecordingRule } from "../../../lib/monitoring/rules";
import { FASTAPI_CONTRACT, INFERENCE_SERVER, PIPELINE_CONTRACT, TRITON_CONTRACT } from "./fixtures";
import { alert, alertNames, expectConfigError, record } from "./helpers";

const build = (service: MonitoredService, scrapeInterval = "15s") => inferenceRuleGroup("PlatformRules", "services[0]", service, scrapeInterval);

const SEL = 'namespace="inference", service="inference-server"';
const RATE = `sum by (namespace, service)(rate(inference_requests_total{${SEL}}[5m]))`;
const ERRORS = `sum by (namespace, service)(rate(inference_requests_total{${SEL}, status="error"}[5m]))`;
const QUANTILE = (q: number) => `histogram_quantile(${q}, sum by (le, namespace, service)(rate(inference_request_duration_seconds_bucket{${SEL}}[5m])))`;
const PODS = 'pod=~"inference-server-[a-z0-9]+-[a-z0-9]+"';
/**
 * A per-pod alert expression with the node of each pod joined from kube_pod_info (for the
 * node-down inhibition), and the same expression again for pods kube_pod_info does not list.
 */
const ON_NODE = (expr: string, namespace = "inference") =>
  `(\n${expr}\n)\n* on (namespace, pod) group_left (node)\nmax by (namespace, pod, node) (kube_pod_info{namespace="${namespace}", node!=""})\nor ignoring (node)\n(\n${expr}\n)`;

describe("inference rules for the default contract with defaults", () => {
  const g = build(INFERENCE_SERVER);

  test("one group per service, evaluated every scrape interval", () => {
    expect(g.name).toBe("inference-inference-inference-server");
    expect(g.interval).toBe("15s");
    expect(alertNames(g)).toEqual([
      "InferenceErrorRatioHigh/critical",
      "InferenceLatencyHigh/warning",
      "InferenceSlowUnderLoad/critical",
      "InferenceTrafficStopped/warning",
      "InferenceQueueBacklog/warning",
      "InferenceModelNotLoaded/warning",
      "InferenceTargetDown/warning",
      "InferenceTargetDown/critical",
      "InferenceNotScraped/warning",
      "InferenceCpuHigh/warning",
      "InferencePodRestarting/warning",
      "InferencePodOOMKilled/warning",
      "InferenceHpaMaxedOut/warning",
    ]);
  });

  test("recording rules for QPS, errors, mean, P95 and P99 latency, from the contract builders", () => {
    const records = g.rules.filter((r): r is RecordingRule => !isAlertRule(r));
    expect(records.map((r) => [r.record, r.expr])).toEqual([
      ["namespace_service:inference_requests:rate5m", RATE],
      ["namespace_service:inference_request_errors:rate5m", ERRORS],
      ["namespace_service:inference_request_errors:ratio_rate5m", `(${ERRORS} / ${RATE})`],
      [
        "namespace_service:inference_request_duration_seconds:mean_rate5m",
        `(sum by (namespace, service)(rate(inference_request_duration_seconds_sum{${SEL}}[5m])) / sum by (namespace, service)(rate(inference_request_duration_seconds_count{${SEL}}[5m])))`,
      ],
      ["namespace_service:inference_request_duration_seconds:p95_rate5m", QUANTILE(0.95)],
      ["namespace_service:inference_request_duration_seconds:p99_rate5m", QUANTILE(0.99)],
    ]);
  });

  test("error ratio over four scrapes (1m) above 10% for 3m, silent below 0.1 req/s", () => {
    const ratio1m = `(${ERRORS.replace("[5m]", "[1m]")} / ${RATE.replace("[5m]", "[1m]")})`;
    expect(alert(g, "InferenceErrorRatioHigh")).toMatchObject({ expr: `${ratio1m} > 0.1\nand\n${RATE} > 0.1`, for: "3m" });
  });

  test("P90 above 1s for 10m; P95 over 2m above twice the latency SLO's threshold while above 1 req/s for 5m", () => {
    expect(alert(g, "InferenceLatencyHigh")).toMatchObject({ expr: `${QUANTILE(0.9)} > 1\nand\n${RATE} > 0.1`, for: "10m" });
    expect(alert(g, "InferenceSlowUnderLoad")).toMatchObject({ expr: `${QUANTILE(0.95).replace("[5m]", "[2m]")} > 2\nand\n${RATE} > 1`, for: "5m" });
    // Without a latency SLO: 3s.
    const noSlo = build({ ...INFERENCE_SERVER, slos: { availability: 0.99 } });
    expect(alert(noSlo, "InferenceSlowUnderLoad").expr).toBe(`${QUANTILE(0.95).replace("[5m]", "[2m]")} > 3\nand\n${RATE} > 1`);
  });

  test("traffic stopped: traffic in the last hour, none in 5 minutes, replicas available, for 3m", () => {
    expect(alert(g, "InferenceTrafficStopped")).toMatchObject({
      expr:
        `(\n${RATE.replace("[5m]", "[1h]")} > 0.1\nunless\n${RATE} > 0\n)\n` +
        'and on (namespace)\nmax by (namespace) (kube_deployment_status_replicas_available{namespace="inference", deployment="inference-server"}) > 0',
      for: "3m",
    });
  });

  test("scrape targets down for 2m: a clean pod restart is back before that", () => {
    expect(alert(g, "InferenceTargetDown", "warning").for).toBe("2m");
    expect(alert(g, "InferenceTargetDown", "critical").for).toBe("2m");
  });

  test("pod alerts select the Deployment's pods by name and carry the pod's node", () => {
    const restarts = `max by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total{namespace="inference", ${PODS}}[1h])) > 2`;
    expect(alert(g, "InferencePodRestarting").expr).toBe(
      `(\n${restarts}\n)\n* on (namespace, pod) group_left (node)\n` +
        'max by (namespace, pod, node) (kube_pod_info{namespace="inference", node!=""})\n' +
        `or ignoring (node)\n(\n${restarts}\n)`,
    );
    expect(alert(g, "InferencePodOOMKilled").expr).toBe(
      ON_NODE(
        `max by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total{namespace="inference", ${PODS}}[10m])) > 0\n` +
          "and on (namespace, pod, container)\n" +
          `max by (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{namespace="inference", ${PODS}, reason="OOMKilled"}) == 1`,
      ),
    );
    for (const name of ["InferenceQueueBacklog", "InferenceModelNotLoaded", "InferenceCpuHigh"]) {
      expect({ name, joinsNode: alert(g, name).expr.includes("* on (namespace, pod) group_left (node)\n") }).toEqual({ name, joinsNode: true });
    }
    expect(alert(g, "InferenceHpaMaxedOut")).toMatchObject({
      expr:
        'max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas{namespace="inference", horizontalpodautoscaler="inference-server"})\n' +
        ">= on (namespace, horizontalpodautoscaler)\n" +
        'max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas{namespace="inference", horizontalpodautoscaler="inference-server"})',
      for: "15m",
    });
  });

  test("CPU above 90% of the limit for three samples: for is two scrape intervals", () => {
    expect(alert(g, "InferenceCpuHigh")).toMatchObject({
      expr: ON_NODE(
        `sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{namespace="inference", ${PODS}, container!=""}[1m]))\n` +
          "/ on (namespace, pod, container)\n" +
          `sum by (namespace, pod, container) (kube_pod_container_resource_limits{namespace="inference", ${PODS}, resource="cpu"})\n> 0.9`,
      ),
      for: "30s",
    });
    const slow = build(INFERENCE_SERVER, "30s");
    expect(slow.interval).toBe("30s");
    expect(alert(slow, "InferenceCpuHigh").for).toBe("1m");
    expect(alert(slow, "InferenceCpuHigh").expr).toContain("[2m]");
  });

  test("scrape targets: the share down warns, all down pages; no target at all is its own alert", () => {
    const down = `count by (namespace, service) (up{${SEL}} == 0)\n/ count by (namespace, service) (up{${SEL}})`;
    expect(alert(g, "InferenceTargetDown", "warning").expr).toBe(`${down}\n> 0`);
    expect(alert(g, "InferenceTargetDown", "critical").expr).toBe(`${down}\n>= 1`);
    expect(alert(g, "InferenceNotScraped").expr).toBe(
      'max by (namespace) (kube_deployment_status_replicas_available{namespace="inference", deployment="inference-server"}) > 0\n' +
        `unless on ()\nup{${SEL}}`,
    );
  });

  test("every alert carries namespace, service and team", () => {
    for (const rule of g.rules.filter(isAlertRule)) {
      expect(rule.labels).toMatchObject({ namespace: "inference", service: "inference-server", team: "ml-serving" });
    }
  });
});

describe("inference rules with overrides", () => {
  const g = build({
    ...INFERENCE_SERVER,
    hpa: undefined,
    team: undefined,
    alerting: {
      errorRatioPercent: 5,
      errorRatioFor: "2m",
      minRequestsPerSecond: 1,
      p90Latency: { seconds: 2.5, for: "15m" },
      slowUnderLoad: { p95Seconds: 5, minQps: 20 },
      queueBacklog: { depth: 4 },
      cpuPercent: 80,
      maxRestartsPerHour: 5,
      modelNotLoadedFor: "20m",
      trafficStopped: false,
    },
  });

  test("thresholds and durations follow the options", () => {
    expect(alert(g, "InferenceErrorRatioHigh")).toMatchObject({ expr: `(${ERRORS.replace("[5m]", "[1m]")} / ${RATE.replace("[5m]", "[1m]")}) > 0.05\nand\n${RATE} > 1`, for: "2m" });
    expect(alert(g, "InferenceLatencyHigh")).toMatchObject({ expr: `${QUANTILE(0.9)} > 2.5\nand\n${RATE} > 1`, for: "15m" });
    expect(alert(g, "InferenceSlowUnderLoad")).toMatchObject({ expr: `${QUANTILE(0.95).replace("[5m]", "[2m]")} > 5\nand\n${RATE} > 20`, for: "5m" });
    expect(alert(g, "InferenceQueueBacklog").expr).toBe(ON_NODE(`max by (namespace, service, pod) (inference_queue_depth{${SEL}}) > 4`));
    expect(alert(g, "InferenceModelNotLoaded")).toMatchObject({ expr: ON_NODE(`max by (namespace, service, pod) (inference_model_loaded{${SEL}}) == 0`), for: "20m" });
    expect(alert(g, "InferenceCpuHigh").expr).toMatch(/\n> 0\.8\n\)$/);
    expect(alert(g, "InferencePodRestarting").expr).toMatch(/ > 5\n\)$/);
  });

  test("no traffic-stopped alert when switched off, no HPA alert without an HPA, no team label without a team", () => {
    const names = alertNames(g);
    expect(names).not.toContain("InferenceTrafficStopped/warning");
    expect(names).not.toContain("InferenceHpaMaxedOut/warning");
    expect(alert(g, "InferenceErrorRatioHigh").labels).toEqual({ severity: "critical", namespace: "inference", service: "inference-server" });
  });
});

describe("inference rules for the presets", () => {
  const matchers = (contract: MetricContract, selector: ServiceSelector) => renderMatchers(serviceMatchers(contract, selector));

  test("FastAPI instrumentator: 5xx status classes and the excluded handlers on every request series", () => {
    const selector = { namespace: "web", service: "face-swap" };
    const g = build({ ...INFERENCE_SERVER, selector, contract: FASTAPI_CONTRACT });
    const sel = matchers(FASTAPI_CONTRACT, selector);
    expect(sel).toBe('namespace="web", service="face-swap", handler!~"/metrics|/healthz|/ready"');
    expect(record(g, "namespace_service:inference_request_errors:rate5m").expr).toBe(
      `sum by (namespace, service)(rate(http_requests_total{${sel}, status=~"5.."}[5m]))`,
    );
    expect(record(g, "namespace_service:inference_request_duration_seconds:p95_rate5m").expr).toBe(
      `histogram_quantile(0.95, sum by (le, namespace, service)(rate(http_request_duration_highr_seconds_bucket{${sel}}[5m])))`,
    );
    // The instrumentator exposes no model-loaded or queue gauge by default: no alerts on them.
    expect(alertNames(g)).not.toContain("InferenceModelNotLoaded/warning");
    expect(alertNames(g)).not.toContain("InferenceQueueBacklog/warning");
  });

  test("a pipeline with a stage label gets per-stage QPS, error ratio and latency", () => {
    const selector = { namespace: "avatar", service: "talking-head" };
    const g = build({ ...INFERENCE_SERVER, selector, contract: PIPELINE_CONTRACT });
    const sel = matchers(PIPELINE_CONTRACT, selector);
    expect(record(g, "namespace_service_module:inference_requests:rate5m").expr).toBe(
      `sum by (namespace, service, module)(rate(pipeline_requests_total{${sel}}[5m]))`,
    );
    expect(record(g, "namespace_service_module:inference_request_errors:ratio_rate5m").expr).toBe(
      `(sum by (namespace, service, module)(rate(pipeline_requests_total{${sel}, status=~"error|timeout"}[5m])) / sum by (namespace, service, module)(rate(pipeline_requests_total{${sel}}[5m])))`,
    );
    expect(record(g, "namespace_service_module:inference_request_duration_seconds:p95_rate5m").expr).toBe(
      `histogram_quantile(0.95, sum by (le, namespace, service, module)(rate(pipeline_latency_seconds_bucket{${sel}}[5m])))`,
    );
  });

  test("Triton: success + failure counters; no histogram, so mean latency instead of quantiles", () => {
    const selector = { namespace: "llm", service: "triton" };
    const g = build({ ...INFERENCE_SERVER, selector, contract: TRITON_CONTRACT, slos: { availability: 0.995 } });
    const sel = matchers(TRITON_CONTRACT, selector);
    const rate = `(sum by (namespace, service)(rate(nv_inference_request_success{${sel}}[5m])) + sum by (namespace, service)(rate(nv_inference_request_failure{${sel}}[5m])))`;
    const mean = `((sum by (namespace, service)(rate(nv_inference_request_duration_us{${sel}}[5m])) / sum by (namespace, service)(rate(nv_inference_request_success{${sel}}[5m]))) * 0.000001)`;
    expect(record(g, "namespace_service:inference_request_errors:ratio_rate5m").expr).toBe(
      `(sum by (namespace, service)(rate(nv_inference_request_failure{${sel}}[5m])) / ${rate})`,
    );
    expect(g.rules.filter((r) => !isAlertRule(r) && /:p9\d_rate5m$/.test(r.record))).toEqual([]);
    expect(alert(g, "InferenceLatencyHigh")).toMatchObject({
      expr: `${mean} > 1\nand\n${rate} > 0.1`,
      annotations: { summary: "Mean latency above 1s." },
    });
    // No latency objective: the page's default threshold is 3 s.
    expect(alert(g, "InferenceSlowUnderLoad").expr).toBe(`${mean.replace(/\[5m\]/g, "[2m]")} > 3\nand\n${rate} > 1`);
    expect(alert(g, "InferenceQueueBacklog").expr).toBe(ON_NODE(`max by (namespace, service, pod) (nv_inference_pending_request_count{${sel}}) > 10`, "llm"));
  });
});

describe("inference option validation", () => {
  test.each([
    [{ errorRatioPercent: 150 }, "PlatformRules: 'services[0].alerting.errorRatioPercent' must be a percentage above 0 and at most 100, got 150"],
    [{ minRequestsPerSecond: -1 }, "PlatformRules: 'services[0].alerting.minRequestsPerSecond' must be a number of 0 or more, got -1"],
    [{ p90Latency: { seconds: 0 } }, "PlatformRules: 'services[0].alerting.p90Latency.seconds' must be a number above 0, got 0"],
    [{ cpuPercent: 101 }, "PlatformRules: 'services[0].alerting.cpuPercent' must be a percentage above 0 and at most 100, got 101"],
    [{ trafficStopped: { for: "soon" } }, `PlatformRules: 'services[0].alerting.trafficStopped.for' must be a Prometheus duration such as 30s, 5m, 1h or 1h30m, got "soon"`],
    [{ errorRatioFor: "0s" }, `PlatformRules: 'services[0].alerting.errorRatioFor' must be a Prometheus duration longer than 0s, got "0s"`],
  ])("rejects %j", (alerting, message) => {
    expectConfigError(() => build({ ...INFERENCE_SERVER, alerting }), message);
  });

  test("rejects an invalid selector, a missing Deployment and an invalid contract", () => {
    expectConfigError(
      () => build({ ...INFERENCE_SERVER, selector: { namespace: "Inference", service: "inference-server" } }),
      `PlatformRules: 'services[0].selector.namespace' must be a DNS-1123 label (1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit), got "Inference"`,
    );
    expectConfigError(() => build({ ...INFERENCE_SERVER, deployment: "" }), `PlatformRules: 'services[0].deployment' must name the service's Deployment, got ""`);
    expectConfigError(
      () => build({ ...INFERENCE_SERVER, contract: { ...INFERENCE_SERVER.contract, queueDepth: "queue-depth" } }),
      `PlatformRules: 'services[0].contract.queueDepth' must be a valid Prometheus metric name matching [a-zA-Z_:][a-zA-Z0-9_:]*, got "queue-depth"`,
    );
  });
});
