import { parse } from "yaml";
import { Testing } from "cdktf";
import { buildApp } from "../../stacks/app";
import { IGpuPool } from "../../lib/gpu/gpu-pool";
import { DEFAULT_CONFIG } from "../../stacks/config";
import { resourceAt, resourcesOf, synthDefaultApp } from "../support/synth";

const { cluster, platform } = synthDefaultApp();

describe("default app: cluster stack", () => {
  test("snapshot of the synthesized plan", () => {
    expect(cluster).toMatchSnapshot();
  });

  test("GPU pools use the NVIDIA AL2023 AMI, their capacity type and the GPU taint", () => {
    const ondemand = resourceAt(cluster, "aws_eks_node_group", "gpu-pool-g5-ondemand/node-group");
    const spot = resourceAt(cluster, "aws_eks_node_group", "gpu-pool-g6-spot/node-group");
    expect(ondemand).toMatchObject({ ami_type: "AL2023_x86_64_NVIDIA", capacity_type: "ON_DEMAND", instance_types: ["g5.xlarge"] });
    expect(spot).toMatchObject({ ami_type: "AL2023_x86_64_NVIDIA", capacity_type: "SPOT" });
    expect((spot.instance_types as string[]).length).toBeGreaterThan(1);
    for (const pool of [ondemand, spot]) {
      expect(pool.taint).toEqual([{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }]);
    }
    // The GPU label tells Cluster Autoscaler a new node's GPUs are still coming (autoscaled pools).
    expect(ondemand.labels).toEqual({ "gpu-platform.io/pool": "g5-ondemand", "nvidia.com/gpu.present": "true", "k8s.amazonaws.com/accelerator": "nvidia-a10g" });
  });

  test("scaling bounds come from the config and desired size is left to the autoscaler", () => {
    const ondemand = resourceAt(cluster, "aws_eks_node_group", "gpu-pool-g5-ondemand/node-group");
    expect(ondemand.scaling_config).toEqual({ min_size: 3, max_size: 6, desired_size: 3 });
    expect(ondemand.lifecycle).toEqual({ ignore_changes: ["scaling_config[0].desired_size"] });
  });

  test("every launch template requires IMDSv2 with hop limit 1 and encrypts its gp3 volume", () => {
    const templates = Object.values(resourcesOf(cluster, "aws_launch_template"));
    expect(templates).toHaveLength(3);
    for (const lt of templates) {
      expect(lt.metadata_options).toMatchObject({ http_tokens: "required", http_put_response_hop_limit: 1 });
      const [bdm] = lt.block_device_mappings as { ebs: Record<string, unknown> }[];
      expect(bdm.ebs).toMatchObject({ encrypted: "true", volume_type: "gp3" });
    }
  });

  test("the system pool is a non-GPU standard AL2023 group without taints", () => {
    const system = resourceAt(cluster, "aws_eks_node_group", "system-pool/node-group");
    expect(system.ami_type).toBe("AL2023_x86_64_STANDARD");
    expect(system.taint).toEqual([]);
    expect(system.labels).toEqual({ "gpu-platform.io/role": "system" });
  });

  test("the cluster encrypts secrets with its own rotating KMS key and logs every control-plane stream", () => {
    const eks = resourceAt(cluster, "aws_eks_cluster", "eks/cluster");
    expect(eks.encryption_config).toEqual({ resources: ["secrets"], provider: { key_arn: expect.stringMatching(/^\$\{aws_kms_key\..+\.arn\}$/) } });
    expect(eks.enabled_cluster_log_types).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    expect(eks.access_config).toEqual({ authentication_mode: "API", bootstrap_cluster_creator_admin_permissions: false });
    expect(eks.version).toBe(DEFAULT_CONFIG.cluster.mode === "new" && DEFAULT_CONFIG.cluster.kubernetesVersion);
    expect(resourceAt(cluster, "aws_kms_key", "eks/secrets-key").enable_key_rotation).toBe(true);
  });

  test("private subnets in three zones carry the internal-elb tag, public ones the elb tag", () => {
    const subnets = Object.values(resourcesOf(cluster, "aws_subnet"));
    const priv = subnets.filter((s) => (s.tags as Record<string, string>)["kubernetes.io/role/internal-elb"] === "1");
    const pub = subnets.filter((s) => (s.tags as Record<string, string>)["kubernetes.io/role/elb"] === "1");
    expect(priv).toHaveLength(3);
    expect(pub).toHaveLength(3);
    expect(new Set(priv.map((s) => s.availability_zone)).size).toBe(3);
    expect(pub.every((s) => s.map_public_ip_on_launch === false)).toBe(true);
  });

  test("add-ons: EBS CSI and VPC CNI run on IRSA roles; DNS and storage wait for the system node group", () => {
    const ebs = resourceAt(cluster, "aws_eks_addon", "addons/aws-ebs-csi-driver");
    const cni = resourceAt(cluster, "aws_eks_addon", "addons/vpc-cni");
    expect(ebs.service_account_role_arn).toMatch(/aws_iam_role\.addons_ebs-csi-role/);
    expect(cni.service_account_role_arn).toMatch(/aws_iam_role\.addons_vpc-cni-role/);
    expect(ebs.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_eks_node_group\./)]));
    expect(resourceAt(cluster, "aws_eks_addon", "addons/coredns").depends_on).toEqual([expect.stringMatching(/^aws_eks_node_group\.system-pool_node-group_/)]);
    const ng = resourceAt(cluster, "aws_eks_node_group", "system-pool/node-group");
    expect(ng.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/aws_eks_addon\.addons_vpc-cni/)]));
  });

  test("the IRSA trust policy names exactly the service account and the STS audience", () => {
    const trust = Object.entries(cluster.data!.aws_iam_policy_document).find(([k]) => k.includes("ebs-csi-role"))![1];
    const conditions = (trust.statement as { condition: { variable: string; values: string[] }[] }[])[0].condition;
    expect(conditions.map((c) => c.values)).toEqual([["system:serviceaccount:kube-system:ebs-csi-controller-sa"], ["sts.amazonaws.com"]]);
  });

  test("the deployer gets cluster-admin through an access entry for its role, not its session", () => {
    const entry = resourceAt(cluster, "aws_eks_access_entry", "eks/admin-0");
    expect(entry.principal_arn).toMatch(/data\.aws_iam_session_context\..+\.issuer_arn/);
    expect(resourceAt(cluster, "aws_eks_access_policy_association", "eks/admin-0-policy").policy_arn).toMatch(/AmazonEKSClusterAdminPolicy$/);
  });

  test("an OIDC provider for IRSA trusts the STS audience", () => {
    expect(resourceAt(cluster, "aws_iam_openid_connect_provider", "eks/oidc").client_id_list).toEqual(["sts.amazonaws.com"]);
  });
});

describe("default app: platform stack", () => {
  const helm = (path: string) => resourceAt(platform, "helm_release", path);
  const values = (path: string) => parse((helm(path).values as string[])[0]);

  test("snapshot of the synthesized plan", () => {
    expect(platform).toMatchSnapshot();
  });

  test("both providers authenticate with aws eks get-token from cross-stack outputs; no token anywhere", () => {
    const k8s = platform.provider!.kubernetes[0];
    const helmProvider = (platform.provider!.helm[0] as { kubernetes: Record<string, unknown> }).kubernetes;
    for (const p of [k8s, helmProvider]) {
      expect(p.host).toMatch(/terraform_remote_state\.cross-stack-reference-input-cluster\.outputs\..*endpoint/);
      const exec = (Array.isArray(p.exec) ? p.exec[0] : p.exec) as { command: string; args: string[] };
      expect(exec.command).toBe("aws");
      expect(exec.args.slice(0, 3)).toEqual(["eks", "get-token", "--cluster-name"]);
      expect(exec.args[3]).toMatch(/cross-stack-reference-input-cluster\.outputs\..*name/);
    }
    expect(JSON.stringify(platform)).not.toMatch(/"token"/);
  });

  test("charts are pinned to exact versions", () => {
    for (const r of Object.values(resourcesOf(platform, "helm_release"))) {
      expect(r.version).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });

  test.each(["gpu/device-plugin/chart/release", "gpu/dcgm-exporter/chart/release"])(
    "%s tolerates the GPU taint and selects exactly the two GPU pools",
    (path) => {
      const v = values(path);
      expect(v.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }]);
      const terms = v.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
      const pools = terms.map((t: { matchExpressions: { key: string; values: string[] }[] }) =>
        t.matchExpressions.find((e) => e.key === "gpu-platform.io/pool")!.values[0],
      );
      expect(pools).toEqual(DEFAULT_CONFIG.gpuPools.map((p) => p.name));
    },
  );

  test("DCGM exporter: ServiceMonitor on, honorLabels, the Prometheus release label, resources, pinned image", () => {
    const v = values("gpu/dcgm-exporter/chart/release");
    expect(v.serviceMonitor).toEqual({
      enabled: true,
      interval: "15s",
      scrapeTimeout: "10s",
      honorLabels: true,
      additionalLabels: { release: "kube-prometheus-stack" },
      // The exporter pod's own pod/namespace/container would otherwise stick to an idle GPU's series.
      relabelings: [
        { action: "replace", sourceLabels: ["__meta_kubernetes_pod_name"], targetLabel: "exporter_pod" },
        { action: "replace", sourceLabels: ["__meta_kubernetes_namespace"], targetLabel: "exporter_namespace" },
        { action: "labeldrop", regex: "pod|namespace|container" },
      ],
    });
    expect(v.resources.limits.memory).toBeDefined();
    expect(v.resources.requests.cpu).toBeDefined();
    expect(v.image.tag).toMatch(/^\d+\.\d+\.\d+-\d+\.\d+\.\d+/);
  });

  test("device plugin has no time-slicing config by default", () => {
    expect(values("gpu/device-plugin/chart/release").config).toBeUndefined();
  });

  test("namespaces carry Pod Security levels and a default encrypted gp3 StorageClass exists", () => {
    const inference = resourceAt(platform, "kubernetes_namespace_v1", "namespace-inference");
    expect((inference.metadata as { labels: Record<string, string> }).labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    const sc = resourceAt(platform, "kubernetes_storage_class_v1", "storage/class");
    expect(sc).toMatchObject({
      storage_provisioner: "ebs.csi.aws.com",
      volume_binding_mode: "WaitForFirstConsumer",
      parameters: { type: "gp3", encrypted: "true" },
    });
    expect((sc.metadata as { annotations: Record<string, string> }).annotations["storageclass.kubernetes.io/is-default-class"]).toBe("true");
  });

  test("Helm releases name their namespace literally and wait for it", () => {
    expect(helm("gpu/device-plugin/chart/release").namespace).toBe("nvidia");
    expect(helm("gpu/device-plugin/chart/release").depends_on).toEqual(["kubernetes_namespace_v1.namespace-nvidia"]);
  });

  test("synth warns about what must be set before a real deploy: image, channels, endpoint limited to the deployer", () => {
    const built = buildApp(DEFAULT_CONFIG, Testing.app());
    const warnings = [built.cluster, built.platform]
      .flatMap((s) => s.node.findAll())
      .flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data)));
    expect(warnings).toHaveLength(3);
    expect(warnings.join("\n")).toMatch(/placeholder image[\s\S]*No notification channel|No notification channel[\s\S]*placeholder image/);
    expect(warnings.join("\n")).toContain("The EKS API endpoint is reachable only from the deployer's egress address");
  });

  test("the inference server runs on the first GPU pool with one GPU and the default contract's monitor", () => {
    const deployment = Object.values(resourcesOf(platform, "kubernetes_deployment_v1"))[0];
    const text = JSON.stringify(deployment);
    expect(text).toContain('"nvidia.com/gpu":"1"');
    expect(text).toContain('"g5-ondemand"');
    expect(Object.values(resourcesOf(platform, "kubernetes_horizontal_pod_autoscaler_v2"))).toHaveLength(1);
    expect(resourceAt(platform, "helm_release", "prometheus-adapter/chart/release").chart).toBe("prometheus-adapter");
  });

  test("the inference server may overflow to the spot pool, prefers on-demand, and rolls out within its pools' capacity", () => {
    const deployment = Object.values(resourcesOf(platform, "kubernetes_deployment_v1"))[0] as {
      spec: { strategy: unknown; template: { spec: { affinity: { node_affinity: Record<string, unknown> } } } };
    };
    const affinity = JSON.stringify(deployment.spec.template.spec.affinity.node_affinity);
    expect(affinity).toMatch(/"preferred_during_scheduling_ignored_during_execution":\[\{"preference":\{"match_expressions":\[\{"key":"gpu-platform.io\/pool","operator":"In","values":\["g5-ondemand"\]/);
    expect(affinity).toContain('"values":["g6-spot"]');
    // Surge where a node autoscaler manages both pools (10 + 1 pods on 6 + 8 GPUs), else one pod at a time.
    const pools: readonly IGpuPool[] = buildApp(DEFAULT_CONFIG, Testing.app()).cluster.gpuPools;
    const autoscaled = pools.every((p) => p.autoscaled === true);
    expect(deployment.spec.strategy).toEqual({
      type: "RollingUpdate",
      rolling_update: autoscaled ? { max_surge: "1", max_unavailable: "0" } : { max_surge: "0", max_unavailable: "1" },
    });
  });

  test("state stays relative to the stack directory: no machine path in the plan", () => {
    expect(JSON.stringify(cluster) + JSON.stringify(platform)).not.toContain(process.cwd());
  });
});

describe("default app: Pod Security", () => {
  const { platform } = synthDefaultApp();
  const labelsOf = (name: string) =>
    (resourceAt(platform, "kubernetes_namespace_v1", `namespace-${name}`).metadata as { labels: Record<string, string> }).labels;

  test.each([
    ["nvidia", "privileged", "baseline"],
    ["node-monitoring", "privileged", "baseline"],
    ["monitoring", "baseline", "restricted"],
    ["inference", "restricted", "restricted"],
  ])("%s enforces %s, warns and audits at %s", (name, enforce, stricter) => {
    expect(labelsOf(name)).toMatchObject({
      "pod-security.kubernetes.io/enforce": enforce,
      "pod-security.kubernetes.io/warn": stricter,
      "pod-security.kubernetes.io/audit": stricter,
    });
  });

  test("only node-exporter leaves the monitoring namespace, for the privileged one; the release waits for it", () => {
    const release = resourceAt(platform, "helm_release", "monitoring/chart/release");
    expect(parse((release.values as string[])[0])["prometheus-node-exporter"].namespaceOverride).toBe("node-monitoring");
    expect(release.depends_on).toContain("kubernetes_namespace_v1.namespace-node-monitoring");
  });
});
