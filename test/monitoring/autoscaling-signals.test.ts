import { execFileSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { Testing } from "cdktf";
import { stringify } from "yaml";
import { MetricContracts } from "../../lib/contracts/presets";
import { PrometheusAdapter, PrometheusAdapterValues } from "../../lib/monitoring/prometheus-adapter";
import { InferenceServiceOptions } from "../../lib/workload/inference-service";
import { SYSTEM_NODE_SELECTOR, helmValues, onlyResource, platform, service } from "../workload/fixture";

/**
 * Autoscaling on queue depth and on the GPUs of the service's own pods: the HPA's metric, the
 * adapter rule that serves it (the same one-rule agreement), and the rule's query run by promtool
 * on DCGM and server series with the labels they carry on a cluster.
 */
const vllm = MetricContracts.vllm();

function build(autoscaling: InferenceServiceOptions["autoscaling"], metrics = vllm) {
  const f = platform();
  service(f, { name: "vllm", metrics, autoscaling });
  new PrometheusAdapter(f.stack, "adapter", { catalog: f.catalog, nodeSelector: SYSTEM_NODE_SELECTOR });
  const json = Testing.synth(f.stack, true);
  const rules = (helmValues(json, "prometheus-adapter") as unknown as PrometheusAdapterValues).rules.custom;
  const hpa = onlyResource(json, "kubernetes_horizontal_pod_autoscaler_v2") as { spec: { metric: { pods: { metric: { name: string }; target: unknown } }[] } };
  return { rules, pods: hpa.spec.metric[0].pods };
}

/** The adapter's placeholders as it fills them for the HPA's two pods. */
function substitute(query: string): string {
  return query
    .split("<<.LabelMatchers>>")
    .join('namespace="inference",pod=~"vllm-7d9f8c-abcde|vllm-7d9f8c-fghij"')
    .split("<<.GroupBy>>")
    .join("pod");
}

/** Runs the query as a recording rule under promtool on the given series; returns the recorded samples by pod. */
function evaluate(query: string, series: Record<string, string>, expected: Record<string, number>): string {
  const dir = mkdtempSync(join(tmpdir(), "adapter-query-"));
  try {
    writeFileSync(join(dir, "rules.yaml"), stringify({ groups: [{ name: "adapter", rules: [{ record: "adapter:signal:value", expr: substitute(query) }] }] }));
    const test = {
      rule_files: ["rules.yaml"],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: Object.entries(series).map(([s, values]) => ({ series: s, values })),
          promql_expr_test: [
            {
              expr: "adapter:signal:value",
              eval_time: "5m",
              exp_samples: Object.entries(expected).map(([pod, value]) => ({ labels: `adapter:signal:value{pod="${pod}"}`, value })),
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, "test.yaml"), stringify(test));
    return execFileSync("promtool", ["test", "rules", "test.yaml"], { cwd: dir, encoding: "utf8" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const DCGM = (metric: string, gpu: string, pod: string) =>
  `${metric}{gpu="${gpu}", UUID="GPU-${pod}-${gpu}", modelName="NVIDIA L4", Hostname="node-a", namespace="inference", pod="${pod}", container="vllm", job="dcgm-exporter", instance="10.0.1.21:9400", endpoint="metrics", service="dcgm-exporter", exporter_namespace="nvidia", exporter_pod="dcgm-exporter-7xk2p"}`;

describe("autoscaling on the GPU utilisation of the service's own pods", () => {
  const { rules, pods } = build({ signal: "gpuUtilization", targetGpuUtilizationPercent: 60 });

  test("the HPA follows <service>_gpu_utilization_percent at 60 per pod, served by one adapter rule", () => {
    expect(pods).toEqual({ metric: { name: "vllm_gpu_utilization_percent" }, target: { type: "AverageValue", average_value: "60" } });
    expect(rules.map((r) => r.name.as)).toEqual(["vllm_gpu_utilization_percent"]);
    expect(rules[0].seriesQuery).toBe('DCGM_FI_DEV_GPU_UTIL{namespace="inference", pod=~"vllm-[a-z0-9]+-[a-z0-9]+"}');
  });

  test("promtool: the average of each pod's GPUs; another Deployment's GPU and an idle GPU stay out", () => {
    const out = evaluate(
      rules[0].metricsQuery,
      {
        [DCGM("DCGM_FI_DEV_GPU_UTIL", "0", "vllm-7d9f8c-abcde")]: "80x10",
        [DCGM("DCGM_FI_DEV_GPU_UTIL", "1", "vllm-7d9f8c-abcde")]: "40x10",
        [DCGM("DCGM_FI_DEV_GPU_UTIL", "0", "vllm-7d9f8c-fghij")]: "30x10",
        [DCGM("DCGM_FI_DEV_GPU_UTIL", "0", "vllm-batch-5c6d7e-zzzzz")]: "100x10",
        'DCGM_FI_DEV_GPU_UTIL{gpu="3", UUID="GPU-idle", modelName="NVIDIA L4", Hostname="node-a", job="dcgm-exporter", instance="10.0.1.21:9400", endpoint="metrics", service="dcgm-exporter", exporter_namespace="nvidia", exporter_pod="dcgm-exporter-7xk2p"}': "0x10",
      },
      { "vllm-7d9f8c-abcde": 60, "vllm-7d9f8c-fghij": 30 },
    );
    expect(out).toContain("SUCCESS");
  });
});

describe("autoscaling on GPU memory", () => {
  const { rules, pods } = build({ signal: "gpuMemory" });

  test("default target 80 percent; promtool: used over used + free, per pod", () => {
    expect(pods).toEqual({ metric: { name: "vllm_gpu_memory_percent" }, target: { type: "AverageValue", average_value: "80" } });
    const out = evaluate(
      rules[0].metricsQuery,
      {
        [DCGM("DCGM_FI_DEV_FB_USED", "0", "vllm-7d9f8c-abcde")]: "18000x10",
        [DCGM("DCGM_FI_DEV_FB_FREE", "0", "vllm-7d9f8c-abcde")]: "6000x10",
        [DCGM("DCGM_FI_DEV_FB_USED", "0", "vllm-7d9f8c-fghij")]: "12000x10",
        [DCGM("DCGM_FI_DEV_FB_FREE", "0", "vllm-7d9f8c-fghij")]: "12000x10",
      },
      { "vllm-7d9f8c-abcde": 75, "vllm-7d9f8c-fghij": 50 },
    );
    expect(out).toContain("SUCCESS");
  });
});

describe("autoscaling on queue depth", () => {
  const { rules, pods } = build({ signal: "queueDepth", targetQueueDepthPerPod: 4 });

  test("vLLM's waiting requests per pod, from the contract's queue gauge", () => {
    expect(pods).toEqual({ metric: { name: "vllm_queue_depth" }, target: { type: "AverageValue", average_value: "4" } });
    expect(rules[0].name).toEqual({ matches: "^vllm:num_requests_waiting$", as: "vllm_queue_depth" });
    const target = (pod: string, model: string) =>
      `vllm:num_requests_waiting{namespace="inference", service="vllm", pod="${pod}", model_name="${model}", engine="0", container="vllm", job="vllm", endpoint="http", instance="10.0.1.40:8000"}`;
    const out = evaluate(
      rules[0].metricsQuery,
      { [target("vllm-7d9f8c-abcde", "llama")]: "6x10", [target("vllm-7d9f8c-abcde", "lora")]: "1x10", [target("vllm-7d9f8c-fghij", "llama")]: "0x10" },
      { "vllm-7d9f8c-abcde": 7, "vllm-7d9f8c-fghij": 0 },
    );
    expect(out).toContain("SUCCESS");
  });
});

describe("autoscaling signal options", () => {
  test.each([
    [{ signal: "queueDepth" as const }, MetricContracts.fastapiInstrumentator(), `platform/svc: 'autoscaling.signal' needs a queue gauge, but metrics 'fastapi-instrumentator' declares none (queueDepth); scale on requestsPerSecond or the GPU instead, got "queueDepth"`],
    [{ signal: "gpuUtilization" as const, targetQueueDepthPerPod: 3 }, vllm, `platform/svc: 'autoscaling.targetQueueDepthPerPod' only applies with autoscaling.signal "queueDepth" (the HPA follows "gpuUtilization"), got 3`],
    [{ signal: "gpuMemory" as const, targetGpuMemoryPercent: 120 }, vllm, "platform/svc: 'autoscaling.targetGpuMemoryPercent' must be a percentage above 0 and at most 100, got 120"],
  ])("%j", (autoscaling, metrics, message) => {
    expect(() => service(platform(), { metrics, autoscaling })).toThrow(message);
  });
});
