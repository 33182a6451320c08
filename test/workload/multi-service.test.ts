import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { HorizontalPodAutoscalerV2 } from "@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2";
import { Testing } from "cdktf";
import { MetricContracts } from "../../lib/contracts/presets";
import { errorRatio, requestRate } from "../../lib/contracts/promql";
import { ModelVolume } from "../../lib/workload/model-volume";
import { PrometheusAdapter, PrometheusAdapterValues } from "../../lib/monitoring/prometheus-adapter";
import { describeWithTerraform, expectGatePassed, terraformGate } from "../support/terraform-gate";
import { SYSTEM_NODE_SELECTOR, expectResource, helmValues, platform, resourcesOf, service } from "./fixture";

/**
 * Two services in one stack, each with its own contract and pool: the phone detector
 * (prometheus_client, its own names) and the talking-head pipeline (ASR, LLM, TTS and animation
 * stages sharing one counter with a `module` label).
 */
function twoServices() {
  const f = platform();
  const detector = service(
    f,
    {
      name: "phone-detector",
      gpuPool: f.pools.l4,
      metricsPort: 9100,
      metrics: MetricContracts.prometheusClient({
        requestCounter: "phone_detection_requests_total",
        statusLabel: "status",
        errorValues: ["error"],
        latencyHistogram: "phone_detection_latency_seconds",
        modelLoaded: "phone_detection_model_loaded",
      }),
      autoscaling: { targetRequestsPerSecondPerPod: 40, maxReplicas: 8 },
      team: "vision",
    },
    "phone-detector",
  );
  const pipeline = service(
    f,
    {
      name: "talking-head",
      gpuPool: f.pools.a10g,
      gpus: 2,
      resources: { requests: { cpu: "6", memory: "24Gi" }, limits: { cpu: "8", memory: "32Gi" } },
      metrics: MetricContracts.prometheusClient({
        requestCounter: "talking_head_stage_requests_total",
        statusLabel: "status",
        errorValues: ["error", "timeout"],
        latencyHistogram: "talking_head_stage_latency_seconds",
        queueDepth: "talking_head_queue_depth",
        stageLabel: "module",
      }),
      model: {
        volume: ModelVolume.newClaim({ size: "200Gi", storageClassName: "efs-sc" }),
        init: { image: "registry.example.com/model-fetch:2.1.0", args: ["--warm", "/models"] },
      },
      probes: { startup: { maxStartupSeconds: 600 } },
      // Four stage requests per user request: the target is in stage requests per second.
      autoscaling: { targetRequestsPerSecondPerPod: 8, minReplicas: 2, maxReplicas: 6 },
      alerting: { p90Latency: { seconds: 4 } },
      team: "avatar",
    },
    "talking-head",
  );
  new PrometheusAdapter(f.stack, "adapter", { catalog: f.catalog, nodeSelector: SYSTEM_NODE_SELECTOR });
  return { f, detector, pipeline, json: Testing.synth(f.stack, true) };
}

describe("two inference services in one stack", () => {
  const { f, detector, pipeline, json } = twoServices();

  test("each Deployment lands on its own pool", () => {
    const deployments = Object.values(resourcesOf(json, DeploymentV1.tfResourceType)).map((d) => JSON.stringify(d));
    expect(deployments.find((d) => d.includes('"name":"phone-detector"'))).toContain('"values":["l4"]');
    expect(deployments.find((d) => d.includes('"name":"talking-head"'))).toContain('"values":["a10g"]');
    expect(detector.pool.poolName).toBe("l4");
    expect(pipeline.pool.poolName).toBe("a10g");
  });

  test("each HPA scales on its own metric, and the adapter serves exactly those two", () => {
    expectResource(json, HorizontalPodAutoscalerV2.tfResourceType, {
      metadata: { name: "phone-detector" },
      spec: { max_replicas: 8, metric: [{ pods: { metric: { name: "phone_detector_requests_per_second" }, target: { average_value: "40" } } }] },
    });
    expectResource(json, HorizontalPodAutoscalerV2.tfResourceType, {
      metadata: { name: "talking-head" },
      spec: { min_replicas: 2, metric: [{ pods: { metric: { name: "talking_head_requests_per_second" }, target: { average_value: "8" } } }] },
    });
    const rules = (helmValues(json, "prometheus-adapter") as unknown as PrometheusAdapterValues).rules.custom;
    expect(rules.map((r) => [r.name.as, r.name.matches])).toEqual([
      ["phone_detector_requests_per_second", "^phone_detection_requests_total$"],
      ["talking_head_requests_per_second", "^talking_head_stage_requests_total$"],
    ]);
  });

  test("each contract reaches the catalog, so rules and dashboards query each service's own names", () => {
    const [d, p] = f.catalog.services;
    expect(errorRatio(d.contract, d.selector, "5m")).toContain('phone_detection_requests_total{namespace="inference", service="phone-detector", status="error"}');
    expect(requestRate(p.contract, p.selector, "5m", [p.contract.stageLabel!])).toBe(
      'sum by (module)(rate(talking_head_stage_requests_total{namespace="inference", service="talking-head"}[5m]))',
    );
    expect(f.catalog.serviceMonitors.map((m) => [m.name, m.port])).toEqual([
      ["phone-detector", "metrics"],
      ["talking-head", "metrics"],
    ]);
    expect(f.catalog.services.map((s) => s.team)).toEqual(["vision", "avatar"]);
  });

  test("synthesized plan (snapshot, reviewed in PRs)", () => {
    expect(JSON.parse(json)).toMatchSnapshot();
  });
});

describeWithTerraform("two inference services: Terraform gate", () => {
  test("terraform init loads the stack", async () => {
    expectGatePassed("two inference services", await terraformGate(twoServices().json));
  });
});
