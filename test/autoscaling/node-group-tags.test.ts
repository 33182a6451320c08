import { GpuNodeGroup, GpuNodeGroupOptions } from "../../lib/cluster/gpu-node-group";
import { SystemNodeGroup } from "../../lib/cluster/system-node-group";
import { awsStack, fakeCluster } from "../support/fixtures";
import { orderingFindings } from "../../lib/platform/ordering-check";
import { TfJson, resourcesOf, synthStack } from "../support/synth";

const placement = { cluster: fakeCluster(), nodeRoleArn: "arn:aws:iam::123456789012:role/node" };

function gpuPool(options: Partial<GpuNodeGroupOptions> = {}) {
  const stack = awsStack();
  const group = new GpuNodeGroup(stack, "pool", { poolName: "g5", instanceTypes: ["g5.xlarge"], autoscaling: "cluster-autoscaler", ...placement, ...options });
  return { group, json: synthStack(stack) };
}

/** The ASG tags as key -> value, checking that each targets the node group's ASG and stays off the instances. */
function asgTags(json: TfJson): Record<string, string> {
  const tags = Object.values(resourcesOf(json, "aws_autoscaling_group_tag")) as { autoscaling_group_name: string; tag: { key: string; value: string; propagate_at_launch: boolean } }[];
  for (const t of tags) {
    expect(t.autoscaling_group_name).toMatch(/^\$\{aws_eks_node_group\.[^.]+\.resources\[0\]\.autoscaling_groups\[0\]\.name\}$/);
    expect(t.tag.propagate_at_launch).toBe(false);
  }
  return Object.fromEntries(tags.map((t) => [t.tag.key, t.tag.value]));
}

const nodeGroupOf = (json: TfJson) => Object.values(resourcesOf(json, "aws_eks_node_group"))[0];

describe("ASG tags for Cluster Autoscaler", () => {
  test("an autoscaled GPU pool describes its labels, GPU taint and GPUs for scale from zero", () => {
    const { json, group } = gpuPool();
    expect(asgTags(json)).toEqual({
      "k8s.io/cluster-autoscaler/enabled": "true",
      "k8s.io/cluster-autoscaler/test-cluster": "owned",
      "k8s.io/cluster-autoscaler/node-template/label/gpu-platform.io/pool": "g5",
      "k8s.io/cluster-autoscaler/node-template/label/nvidia.com/gpu.present": "true",
      "k8s.io/cluster-autoscaler/node-template/label/k8s.amazonaws.com/accelerator": "nvidia-a10g",
      "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "true:NoSchedule",
      "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "1",
    });
    const [nodeGroupId] = Object.keys(resourcesOf(json, "aws_eks_node_group"));
    for (const t of Object.values(resourcesOf(json, "aws_autoscaling_group_tag"))) {
      expect(t.autoscaling_group_name).toBe(`\${aws_eks_node_group.${nodeGroupId}.resources[0].autoscaling_groups[0].name}`);
    }
    expect(group.autoscaled).toBe(true);
  });

  test("the GPU label that makes the autoscaler wait for the device plugin is a node label too, not a selection label", () => {
    const { json, group } = gpuPool();
    expect(nodeGroupOf(json).labels).toEqual({ "gpu-platform.io/pool": "g5", "nvidia.com/gpu.present": "true", "k8s.amazonaws.com/accelerator": "nvidia-a10g" });
    expect(group.nodeLabels).toEqual({ "gpu-platform.io/pool": "g5", "nvidia.com/gpu.present": "true" });
  });

  test("extra labels and taints are described with their effect", () => {
    const { json } = gpuPool({ labels: { team: "vision" }, extraTaints: [{ key: "dedicated", value: "vision", effect: "NoExecute" }] });
    const tags = asgTags(json);
    expect(tags["k8s.io/cluster-autoscaler/node-template/label/team"]).toBe("vision");
    expect(tags["k8s.io/cluster-autoscaler/node-template/taint/dedicated"]).toBe("vision:NoExecute");
    expect(tags["k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu"]).toBe("true:NoSchedule");
  });

  test.each([
    [["g5.12xlarge"], "4", "nvidia-a10g"],
    [["p5.48xlarge"], "8", "nvidia-h100"],
    [["g6e.xlarge", "g6e.2xlarge"], "1", "nvidia-l40s"],
    // A pod may land on either type: only the smaller count is certain.
    [["g5.xlarge", "g5.12xlarge"], "1", "nvidia-a10g"],
    // Mixed GPU models: the label only has to be present.
    [["g6.xlarge", "g5.2xlarge", "g6e.xlarge"], "1", "nvidia"],
  ])("%j: %s GPU per node, accelerator %s", (instanceTypes, gpus, model) => {
    const tags = asgTags(gpuPool({ instanceTypes, capacityType: "SPOT" }).json);
    expect(tags["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"]).toBe(gpus);
    expect(tags["k8s.io/cluster-autoscaler/node-template/label/k8s.amazonaws.com/accelerator"]).toBe(model);
  });

  test("a Bottlerocket pool time-sliced on the host advertises each GPU as many times as it is shared", () => {
    const tags = asgTags(gpuPool({ amiType: "BOTTLEROCKET_x86_64_NVIDIA", instanceTypes: ["g5.12xlarge"], hostTimeSlicingReplicas: 4 }).json);
    expect(tags["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"]).toBe("16");
  });

  test("the GPU count tag is the pool's gpusPerNode, the figure the capacity checks use", () => {
    const { json, group } = gpuPool({ instanceTypes: ["g6f.large", "g6.xlarge"] });
    expect(group.gpusPerNode).toBe(1);
    expect(asgTags(json)["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"]).toBe("1");
    expect(group.node.metadata.filter((m) => m.type === "@cdktf/warn")).toEqual([]);
  });

  test("an autoscaled group leaves desired_size to the autoscaler", () => {
    const { json } = gpuPool({ minSize: 0, maxSize: 8, desiredSize: 0 });
    expect(nodeGroupOf(json).lifecycle).toEqual({ ignore_changes: ["scaling_config[0].desired_size"] });
  });

  test("by default a group is not autoscaled: Terraform owns desired_size and the autoscaler is switched off on its ASG", () => {
    const { json, group } = gpuPool({ autoscaling: undefined, minSize: 1, maxSize: 4, desiredSize: 2 });
    const ng = nodeGroupOf(json);
    expect(ng.lifecycle).toBeUndefined();
    expect(ng.scaling_config).toEqual({ min_size: 1, max_size: 4, desired_size: 2 });
    expect(ng.labels).toEqual({ "gpu-platform.io/pool": "g5", "nvidia.com/gpu.present": "true" });
    // EKS tags every managed group's ASG enabled=true; the autoscaler discovers and may scale only "true".
    expect(asgTags(json)).toEqual({ "k8s.io/cluster-autoscaler/enabled": "false" });
    expect(group.autoscaled).toBe(false);
  });

  test("the system pool describes its role label and no taints", () => {
    const stack = awsStack();
    const system = new SystemNodeGroup(stack, "system", { ...placement, autoscaling: "cluster-autoscaler" });
    const json = synthStack(stack);
    expect(asgTags(json)).toEqual({
      "k8s.io/cluster-autoscaler/enabled": "true",
      "k8s.io/cluster-autoscaler/test-cluster": "owned",
      "k8s.io/cluster-autoscaler/node-template/label/gpu-platform.io/role": "system",
    });
    expect(nodeGroupOf(json).lifecycle).toEqual({ ignore_changes: ["scaling_config[0].desired_size"] });
    expect(system).toMatchObject({ nodeGroupName: "system", capacityType: "ON_DEMAND", autoscaled: true });
  });

  test("the system pool without an autoscaler keeps its desired size under Terraform", () => {
    const stack = awsStack();
    new SystemNodeGroup(stack, "system", placement);
    const json = synthStack(stack);
    expect(nodeGroupOf(json).lifecycle).toBeUndefined();
    expect(asgTags(json)).toEqual({ "k8s.io/cluster-autoscaler/enabled": "false" });
  });

  describe("bad input", () => {
    test("an unknown autoscaling mode", () => {
      expect(() => gpuPool({ autoscaling: "karpenter" as never })).toThrow(`test/pool: 'autoscaling' must be one of cluster-autoscaler, none, got "karpenter"`);
    });

    test("two taints with one key cannot be described on an ASG", () => {
      expect(() => gpuPool({ extraTaints: [{ key: "nvidia.com/gpu", effect: "NoExecute" }] })).toThrow(
        "test/pool: 'taints' must use each key once on an autoscaled group (the ASG describes one taint per key for scale-from-zero); 'nvidia.com/gpu' repeats, got",
      );
    });
  });
});

describe("ordering check and the ASG tags", () => {
  const gpuGroup = { ami_type: "AL2023_x86_64_NVIDIA", taint: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }] };
  const asgOf = (group: string) => `\${aws_eks_node_group.${group}.resources[0].autoscaling_groups[0].name}`;
  const doc = (tags: Record<string, Record<string, unknown>>) => ({
    resource: { aws_eks_node_group: { gpu_a: gpuGroup, gpu_b: gpuGroup }, aws_autoscaling_group_tag: tags },
  });

  test("a tag on a GPU group's own Auto Scaling group is part of the group, not a wait on it", () => {
    expect(orderingFindings(doc({ t: { autoscaling_group_name: asgOf("gpu_a"), tag: { key: "k", value: "v", propagate_at_launch: false } } }))).toEqual([]);
  });

  test("anything else a tag takes from a GPU group is still a finding", () => {
    const findings = orderingFindings(doc({ t: { autoscaling_group_name: asgOf("gpu_a"), tag: { key: "k", value: "${aws_eks_node_group.gpu_b.id}", propagate_at_launch: false } } }));
    expect(findings.map((f) => f.message)).toEqual([
      "waits on the GPU node group aws_eks_node_group.gpu_b: nothing needs it, and a GPU capacity failure (quota, spot shortage) would hold this back",
    ]);
  });
});
