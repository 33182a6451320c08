import { checkVpcCniVersion } from "../../lib/cluster/eks-addons";
import { resolveConfig } from "../../stacks/config";
import { awsStack } from "../support/fixtures";
import { TfJson, resourcesOf, synthDefaultApp } from "../support/synth";

/** Terraform addresses of the node groups whose labels say they are GPU or system nodes. */
function nodeGroupAddresses(doc: TfJson): { gpu: string[]; system: string[] } {
  const groups = Object.entries(resourcesOf(doc, "aws_eks_node_group")).map(([id, ng]) => ({
    address: `aws_eks_node_group.${id}`,
    labels: ng.labels as Record<string, string>,
  }));
  return {
    gpu: groups.filter((g) => g.labels["nvidia.com/gpu.present"] === "true").map((g) => g.address),
    system: groups.filter((g) => g.labels["gpu-platform.io/role"] === "system").map((g) => g.address),
  };
}

function addonsByName(doc: TfJson): Record<string, { depends_on?: string[]; configuration_values?: string }> {
  return Object.fromEntries(Object.values(resourcesOf(doc, "aws_eks_addon")).map((a) => [a.addon_name as string, a]));
}

describe("EKS add-ons of the cluster stack", () => {
  // Three GPU pools, one of them spot from zero: none of them may hold up DNS or storage.
  const { cluster } = synthDefaultApp(
    resolveConfig({
      gpuPools: [
        { name: "a10g", instanceTypes: ["g5.xlarge"], minSize: 3, maxSize: 6 },
        { name: "l4-spot", instanceTypes: ["g6.xlarge", "g6.2xlarge"], capacityType: "SPOT", minSize: 0, maxSize: 8 },
        { name: "l40s", instanceTypes: ["g6e.xlarge"], amiType: "BOTTLEROCKET_x86_64_NVIDIA", minSize: 0, maxSize: 2 },
      ],
    }),
  );
  const groups = nodeGroupAddresses(cluster);
  const addons = addonsByName(cluster);

  test("the fixture has the node groups the assertions rely on", () => {
    expect(groups.gpu).toHaveLength(3);
    expect(groups.system).toHaveLength(1);
    expect(Object.keys(addons).sort()).toEqual(["aws-ebs-csi-driver", "coredns", "kube-proxy", "vpc-cni"]);
  });

  test("no add-on waits for a GPU node group: a GPU capacity failure leaves DNS and storage alone", () => {
    for (const [name, addon] of Object.entries(addons)) {
      const waitsOnGpu = (addon.depends_on ?? []).filter((d) => groups.gpu.includes(d));
      expect({ addon: name, waitsOnGpu }).toEqual({ addon: name, waitsOnGpu: [] });
    }
  });

  test("CoreDNS and the EBS CSI driver wait for the system node group they run on", () => {
    expect(addons.coredns.depends_on).toEqual(groups.system);
    expect(addons["aws-ebs-csi-driver"].depends_on).toEqual(groups.system);
  });

  test("the VPC CNI enforces NetworkPolicies (enableNetworkPolicy, a string in the add-on schema)", () => {
    expect(JSON.parse(addons["vpc-cni"].configuration_values!)).toEqual({ enableNetworkPolicy: "true" });
    for (const other of ["coredns", "kube-proxy", "aws-ebs-csi-driver"]) {
      expect(addons[other].configuration_values).toBeUndefined();
    }
  });
});

describe("checkVpcCniVersion", () => {
  const scope = awsStack();
  test("a pinned version from before network policy support is rejected", () => {
    expect(() => checkVpcCniVersion(scope, "v1.13.4-eksbuild.1")).toThrow(
      `test: 'EKS_ADDON_VERSIONS["vpc-cni"]' must be an add-on version like "v1.19.2-eksbuild.1", v1.14.0-eksbuild.3 or later (the first that enforces NetworkPolicies), got "v1.13.4-eksbuild.1"`,
    );
    expect(() => checkVpcCniVersion(scope, "v1.14.0-eksbuild.2")).toThrow('got "v1.14.0-eksbuild.2"');
    expect(() => checkVpcCniVersion(scope, "latest")).toThrow('must be an add-on version like "v1.19.2-eksbuild.1"');
  });

  test("unpinned (EKS's default for the cluster) and recent versions are accepted", () => {
    expect(() => checkVpcCniVersion(scope, undefined)).not.toThrow();
    expect(() => checkVpcCniVersion(scope, "v1.14.0-eksbuild.3")).not.toThrow();
    expect(() => checkVpcCniVersion(scope, "v1.20.1-eksbuild.1")).not.toThrow();
  });
});
