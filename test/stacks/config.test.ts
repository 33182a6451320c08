import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { Testing } from "cdktf";
import { buildApp } from "../../stacks/app";
import { DEFAULT_CONFIG, loadConfig, resolveConfig } from "../../stacks/config";
import { resourceAt, synthDefaultApp } from "../support/synth";

function configFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "platform-config-"));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("configuration", () => {
  test("no input gives the defaults", () => {
    expect(loadConfig({})).toEqual(DEFAULT_CONFIG);
  });

  test("a YAML file overrides region, pools and network; unset keys keep their defaults", () => {
    const path = configFile(
      "platform.yaml",
      [
        "region: eu-west-1",
        "network:",
        "  vpcCidr: 10.20.0.0/16",
        "  privateSubnetCidrs: [10.20.0.0/18, 10.20.64.0/18]",
        "  publicSubnetCidrs: [10.20.128.0/22, 10.20.132.0/22]",
        "gpuPools:",
        "  - name: l40s",
        "    instanceTypes: [g6e.xlarge, g6e.2xlarge]",
        "    capacityType: SPOT",
        "    maxSize: 2",
        "tags: { team: ml }",
      ].join("\n"),
    );
    const config = loadConfig({ GPU_PLATFORM_CONFIG: path });
    expect(config.region).toBe("eu-west-1");
    expect(config.gpuPools).toEqual([
      { name: "l40s", instanceTypes: ["g6e.xlarge", "g6e.2xlarge"], capacityType: "SPOT", amiType: "AL2023_x86_64_NVIDIA", minSize: 0, maxSize: 2, desiredSize: 0, diskSizeGiB: 200 },
    ]);
    expect(config.cluster.mode === "new" && config.cluster.network.serviceCidr).toBe("172.20.0.0/16");
    expect(config.tags).toEqual({ ...DEFAULT_CONFIG.tags, team: "ml" });
  });

  test("environment variables override the file", () => {
    const path = configFile("platform.json", JSON.stringify({ region: "eu-west-1", cluster: { name: "from-file" } }));
    const config = loadConfig({ GPU_PLATFORM_CONFIG: path, GPU_PLATFORM_REGION: "ap-northeast-1", GPU_PLATFORM_CLUSTER_NAME: "from-env" });
    expect(config.region).toBe("ap-northeast-1");
    expect(config.cluster.name).toBe("from-env");
  });

  test("GPU_PLATFORM_EXISTING_CLUSTER switches to existing-cluster mode", () => {
    expect(loadConfig({ GPU_PLATFORM_EXISTING_CLUSTER: "prod-eks" }).cluster).toEqual({ mode: "existing", name: "prod-eks" });
  });

  test("existing-cluster mode synthesizes a lookup, node groups and no VPC or control plane", () => {
    const { cluster, platform } = synthDefaultApp(resolveConfig({ cluster: { mode: "existing", name: "prod-eks" } }));
    expect(cluster.resource!.aws_eks_cluster).toBeUndefined();
    expect(cluster.resource!.aws_vpc).toBeUndefined();
    expect(cluster.data!.aws_eks_cluster).toBeDefined();
    expect(Object.keys(cluster.resource!.aws_eks_node_group)).toHaveLength(3);
    expect(resourceAt(cluster, "aws_eks_node_group", "system-pool/node-group").subnet_ids).toMatch(/data\.aws_eks_cluster\.eks_cluster.*vpc_config\[0\]\.subnet_ids/);
    expect(JSON.stringify(platform.provider!.kubernetes)).toMatch(/cross-stack-reference-input-cluster/);
  });

  test("a private endpoint synthesizes without public access CIDRs", () => {
    const { cluster } = synthDefaultApp(resolveConfig({ cluster: { endpointPublicAccess: false } }));
    const vpc = resourceAt(cluster, "aws_eks_cluster", "eks/cluster").vpc_config as Record<string, unknown>;
    expect(vpc).toMatchObject({ endpoint_private_access: true, endpoint_public_access: false });
    expect(vpc.public_access_cidrs).toBeUndefined();
  });

  test("alerting channels from Secrets Manager are copied at apply; the plan holds references only", () => {
    const { platform } = synthDefaultApp(
      resolveConfig({ alerting: { slackWebhookUrl: "aws-secretsmanager:prod/alerting#slack", pagerdutyRoutingKey: "kubernetes:pagerduty/routing-key" } }),
    );
    const values = (resourceAt(platform, "helm_release", "monitoring/chart/release").values as string[])[0];
    expect(values).toContain("api_url_file: /etc/alertmanager/secrets/alertmanager-secrets-manager/");
    expect(values).toContain("routing_key_file: /etc/alertmanager/secrets/pagerduty/routing-key");
    const copy = Object.values(platform.resource!.kubernetes_secret_v1).find((s) => JSON.stringify(s).includes("secretsmanager"))!;
    expect(JSON.stringify(copy.data)).toMatch(/\$\{jsondecode\(data\.aws_secretsmanager_secret_version\.[^}]+\.secret_string\)\.slack\}/);
  });

  test("inference image and pool from the config", () => {
    const { platform } = synthDefaultApp(resolveConfig({ inference: { image: "ghcr.io/acme/detector:1.2.3", gpuPool: "g6-spot" } }));
    const deployment = JSON.stringify(platform.resource!.kubernetes_deployment_v1);
    expect(deployment).toContain("ghcr.io/acme/detector:1.2.3");
    expect(deployment).toContain('"g6-spot"');
  });

  test("inference overflow: the first other pool by default, none on request or with a single pool", () => {
    expect(DEFAULT_CONFIG.inference.overflowPool).toBe("g6-spot");
    expect(resolveConfig({ inference: { gpuPool: "g6-spot" } }).inference).toMatchObject({ gpuPool: "g6-spot", overflowPool: "g5-ondemand" });
    const own = [
      { name: "a", instanceTypes: ["g5.xlarge"], maxSize: 10 },
      { name: "b", instanceTypes: ["g6.xlarge"], maxSize: 4 },
      { name: "c", instanceTypes: ["g6.xlarge"], maxSize: 4 },
    ];
    expect(resolveConfig({ gpuPools: own }).inference.overflowPool).toBe("b");
    expect(resolveConfig({ gpuPools: own, inference: { gpuPool: "b" } }).inference.overflowPool).toBe("a");
    expect(resolveConfig({ gpuPools: own, inference: { overflowPool: "none" } }).inference.overflowPool).toBeUndefined();
    expect(resolveConfig({ gpuPools: own.slice(0, 1) }).inference.overflowPool).toBeUndefined();
    expect(resolveConfig({ gpuPools: own, inference: { overflowPool: "c", maxReplicas: 12 } }).inference).toMatchObject({ overflowPool: "c", maxReplicas: 12 });
  });

  test("a single pool of your own must hold the HPA's maximum", () => {
    const own = [{ name: "a", instanceTypes: ["g5.xlarge"], maxSize: 4 }];
    expect(() => synthDefaultApp(resolveConfig({ gpuPools: own }))).toThrow(
      "platform/inference-server: service inference/inference-server (autoscaling.maxReplicas 10 × 1 GPU) needs up to 10 nvidia.com/gpu at the peak, but GPU pool 'a' (4 nodes × 1 GPU) holds at most 4",
    );
    const { platform } = synthDefaultApp(resolveConfig({ gpuPools: own, inference: { maxReplicas: 4 } }));
    expect(resourceAt(platform, "kubernetes_horizontal_pod_autoscaler_v2", "inference-server/hpa").spec).toMatchObject({ max_replicas: 4 });
  });

  test("time-slicing from the config reaches the device plugin", () => {
    const { platform } = synthDefaultApp(resolveConfig({ devicePlugin: { timeSlicingReplicas: 4 } }));
    expect((resourceAt(platform, "helm_release", "gpu/device-plugin/chart/release").values as string[])[0]).toContain("replicas: 4");
  });

  describe("bad input", () => {
    test("a literal secret instead of a reference is rejected without echoing it", () => {
      expect(() => resolveConfig({ alerting: { slackWebhookUrl: "https://hooks.slack.com/services/T000/B000/XXXX" } })).toThrow(
        "config: 'alerting.slackWebhookUrl' must reference a secret, never hold one: aws-secretsmanager:<secret id>[#<json key>] or kubernetes:<secret name>/<key>, got <not shown: a string of 47 characters that may be a secret>",
      );
    });

    test("an inference pool that is not a GPU pool", () => {
      expect(() => resolveConfig({ inference: { gpuPool: "h100" } })).toThrow(
        "config: 'inference.gpuPool' must name one of the GPU pools (g5-ondemand, g6-spot), got \"h100\"",
      );
    });

    test("an inference overflow pool that is not a GPU pool, or is the service's own pool", () => {
      expect(() => resolveConfig({ inference: { overflowPool: "h100" } })).toThrow(
        "config: 'inference.overflowPool' must name one of the GPU pools (g5-ondemand, g6-spot) or be \"none\", got \"h100\"",
      );
      expect(() => resolveConfig({ inference: { overflowPool: "g5-ondemand" } })).toThrow(
        "config: 'inference.overflowPool' must differ from the pool the service runs on (g5-ondemand), got \"g5-ondemand\"",
      );
    });

    test("a misspelt key, with a suggestion", () => {
      expect(() => resolveConfig({ cluster: { nmae: "x" } })).toThrow(
        "config: 'cluster.nmae' is not a known setting (did you mean 'name'?); known settings here: mode, name, kubernetesVersion, endpointPublicAccess, endpointPublicAccessCidrs, allowEndpointFromAnywhere, adminPrincipalArns, logRetentionDays, nodeSubnetIds, networkPolicyEnforcement, got \"x\"",
      );
    });

    test("a misspelt key in a config file names the file", () => {
      const path = configFile("bad.json", JSON.stringify({ regoin: "eu-west-1" }));
      expect(() => loadConfig({ GPU_PLATFORM_CONFIG: path })).toThrow(`${path}: 'regoin' is not a known setting (did you mean 'region'?)`);
    });

    test("a value of the wrong type", () => {
      expect(() => resolveConfig({ gpuPools: [{ name: "a", instanceTypes: "g5.xlarge" }] })).toThrow(
        "config: 'gpuPools[0].instanceTypes' must be a list of strings, got \"g5.xlarge\"",
      );
    });

    test("a config file that does not exist", () => {
      expect(() => loadConfig({ GPU_PLATFORM_CONFIG: "/nonexistent/platform.yaml" })).toThrow(
        "config: 'GPU_PLATFORM_CONFIG' must name an existing JSON or YAML file, got \"/nonexistent/platform.yaml\"",
      );
    });

    test("an unknown region", () => {
      expect(() => resolveConfig({ region: "us-west-3" })).toThrow(/^config: 'region' must be one of us-east-1, .*, cn-northwest-1, got "us-west-3"$/);
    });

    test.each([["1.29"], ["1.40"], ["1.35.2"], ["latest"]])("Kubernetes version %s", (version) => {
      expect(() => resolveConfig({ cluster: { kubernetesVersion: version } })).toThrow(
        `config: 'cluster.kubernetesVersion' must be a Kubernetes minor version from 1.31 to 1.36 (supported by the EKS GPU AMIs), got "${version}"`,
      );
    });

    test.each([[""], ["-starts-with-dash"], ["has space"], ["x".repeat(101)]])("cluster name %j", (name) => {
      expect(() => resolveConfig({ cluster: { name } })).toThrow(
        `config: 'cluster.name' must be 1-100 characters of letters, digits, '-' and '_', starting with a letter or digit, got ${JSON.stringify(name)}`,
      );
    });

    test("existing-cluster mode with new-cluster-only options", () => {
      expect(() => resolveConfig({ cluster: { mode: "existing", name: "prod", kubernetesVersion: "1.35" } })).toThrow(
        'config: \'cluster.kubernetesVersion\' only applies to a new cluster (cluster.mode "new"); an existing cluster keeps its own settings: remove cluster.kubernetesVersion, got "1.35"',
      );
      expect(() => resolveConfig({ cluster: { mode: "existing", name: "prod" }, network: { vpcCidr: "10.1.0.0/16" } })).toThrow(
        'config: \'network\' only applies to a new cluster (cluster.mode "new"); an existing cluster keeps its own settings: remove network, got {"vpcCidr":"10.1.0.0/16"}',
      );
    });

    test("existing-cluster-only options on a new cluster", () => {
      expect(() => resolveConfig({ cluster: { nodeSubnetIds: ["subnet-1"] } })).toThrow(
        "config: 'cluster.nodeSubnetIds' only applies to an existing cluster",
      );
    });

    test("overlapping subnets", () => {
      expect(() =>
        resolveConfig({
          network: { privateSubnetCidrs: ["10.0.0.0/19", "10.0.16.0/20", "10.0.64.0/19"] },
        }),
      ).toThrow("config.network: 'privateSubnetCidrs[1]' must not overlap privateSubnetCidrs[0] (10.0.0.0/19), got \"10.0.16.0/20\"");
    });

    test("a subnet outside the VPC", () => {
      expect(() => resolveConfig({ network: { publicSubnetCidrs: ["10.1.0.0/24", "10.0.100.0/22", "10.0.104.0/22"] } })).toThrow(
        "config.network: 'publicSubnetCidrs[0]' must lie inside vpcCidr 10.0.0.0/16, got \"10.1.0.0/24\"",
      );
    });

    test("the service CIDR overlapping the VPC", () => {
      expect(() => resolveConfig({ network: { serviceCidr: "10.0.128.0/20" } })).toThrow(
        "config.network: 'serviceCidr' must not overlap vpcCidr 10.0.0.0/16, got \"10.0.128.0/20\"",
      );
    });

    test("a CIDR with host bits set, and one that is not a CIDR", () => {
      expect(() => resolveConfig({ network: { vpcCidr: "10.0.0.1/16" } })).toThrow("config.network: 'vpcCidr' must start at a /16 boundary (host bits set), got \"10.0.0.1/16\"");
      expect(() => resolveConfig({ network: { vpcCidr: "10.0.0.0" } })).toThrow("config.network: 'vpcCidr' must be an IPv4 CIDR block such as 10.0.0.0/16, got \"10.0.0.0\"");
    });

    test("a single private subnet", () => {
      expect(() => resolveConfig({ network: { privateSubnetCidrs: ["10.0.0.0/19"], publicSubnetCidrs: ["10.0.96.0/22"] } })).toThrow(
        "config.network: 'privateSubnetCidrs' must list at least two subnets (one per availability zone; EKS needs two zones), got [\"10.0.0.0/19\"]",
      );
    });

    test("duplicate GPU pool names", () => {
      expect(() =>
        resolveConfig({ gpuPools: [{ name: "a", instanceTypes: ["g5.xlarge"] }, { name: "a", instanceTypes: ["g6.xlarge"] }] }),
      ).toThrow("config: 'gpuPools[].name' must hold unique names; this one appears more than once, got \"a\"");
    });

    test("no GPU pool", () => {
      expect(() => resolveConfig({ gpuPools: [] })).toThrow("config: 'gpuPools' must list at least one GPU pool, got []");
    });

    test("a non-GPU instance type in a configured pool fails the synth with the pool's path", () => {
      const config = resolveConfig({ gpuPools: [{ name: "cpu", instanceTypes: ["m5.large"] }] });
      expect(() => buildApp(config, Testing.app())).toThrow(/^cluster\/gpu-pool-cpu: 'instanceTypes\[0\]' must be an NVIDIA GPU instance type/);
    });

    test("an admin principal that is not an IAM ARN", () => {
      const config = resolveConfig({ cluster: { adminPrincipalArns: ["alice"] } });
      expect(() => buildApp(config, Testing.app())).toThrow(
        "cluster/eks: 'adminPrincipalArns[0]' must be the ARN of one IAM role or user, without wildcards (arn:aws:iam::123456789012:role/name), got \"alice\"",
      );
    });

    test("public access CIDRs on a private endpoint", () => {
      expect(() => resolveConfig({ cluster: { endpointPublicAccess: false, endpointPublicAccessCidrs: ["1.2.3.0/24"] } })).toThrow(
        "config: 'cluster.endpointPublicAccessCidrs' only applies when cluster.endpointPublicAccess is true, got [\"1.2.3.0/24\"]",
      );
    });
  });
});
