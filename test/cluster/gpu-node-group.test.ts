import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Testing } from "cdktf";
import { GpuNodeGroup, GpuNodeGroupOptions } from "../../lib/cluster/gpu-node-group";
import { awsStack, fakeCluster } from "../support/fixtures";

function pool(options: Partial<GpuNodeGroupOptions> = {}, kubernetesVersion = "1.35") {
  const stack = awsStack();
  const group = new GpuNodeGroup(stack, "pool", {
    poolName: "g5",
    instanceTypes: ["g5.xlarge"],
    cluster: fakeCluster(kubernetesVersion),
    nodeRoleArn: "arn:aws:iam::123456789012:role/node",
    ...options,
  });
  return { stack, group };
}

describe("GpuNodeGroup", () => {
  test("defaults: on-demand AL2023 NVIDIA, 0..4 nodes, 200 GiB, GPU taint, pool labels", () => {
    const { stack, group } = pool();
    const json = Testing.synth(stack);
    expect(json).toHaveResourceWithProperties(EksNodeGroup, {
      ami_type: "AL2023_x86_64_NVIDIA",
      capacity_type: "ON_DEMAND",
      scaling_config: { min_size: 0, max_size: 4, desired_size: 0 },
      taint: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }],
      labels: { "gpu-platform.io/pool": "g5", "nvidia.com/gpu.present": "true" },
    });
    expect(json).toHaveResourceWithProperties(LaunchTemplate, {
      block_device_mappings: [{ device_name: "/dev/xvda", ebs: { volume_size: 200, volume_type: "gp3", encrypted: "true", delete_on_termination: "true" } }],
    });
    expect(group.taints).toEqual([{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }]);
  });

  test("overrides: Bottlerocket sizes its data volume, spot, bounds, extra labels and taints", () => {
    const { stack } = pool({
      amiType: "BOTTLEROCKET_x86_64_NVIDIA",
      capacityType: "SPOT",
      instanceTypes: ["g6.xlarge", "g6.2xlarge"],
      minSize: 1,
      maxSize: 10,
      desiredSize: 2,
      diskSizeGiB: 500,
      labels: { team: "vision" },
      extraTaints: [{ key: "dedicated", value: "vision", effect: "NoSchedule" }],
    });
    const json = Testing.synth(stack);
    expect(json).toHaveResourceWithProperties(EksNodeGroup, {
      ami_type: "BOTTLEROCKET_x86_64_NVIDIA",
      capacity_type: "SPOT",
      instance_types: ["g6.xlarge", "g6.2xlarge"],
      scaling_config: { min_size: 1, max_size: 10, desired_size: 2 },
      labels: { "gpu-platform.io/pool": "g5", "nvidia.com/gpu.present": "true", team: "vision" },
      taint: [
        { key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" },
        { key: "dedicated", value: "vision", effect: "NO_SCHEDULE" },
      ],
    });
    expect(json).toHaveResourceWithProperties(LaunchTemplate, {
      block_device_mappings: [{ device_name: "/dev/xvdb", ebs: { volume_size: 500, volume_type: "gp3", encrypted: "true", delete_on_termination: "true" } }],
    });
  });

  test("every family the EKS GPU AMIs support is accepted, p5 and p6 included", () => {
    for (const t of ["g4dn.xlarge", "g6e.12xlarge", "p4d.24xlarge", "p5.48xlarge", "p5en.48xlarge", "p6-b200.48xlarge"]) {
      expect(() => pool({ instanceTypes: [t] })).not.toThrow();
    }
  });

  describe("capacity", () => {
    test("maxNodes is maxSize; gpusPerNode is the smallest listed instance's GPU count", () => {
      expect(pool().group).toMatchObject({ maxNodes: 4, gpusPerNode: 1 });
      expect(pool({ instanceTypes: ["g5.12xlarge", "g6.48xlarge"], maxSize: 3 }).group).toMatchObject({ maxNodes: 3, gpusPerNode: 4 });
      expect(pool({ instanceTypes: ["g6.xlarge", "g6e.12xlarge"] }).group.gpusPerNode).toBe(1);
    });

    test("Bottlerocket's host time-slicing multiplies the GPUs a node offers", () => {
      const { group } = pool({ amiType: "BOTTLEROCKET_x86_64_NVIDIA", instanceTypes: ["g5.12xlarge"], hostTimeSlicingReplicas: 4 });
      expect(group.gpusPerNode).toBe(16);
    });

    test.each([
      ["g4dn.12xlarge", 4],
      ["g4dn.metal", 8],
      ["g5.48xlarge", 8],
      ["g6e.24xlarge", 4],
      ["g6f.large", 1],
      ["gr6f.4xlarge", 1],
      ["g7e.12xlarge", 2],
      ["p3.8xlarge", 4],
      ["p4de.24xlarge", 8],
      ["p5.4xlarge", 1],
      ["p6-b300.48xlarge", 8],
    ])("%s offers %i nvidia.com/gpu", (type, gpus) => {
      expect(pool({ instanceTypes: [type] }).group.gpusPerNode).toBe(gpus);
    });
  });

  describe("bad input", () => {
    test("a size EC2 does not have is rejected with the family's sizes, from the EC2 API's own list", () => {
      expect(() => pool({ instanceTypes: ["g5.xlarge", "g5.banana"] })).toThrow(
        `test/pool: 'instanceTypes[1]' must be an EC2 instance type (family.size, as EC2 lists them): g5 comes in g5.xlarge, g5.2xlarge, g5.4xlarge, g5.8xlarge, g5.12xlarge, g5.16xlarge, g5.24xlarge, g5.48xlarge, got "g5.banana"`,
      );
      expect(() => pool({ instanceTypes: ["p5e.4xlarge"] })).toThrow(
        `test/pool: 'instanceTypes[0]' must be an EC2 instance type (family.size, as EC2 lists them): p5e comes in p5e.48xlarge, got "p5e.4xlarge"`,
      );
      expect(() => pool({ instanceTypes: ["g55.xlarge"] })).toThrow(`no family "g55" exists; did you mean g5, g5g?`);
    });

    test("a Graviton GPU type on the x86 GPU AMI is rejected at synth, and the plan checks it with EC2", () => {
      expect(() => pool({ instanceTypes: ["g5g.xlarge"] })).toThrow(
        "test/pool: 'instanceTypes[0]' must run the AMI's architecture: g5g.xlarge is arm64 (AWS Graviton) but amiType AL2023_x86_64_NVIDIA is x86_64",
      );
    });

    test.each([
      ["m5.large", "a CPU instance"],
      ["g4ad.xlarge", "an AMD GPU"],
      ["inf2.xlarge", "an Inferentia accelerator"],
    ])("instance type %s (%s) is rejected", (type) => {
      expect(() => pool({ instanceTypes: ["g5.xlarge", type] })).toThrow(
        `test/pool: 'instanceTypes[1]' must be an NVIDIA GPU instance type of a family the EKS GPU AMIs support (g4dn, g5, g6, g6e, g6f, gr6, gr6f, g7e, p3, p3dn, p4d, p4de, p5, p5e, p5en, p6-b200, p6-b300), got "${type}"`,
      );
    });

    test("an empty instance type list", () => {
      expect(() => pool({ instanceTypes: [] })).toThrow("test/pool: 'instanceTypes' must list at least one NVIDIA GPU instance type, got []");
    });

    test("min above max", () => {
      expect(() => pool({ minSize: 5, maxSize: 2, desiredSize: 2 })).toThrow("test/pool: 'minSize' must not exceed maxSize (2), got 5");
    });

    test("desired outside the bounds", () => {
      expect(() => pool({ minSize: 1, maxSize: 3, desiredSize: 4 })).toThrow("test/pool: 'desiredSize' must lie between minSize (1) and maxSize (3), got 4");
      expect(() => pool({ minSize: 2, maxSize: 3, desiredSize: 1 })).toThrow("test/pool: 'desiredSize' must lie between minSize (2) and maxSize (3), got 1");
    });

    test("max above the EKS node group limit", () => {
      expect(() => pool({ maxSize: 451 })).toThrow("test/pool: 'maxSize' must be an integer between 1 and 450, got 451");
    });

    test("a pool name that is not a DNS label", () => {
      expect(() => pool({ poolName: "G5_Pool" })).toThrow(
        "test/pool: 'poolName' must be a DNS-1123 label (1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit), got \"G5_Pool\"",
      );
    });

    test("a Kubernetes version the GPU AMI type does not ship", () => {
      expect(() => pool({}, "1.29")).toThrow(
        "test/pool: 'cluster.kubernetesVersion' must be a Kubernetes minor version from 1.31 to 1.36 (for amiType AL2023_x86_64_NVIDIA), got \"1.29\"",
      );
    });

    test("an AMI type that is not a GPU AMI", () => {
      expect(() => pool({ amiType: "AL2_x86_64_GPU" as never })).toThrow(
        "test/pool: 'amiType' must be one of AL2023_x86_64_NVIDIA, BOTTLEROCKET_x86_64_NVIDIA, got \"AL2_x86_64_GPU\"",
      );
    });

    test("labels that would overwrite the pool's own", () => {
      expect(() => pool({ labels: { "gpu-platform.io/pool": "other" } })).toThrow(
        "test/pool: 'labels' must not set gpu-platform.io/pool: the pool sets it, got {\"gpu-platform.io/pool\":\"other\"}",
      );
    });

    test("spot with a single instance type warns but synthesizes", () => {
      const { group } = pool({ capacityType: "SPOT", instanceTypes: ["g6.xlarge"] });
      const warnings = group.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => m.data);
      expect(warnings).toEqual([
        "GPU pool 'g5' is SPOT with a single instance type (g6.xlarge): one capacity pool is often exhausted; list several GPU instance types.",
      ]);
    });

    test("spot with several instance types does not warn", () => {
      const { group } = pool({ capacityType: "SPOT", instanceTypes: ["g6.xlarge", "g5.xlarge"] });
      expect(group.node.metadata.filter((m) => m.type === "@cdktf/warn")).toEqual([]);
    });
  });
});
