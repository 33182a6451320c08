import { Token } from "cdktf";
import { parse } from "yaml";
import { ClusterAutoscaler, ClusterAutoscalerProps } from "../../lib/autoscaling/cluster-autoscaler";
import { MonitoringCatalog } from "../../lib/contracts/monitoring-catalog";
import { monitoringLabelContract } from "../../lib/contracts/monitoring-labels";
import { clusterStack } from "../support/fixtures";
import { resourcesOf, synthStack } from "../support/synth";

const ROLE_ARN = "arn:aws:iam::123456789012:role/irsa-cluster-autoscaler";
const SYSTEM = { "gpu-platform.io/role": "system" };

function autoscaler(options: Partial<ClusterAutoscalerProps> = {}) {
  const stack = clusterStack();
  const ca = new ClusterAutoscaler(stack, "ca", {
    clusterName: "gpu-inference",
    region: "eu-west-1",
    clusterKubernetesVersion: "1.35",
    identity: { roleArn: ROLE_ARN, serviceAccount: { namespace: "kube-system", name: "cluster-autoscaler" } },
    nodeSelector: SYSTEM,
    nodeGroups: [
      { nodeGroupName: "system", capacityType: "ON_DEMAND" },
      { nodeGroupName: "g5-ondemand", capacityType: "ON_DEMAND" },
      { nodeGroupName: "g6", capacityType: "SPOT" },
    ],
    ...options,
  });
  const json = synthStack(stack);
  const [release] = Object.values(resourcesOf(json, "helm_release"));
  return { ca, release, values: parse((release.values as string[])[0]) as Record<string, unknown> };
}

const warningsOf = (ca: ClusterAutoscaler) => ca.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => m.data);

describe("ClusterAutoscaler", () => {
  const { release, values, ca } = autoscaler();

  test("pinned chart in kube-system, named so the IRSA trust matches", () => {
    expect(release).toMatchObject({ chart: "cluster-autoscaler", version: "9.59.0", repository: "https://kubernetes.github.io/autoscaler", namespace: "kube-system", name: "cluster-autoscaler" });
    expect(values.rbac).toEqual({ serviceAccount: { name: "cluster-autoscaler", annotations: { "eks.amazonaws.com/role-arn": ROLE_ARN } } });
    expect(values.fullnameOverride).toBe("cluster-autoscaler");
  });

  test("discovers ASGs by this cluster's tags, with values, in its region", () => {
    expect(values.cloudProvider).toBe("aws");
    expect(values.awsRegion).toBe("eu-west-1");
    expect(values.autoDiscovery).toEqual({
      clusterName: "gpu-inference",
      tags: ["k8s.io/cluster-autoscaler/enabled=true", "k8s.io/cluster-autoscaler/gpu-inference=owned"],
    });
  });

  test("spot groups first, then on-demand, matched on the ASG names EKS gives them; least-waste breaks ties", () => {
    expect((values.extraArgs as Record<string, unknown>).expander).toBe("priority,least-waste");
    const uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    expect(values.expanderPriorities).toEqual({ 20: [`^eks-g6-${uuid}$`], 10: [`^eks-system-${uuid}$`, `^eks-g5-ondemand-${uuid}$`] });
  });

  test("a group's pattern matches its own ASG and no other pool's", () => {
    const priorities = values.expanderPriorities as Record<string, string[]>;
    const g6 = new RegExp(priorities["20"][0]);
    // EKS names a managed node group's ASG eks-<node group name>-<node group uuid>.
    expect(g6.test("eks-g6-1ac6a2b4-5d3e-4f60-9a7b-0c1d2e3f4a5b")).toBe(true);
    expect(g6.test("eks-g6-spot-1ac6a2b4-5d3e-4f60-9a7b-0c1d2e3f4a5b")).toBe(false);
    expect(g6.test("eks-g6-1ac6a2b4-5d3e-4f60-9a7b-0c1d2e3f4a5b-x")).toBe(false);
  });

  test("scale-down waits for GPU warm-up, emptyDir caches do not pin nodes, similar groups grow evenly", () => {
    expect(values.extraArgs).toEqual({
      expander: "priority,least-waste",
      "balance-similar-node-groups": true,
      "scale-down-unneeded-time": "20m",
      "scale-down-delay-after-add": "20m",
      "skip-nodes-with-local-storage": false,
      "aws-use-static-instance-list": false,
    });
  });

  test("one replica on the system pool, system-cluster-critical, non-root with a read-only root filesystem", () => {
    expect(values).toMatchObject({
      replicaCount: 1,
      nodeSelector: SYSTEM,
      priorityClassName: "system-cluster-critical",
      securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
      containerSecurityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true },
      resources: { requests: { cpu: "100m", memory: "300Mi" }, limits: { memory: "600Mi" } },
      podDisruptionBudget: { maxUnavailable: 1 },
    });
  });

  test("the image follows the cluster's Kubernetes minor", () => {
    expect(values.image).toEqual({ repository: "registry.k8s.io/autoscaling/cluster-autoscaler", tag: "v1.35.2" });
    expect(warningsOf(ca)).toEqual([]);
  });

  test.each([
    ["1.31", "v1.31.5"],
    ["1.32", "v1.32.7"],
    ["1.33", "v1.33.6"],
    ["1.34", "v1.34.5"],
    ["1.36", "v1.36.1"],
  ])("Kubernetes %s runs Cluster Autoscaler %s", (version, tag) => {
    expect(autoscaler({ clusterKubernetesVersion: version }).values.image).toMatchObject({ tag });
  });

  test("an explicit kubernetesVersion wins over the cluster's", () => {
    expect(autoscaler({ kubernetesVersion: "1.33" }).values.image).toMatchObject({ tag: "v1.33.6" });
  });

  test("a version known only at apply gets the default minor's release and a warning that says how to pin it", () => {
    const { values: v, ca: looked } = autoscaler({ clusterKubernetesVersion: Token.asString({ Ref: "version" }) });
    expect(v.image).toMatchObject({ tag: "v1.35.2" });
    expect(warningsOf(looked)).toEqual([
      "The cluster's Kubernetes version is only known at apply time, so Cluster Autoscaler v1.35.2 (for Kubernetes 1.35) is installed; its minor should match the cluster's: set kubernetesVersion (nodeAutoscaling.kubernetesVersion in the app's configuration) to the cluster's minor version.",
    ]);
  });

  test("overrides: replicas, scale-down times, static instance list", () => {
    const { values: v } = autoscaler({ replicas: 2, scaleDownUnneededTime: "30m", scaleDownDelayAfterAdd: "1h", useStaticInstanceList: true });
    expect(v.replicaCount).toBe(2);
    expect(v.podDisruptionBudget).toEqual({ maxUnavailable: 1 });
    expect(v.extraArgs).toMatchObject({ "scale-down-unneeded-time": "30m", "scale-down-delay-after-add": "1h", "aws-use-static-instance-list": true });
  });

  test("without node groups there is nothing to prioritise: least-waste alone, no priorities ConfigMap", () => {
    const { values: v } = autoscaler({ nodeGroups: [] });
    expect((v.extraArgs as Record<string, unknown>).expander).toBe("least-waste");
    expect(v).not.toHaveProperty("expanderPriorities");
  });

  test("metrics are scraped through the catalog, selecting the chart's Service and port", () => {
    const catalog = new MonitoringCatalog(monitoringLabelContract());
    const { values: v } = autoscaler({ catalog });
    expect(catalog.serviceMonitors).toEqual([
      {
        name: "cluster-autoscaler",
        namespace: "kube-system",
        selectorLabels: { "app.kubernetes.io/instance": "cluster-autoscaler", "app.kubernetes.io/name": "aws-cluster-autoscaler" },
        port: "http",
      },
    ]);
    expect(v.service).toEqual({ portName: "http" });
    // No ServiceMonitor of the chart's own: its CRD may not exist yet on a first apply.
    expect(v).not.toHaveProperty("serviceMonitor");
  });

  describe("bad input", () => {
    test("a Kubernetes version without a pinned release", () => {
      expect(() => autoscaler({ clusterKubernetesVersion: "1.29" })).toThrow(
        `test/ca: 'kubernetesVersion' must be a Kubernetes minor version with a pinned Cluster Autoscaler release (1.31, 1.32, 1.33, 1.34, 1.35, 1.36): Cluster Autoscaler's minor must match the cluster's, got "1.29"`,
      );
    });

    test.each([["10 minutes"], ["5d"], [""]])("scale-down time %j is not a duration", (value) => {
      expect(() => autoscaler({ scaleDownUnneededTime: value })).toThrow(
        `test/ca: 'scaleDownUnneededTime' must be a duration of hours, minutes and seconds such as 20m, 1h or 1h30m, got ${JSON.stringify(value)}`,
      );
    });

    test("a delay after scale-up shorter than a minute", () => {
      expect(() => autoscaler({ scaleDownDelayAfterAdd: "30s" })).toThrow(
        `test/ca: 'scaleDownDelayAfterAdd' must be at least 1m: shorter removes GPU nodes that are still warming up, got "30s"`,
      );
    });

    test("replicas out of range", () => {
      expect(() => autoscaler({ replicas: 0 })).toThrow("test/ca: 'replicas' must be an integer between 1 and 5, got 0");
    });

    test("no node selector would let it land on a GPU node", () => {
      expect(() => autoscaler({ nodeSelector: {} })).toThrow("test/ca: 'nodeSelector' must hold the system pool's node labels, got {}");
    });
  });
});
