import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Testing } from "cdktf";
import { parse } from "yaml";
import { GpuNodeGroup } from "../../lib/cluster/gpu-node-group";
import { monitoringLabelContract } from "../../lib/contracts/monitoring-labels";
import { GpuNodeComponents } from "../../lib/gpu/gpu-node-components";
import { GpuPool } from "../../lib/gpu/gpu-pool";
import { NvidiaDevicePlugin } from "../../lib/gpu/nvidia-device-plugin";
import { DEFAULT_CONFIG } from "../../stacks/config";
import { awsStack, clusterStack, fakeCluster } from "../support/fixtures";
import { resourceAt, resourcesOf, synthDefaultApp } from "../support/synth";

// Bottlerocket's NVIDIA variants run the device plugin on the host: the chart's would be a second one.
const al2023 = GpuPool.fromExisting({ poolName: "a10g" });
const bottlerocket = GpuPool.fromExisting({ poolName: "l4-br", devicePlugin: "host" });
const labels = monitoringLabelContract();

function releases(synthesized: string): Record<string, { name: string; values: string[] }> {
  return (JSON.parse(synthesized).resource?.helm_release ?? {}) as Record<string, { name: string; values: string[] }>;
}

describe("Bottlerocket GPU pools", () => {
  test("the device plugin chart covers only the pools without a host device plugin; DCGM covers all", () => {
    const stack = clusterStack();
    const gpu = new GpuNodeComponents(stack, "gpu", { pools: [al2023, bottlerocket], monitoringLabels: labels });
    const json = Testing.synth(stack, true);
    const plugin = parse(gpu.devicePlugin?.helm.valuesYaml ?? "");
    const poolsSelected = plugin.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.map(
      (t: { matchExpressions: { key: string; values: string[] }[] }) => t.matchExpressions.find((e) => e.key === "gpu-platform.io/pool")?.values[0],
    );
    expect(poolsSelected).toEqual(["a10g"]);
    const dcgm = parse(gpu.dcgmExporter.helm.valuesYaml);
    expect(dcgm.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toHaveLength(2);
    expect(Object.values(releases(json)).map((r) => r.name).sort()).toEqual(["dcgm-exporter", "nvidia-device-plugin"]);
  });

  test("with only Bottlerocket pools no device plugin chart is installed, and the check still passes", () => {
    const stack = clusterStack();
    const gpu = new GpuNodeComponents(stack, "gpu", { pools: [bottlerocket], monitoringLabels: labels });
    const json = Testing.synth(stack, true);
    expect(gpu.devicePlugin).toBeUndefined();
    expect(Object.values(releases(json)).map((r) => r.name)).toEqual(["dcgm-exporter"]);
  });

  test("a chart device plugin scheduled on a Bottlerocket pool is rejected as a second device plugin", () => {
    const stack = clusterStack();
    new GpuNodeComponents(stack, "gpu", { pools: [al2023], monitoringLabels: labels });
    // The Bottlerocket pool joins the platform, and someone points a second chart at it.
    new NvidiaDevicePlugin(stack, "extra-plugin", { pools: [bottlerocket], namespace: "nvidia-extra" });
    const { addGpuSchedulingValidation } = jest.requireActual("../../lib/gpu/gpu-scheduling-validation");
    addGpuSchedulingValidation(stack, [al2023, bottlerocket]);
    expect(() => Testing.synth(stack, true)).toThrow(
      /GPU DaemonSet 'nvidia-device-plugin' runs on GPU pool 'l4-br', whose nodes \(Bottlerocket\) already run the NVIDIA device plugin on the host/,
    );
  });

  test("a Bottlerocket node group says its device plugin is on the host and shares GPUs through node settings", () => {
    const stack = awsStack();
    const group = new GpuNodeGroup(stack, "pool", {
      poolName: "l4-br",
      instanceTypes: ["g6.xlarge", "g6.2xlarge"],
      amiType: "BOTTLEROCKET_x86_64_NVIDIA",
      hostTimeSlicingReplicas: 4,
      cluster: fakeCluster(),
      nodeRoleArn: "arn:aws:iam::123456789012:role/node",
    });
    expect(group.devicePlugin).toBe("host");
    const template = Object.values(JSON.parse(Testing.synth(stack)).resource.aws_launch_template)[0] as { user_data: string };
    const toml = Buffer.from(template.user_data, "base64").toString("utf8");
    expect(toml).toBe(
      [
        "[settings.kubelet-device-plugins.nvidia]",
        'device-sharing-strategy = "time-slicing"',
        "",
        "[settings.kubelet-device-plugins.nvidia.time-slicing]",
        "replicas = 4",
        "rename-by-default = false",
        "",
      ].join("\n"),
    );
  });

  test("an AL2023 node group has the chart's device plugin and no user data", () => {
    const stack = awsStack();
    const group = new GpuNodeGroup(stack, "pool", {
      poolName: "a10g",
      instanceTypes: ["g5.xlarge"],
      cluster: fakeCluster(),
      nodeRoleArn: "arn:aws:iam::123456789012:role/node",
    });
    expect(group.devicePlugin).toBe("chart");
    expect(Testing.synth(stack)).not.toHaveResourceWithProperties(LaunchTemplate, { user_data: expect.anything() });
  });

  test("host time-slicing on an AL2023 pool is rejected with what to use instead", () => {
    const stack = awsStack();
    expect(
      () =>
        new GpuNodeGroup(stack, "pool", {
          poolName: "a10g",
          instanceTypes: ["g5.xlarge"],
          hostTimeSlicingReplicas: 4,
          cluster: fakeCluster(),
          nodeRoleArn: "arn:aws:iam::123456789012:role/node",
        }),
    ).toThrow("'hostTimeSlicingReplicas' applies only to Bottlerocket pools (amiType AL2023_x86_64_NVIDIA gets time-slicing from the device plugin chart's timeSlicing), got 4");
  });

  test("default app with a Bottlerocket pool: node settings carry the time-slicing, the chart skips that pool", () => {
    const { cluster, platform } = synthDefaultApp({
      ...DEFAULT_CONFIG,
      gpuPools: [DEFAULT_CONFIG.gpuPools[0], { ...DEFAULT_CONFIG.gpuPools[1], amiType: "BOTTLEROCKET_x86_64_NVIDIA" }],
      devicePlugin: { timeSlicingReplicas: 2 },
    });
    const spot = resourceAt(cluster, "aws_launch_template", "gpu-pool-g6-spot/launch-template");
    const ondemand = resourceAt(cluster, "aws_launch_template", "gpu-pool-g5-ondemand/launch-template");
    expect(Buffer.from(String(spot.user_data), "base64").toString("utf8")).toContain("replicas = 2");
    expect(ondemand.user_data).toBeUndefined();
    const plugin = Object.values(resourcesOf(platform, "helm_release")).find((r) => r.name === "nvidia-device-plugin") as { values: string[] };
    const values = parse(plugin.values[0]);
    expect(values.config.map["time-slicing"]).toContain("replicas: 2");
    expect(JSON.stringify(values.affinity)).toContain("g5-ondemand");
    expect(JSON.stringify(values.affinity)).not.toContain("g6-spot");
  });
});
