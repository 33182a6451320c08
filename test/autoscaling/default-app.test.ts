import { Testing } from "cdktf";
import { parse } from "yaml";
import { buildApp } from "../../stacks/app";
import { ClusterStack } from "../../stacks/cluster-stack";
import { PlatformStack } from "../../stacks/platform-stack";
import { DEFAULT_CONFIG, resolveConfig } from "../../stacks/config";
import { TfJson, resourceAt, resourcesOf, synthDefaultApp } from "../support/synth";

const CROSS_STACK = /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-cluster\.outputs\.cross-stack-output-(.+)\}$/;

function caValues(platform: TfJson): Record<string, unknown> {
  return parse((resourceAt(platform, "helm_release", "cluster-autoscaler/chart/release").values as string[])[0]) as Record<string, unknown>;
}

// Terraform parses these stacks in the Terraform gate (test/terraform): autoscaling is on by default.
describe("default app: node autoscaling", () => {
  const { cluster, platform } = synthDefaultApp();
  const values = caValues(platform);

  test("is on by default", () => {
    expect(DEFAULT_CONFIG.nodeAutoscaling).toEqual({ enabled: true });
  });

  test("the chart's service account is annotated with the cluster stack's IRSA role, by cross-stack reference", () => {
    const annotation = (values.rbac as { serviceAccount: { annotations: Record<string, string> } }).serviceAccount.annotations["eks.amazonaws.com/role-arn"];
    const [, output] = CROSS_STACK.exec(annotation)!;
    expect(cluster.output![`cross-stack-output-${output}`].value).toMatch(/^\$\{aws_iam_role\.cluster-autoscaler_irsa_role_[0-9A-F]{8}\.arn\}$/);
  });

  test("the priority expander matches the node groups' ASGs by name, without referring to the node groups", () => {
    const priorities = values.expanderPriorities as Record<string, string[]>;
    expect(priorities["20"]).toEqual([expect.stringMatching(/^\^eks-g6-spot-\[/)]);
    expect(priorities["10"]).toEqual([expect.stringMatching(/^\^eks-system-\[/), expect.stringMatching(/^\^eks-g5-ondemand-\[/)]);
    expect(Object.keys(cluster.output!).filter((o) => o.includes("autoscaling_groups"))).toEqual([]);
  });

  test("it runs on the system pool and follows the cluster's Kubernetes minor", () => {
    expect(values.nodeSelector).toEqual({ "gpu-platform.io/role": "system" });
    expect(values.image).toEqual({ repository: "registry.k8s.io/autoscaling/cluster-autoscaler", tag: "v1.35.2" });
  });

  test("every node group leaves desired_size to it and is tagged for discovery", () => {
    for (const ng of Object.values(resourcesOf(cluster, "aws_eks_node_group"))) {
      expect(ng.lifecycle).toEqual({ ignore_changes: ["scaling_config[0].desired_size"] });
    }
    const enabled = Object.values(resourcesOf(cluster, "aws_autoscaling_group_tag")).filter((t) => (t.tag as { key: string }).key === "k8s.io/cluster-autoscaler/enabled");
    expect(enabled.map((t) => (t.tag as { value: string }).value)).toEqual(["true", "true", "true"]);
  });

  test("the spot pool, at zero nodes, is described to the autoscaler", () => {
    const spotTags = Object.entries(resourcesOf(cluster, "aws_autoscaling_group_tag"))
      .filter(([id]) => id.startsWith("gpu-pool-g6-spot_"))
      .map(([, t]) => t.tag as { key: string; value: string });
    expect(spotTags).toEqual(
      expect.arrayContaining([
        { key: "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu", value: "1", propagate_at_launch: false },
        { key: "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu", value: "true:NoSchedule", propagate_at_launch: false },
        { key: "k8s.io/cluster-autoscaler/node-template/label/gpu-platform.io/pool", value: "g6-spot", propagate_at_launch: false },
      ]),
    );
  });

  test("the GPU pools handed to the platform are marked autoscaled", () => {
    const built = buildApp(DEFAULT_CONFIG, Testing.app());
    expect(built.cluster.gpuPools.map((p) => [p.poolName, p.autoscaled])).toEqual([
      ["g5-ondemand", true],
      ["g6-spot", true],
    ]);
    expect(built.platform.clusterAutoscaler).toBeDefined();
  });

  test("switched off: no role, no chart, Terraform owns desired_size, the ASGs are marked not autoscaled", () => {
    const off = synthDefaultApp(resolveConfig({ nodeAutoscaling: { enabled: false } }));
    expect(Object.keys(resourcesOf(off.platform, "helm_release")).filter((id) => id.startsWith("cluster-autoscaler"))).toEqual([]);
    expect(Object.keys(resourcesOf(off.cluster, "aws_iam_role")).filter((id) => id.startsWith("cluster-autoscaler"))).toEqual([]);
    for (const ng of Object.values(resourcesOf(off.cluster, "aws_eks_node_group"))) {
      expect(ng.lifecycle).toBeUndefined();
    }
    const tags = Object.values(resourcesOf(off.cluster, "aws_autoscaling_group_tag")).map((t) => t.tag);
    expect(tags).toEqual(Array(3).fill({ key: "k8s.io/cluster-autoscaler/enabled", value: "false", propagate_at_launch: false }));
  });

  test("a platform without an autoscaler warns about pools that wait for one", () => {
    const app = Testing.app();
    const clusterStack = new ClusterStack(app, "cluster", DEFAULT_CONFIG);
    const platformStack = new PlatformStack(app, "platform", {
      region: DEFAULT_CONFIG.region,
      tags: {},
      cluster: clusterStack.cluster,
      gpuPools: clusterStack.gpuPools,
      systemNodeLabels: clusterStack.systemPool.nodeLabels,
      inference: DEFAULT_CONFIG.inference,
      alerting: {},
    });
    expect(platformStack.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => m.data)).toContain(
      "GPU pools g5-ondemand, g6-spot leave their size to Cluster Autoscaler, but this platform installs none (nodeAutoscaling): they stay at their current size unless one runs in the cluster.",
    );
  });

  test("an existing cluster gets the release of the minor its configuration names", () => {
    const existing = synthDefaultApp(resolveConfig({ cluster: { mode: "existing", name: "prod-eks" }, nodeAutoscaling: { kubernetesVersion: "1.33" } }));
    expect(caValues(existing.platform).image).toMatchObject({ tag: "v1.33.6" });
  });

  describe("configuration errors", () => {
    test("a misspelt key", () => {
      expect(() => resolveConfig({ nodeAutoscaling: { enable: false } })).toThrow(
        "config: 'nodeAutoscaling.enable' is not a known setting (did you mean 'enabled'?); known settings here: enabled, kubernetesVersion, got false",
      );
    });

    test("a Kubernetes version for a new cluster, which has its own", () => {
      expect(() => resolveConfig({ nodeAutoscaling: { kubernetesVersion: "1.34" } })).toThrow(
        `config: 'nodeAutoscaling.kubernetesVersion' only applies to an existing cluster (cluster.mode "existing"); a new cluster's Cluster Autoscaler follows cluster.kubernetesVersion, got "1.34"`,
      );
    });

    test("a version with autoscaling switched off", () => {
      expect(() => resolveConfig({ cluster: { mode: "existing", name: "prod" }, nodeAutoscaling: { enabled: false, kubernetesVersion: "1.34" } })).toThrow(
        `config: 'nodeAutoscaling.kubernetesVersion' only applies when nodeAutoscaling.enabled is true, got "1.34"`,
      );
    });

    test("a version outside the supported range", () => {
      expect(() => resolveConfig({ cluster: { mode: "existing", name: "prod" }, nodeAutoscaling: { kubernetesVersion: "1.28" } })).toThrow(
        `config: 'nodeAutoscaling.kubernetesVersion' must be a Kubernetes minor version from 1.31 to 1.36 (supported by the EKS GPU AMIs), got "1.28"`,
      );
    });

    test("enabled that is not a boolean", () => {
      expect(() => resolveConfig({ nodeAutoscaling: { enabled: "yes" } })).toThrow(`config: 'nodeAutoscaling.enabled' must be a boolean, got "yes"`);
    });
  });
});
