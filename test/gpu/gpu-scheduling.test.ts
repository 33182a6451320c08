import { Testing } from "cdktf";
import { Construct } from "constructs";
import { parse } from "yaml";
import { monitoringLabelContract } from "../../lib/contracts/monitoring-labels";
import { DcgmExporter } from "../../lib/gpu/dcgm-exporter";
import { GpuNodeComponents } from "../../lib/gpu/gpu-node-components";
import { GpuPool, IGpuPool, schedulingForPools } from "../../lib/gpu/gpu-pool";
import { addGpuSchedulingValidation, gpuSchedulingErrors } from "../../lib/gpu/gpu-scheduling-validation";
import { nodeAffinitySelects, tolerates, untoleratedTaints } from "../../lib/core/kubernetes/scheduling";
import { NvidiaDevicePlugin } from "../../lib/gpu/nvidia-device-plugin";
import { clusterStack } from "../support/fixtures";

const labels = monitoringLabelContract();
const a100 = GpuPool.fromExisting({ poolName: "a100" });
const l4 = GpuPool.fromExisting({
  poolName: "l4",
  taints: [
    { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" },
    { key: "dedicated", value: "llm", effect: "NoExecute" },
  ],
});

describe("scheduler semantics", () => {
  const taint = { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" } as const;
  test.each([
    [{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }, true],
    [{ key: "nvidia.com/gpu", operator: "Exists" }, true],
    [{ operator: "Exists" }, true],
    [{ key: "nvidia.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" }, false],
    [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoExecute" }, false],
    [{ key: "", operator: "Equal", value: "true" }, false],
  ] as const)("toleration %j tolerates nvidia.com/gpu=true:NoSchedule: %s", (toleration, expected) => {
    expect(tolerates(toleration, taint)).toBe(expected);
  });

  test("PreferNoSchedule taints never block scheduling", () => {
    expect(untoleratedTaints([], [{ key: "x", effect: "PreferNoSchedule" }])).toEqual([]);
  });

  test("affinity terms are ORed and expressions ANDed", () => {
    const { affinity } = schedulingForPools([a100, l4]);
    expect(nodeAffinitySelects(affinity.nodeAffinity, a100.nodeLabels)).toBe(true);
    expect(nodeAffinitySelects(affinity.nodeAffinity, l4.nodeLabels)).toBe(true);
    expect(nodeAffinitySelects(affinity.nodeAffinity, { "gpu-platform.io/pool": "a100" })).toBe(false);
    expect(nodeAffinitySelects(affinity.nodeAffinity, { "gpu-platform.io/pool": "t4", "nvidia.com/gpu.present": "true" })).toBe(false);
  });
});

describe("GPU DaemonSet scheduling validation", () => {
  test("components derived from the pools pass, and tolerate every taint of every pool", () => {
    const stack = clusterStack();
    const gpu = new GpuNodeComponents(stack, "gpu", { pools: [a100, l4], monitoringLabels: labels });
    expect(() => Testing.synth(stack, true)).not.toThrow();
    expect(gpu.devicePlugin).toBeDefined();
    const values = parse(gpu.devicePlugin?.helm.valuesYaml ?? "");
    expect(values.tolerations).toEqual([
      { key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" },
      { key: "dedicated", operator: "Equal", value: "llm", effect: "NoExecute" },
    ]);
  });

  test("a DaemonSet missing a pool's taint is reported with the pool and the taint", () => {
    const stack = clusterStack();
    new NvidiaDevicePlugin(stack, "device-plugin", { pools: [a100, l4] });
    new DcgmExporter(stack, "dcgm", {
      pools: [a100, l4],
      monitoringLabels: labels,
      tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
    });
    expect(gpuSchedulingErrors(stack, [a100, l4])).toEqual([
      "test/dcgm: GPU DaemonSet 'dcgm-exporter' does not tolerate taint dedicated=llm:NoExecute of GPU pool 'l4', so it gets no pod there; add a toleration for it",
    ]);
  });

  test("the check runs at synth and fails it", () => {
    const stack = clusterStack();
    new NvidiaDevicePlugin(stack, "device-plugin", { pools: [a100], tolerations: [] });
    addGpuSchedulingValidation(stack, [a100]);
    expect(() => Testing.synth(stack, true)).toThrow(
      /test\/device-plugin: GPU DaemonSet 'nvidia-device-plugin' does not tolerate taint nvidia.com\/gpu=true:NoSchedule of GPU pool 'a100'/,
    );
  });

  test("a GPU pool with no device plugin is an error, and a DaemonSet that does not select it is named", () => {
    const stack = clusterStack();
    new NvidiaDevicePlugin(stack, "device-plugin", { pools: [a100] });
    expect(gpuSchedulingErrors(stack, [a100, l4])).toEqual([
      "test/device-plugin: GPU DaemonSet 'nvidia-device-plugin' does not tolerate taint dedicated=llm:NoExecute of GPU pool 'l4', so it gets no pod there; add a toleration for it",
      `test/device-plugin: GPU DaemonSet 'nvidia-device-plugin' node affinity does not select the labels of GPU pool 'l4' ({"gpu-platform.io/pool":"l4","nvidia.com/gpu.present":"true"}), so it gets no pod there`,
      "test: GPU pool 'l4' has no NVIDIA device plugin scheduled on it, so its GPUs never become allocatable; add an NvidiaDevicePlugin covering this pool",
    ]);
  });

  test("no device plugin at all", () => {
    const stack = clusterStack();
    expect(gpuSchedulingErrors(stack, [a100])).toEqual([
      "test: GPU pool 'a100' has no NVIDIA device plugin scheduled on it, so its GPUs never become allocatable; add an NvidiaDevicePlugin covering this pool",
    ]);
  });

  test("duplicate pool names", () => {
    const stack = clusterStack();
    const twin: IGpuPool = GpuPool.fromExisting({ poolName: "a100", nodeLabels: { "gpu-platform.io/pool": "a100-b" } });
    new NvidiaDevicePlugin(stack, "device-plugin", { pools: [a100, twin] });
    expect(gpuSchedulingErrors(stack, [a100, twin])[0]).toBe(
      "test: 'gpuPools[].poolName' must hold unique names; this one appears more than once, got \"a100\"",
    );
  });

  test("constructs nested anywhere in the scope are found", () => {
    const stack = clusterStack();
    new NvidiaDevicePlugin(new Construct(new Construct(stack, "a"), "b"), "dp", { pools: [a100] });
    expect(gpuSchedulingErrors(stack, [a100])).toEqual([]);
  });
});

describe("NvidiaDevicePlugin", () => {
  test("time-slicing renders the device plugin's sharing config as the default config", () => {
    const stack = clusterStack();
    const dp = new NvidiaDevicePlugin(stack, "dp", { pools: [a100], timeSlicing: { replicasPerGpu: 4 } });
    const values = parse(dp.helm.valuesYaml);
    expect(values.config.default).toBe("time-slicing");
    expect(parse(values.config.map["time-slicing"])).toEqual({
      version: "v1",
      sharing: { timeSlicing: { resources: [{ name: "nvidia.com/gpu", replicas: 4 }] } },
    });
  });

  test("bad input", () => {
    expect(() => new NvidiaDevicePlugin(clusterStack(), "dp", { pools: [a100], timeSlicing: { replicasPerGpu: 1 } })).toThrow(
      "test/dp: 'timeSlicing.replicasPerGpu' must be an integer between 2 and 64, got 1",
    );
    expect(() => new NvidiaDevicePlugin(clusterStack(), "dp", { pools: [] })).toThrow("test/dp: 'pools' must name at least one GPU pool, got []");
  });
});

describe("DcgmExporter", () => {
  test("scrape interval override sets a timeout below it", () => {
    const dcgm = new DcgmExporter(clusterStack(), "dcgm", { pools: [a100], monitoringLabels: labels, scrapeInterval: "5s" });
    expect(dcgm.helm.values.serviceMonitor).toMatchObject({ interval: "5s", scrapeTimeout: "4s" });
  });

  test("ServiceMonitor labels follow the label contract's release", () => {
    const dcgm = new DcgmExporter(clusterStack(), "dcgm", { pools: [a100], monitoringLabels: monitoringLabelContract("prom") });
    expect(dcgm.helm.values.serviceMonitor.additionalLabels).toEqual({ release: "prom" });
  });

  test("a scrape interval that is not a duration", () => {
    expect(() => new DcgmExporter(clusterStack(), "dcgm", { pools: [a100], monitoringLabels: labels, scrapeInterval: "15" })).toThrow(
      "test/dcgm: 'scrapeInterval' must be a Prometheus duration such as 30s, 5m, 1h or 1h30m, got \"15\"",
    );
  });
});
