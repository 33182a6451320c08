import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Fn, TerraformOutput, TerraformStack, Testing, Token } from "cdktf";
import { iamRoleNamePrefix } from "../../lib/core/aws-name-limits";
import { NodeRole } from "../../lib/cluster/node-role";
import { EksCluster, EksClusterProps } from "../../lib/cluster/eks-cluster";
import { GpuNodeGroup } from "../../lib/cluster/gpu-node-group";
import { resolveConfig } from "../../stacks/config";
import { clusterStack, fakeCluster } from "../support/fixtures";
import { resourceAt, synthDefaultApp } from "../support/synth";
import { describeWithTerraform, expectGatePassed, terraformGate } from "../support/terraform-gate";
import { platform, service } from "../workload/fixture";

// Each test synthesizes the default app (and may run Terraform): seconds on a loaded machine.
jest.setTimeout(60_000);

/** Hostile or out-of-limit configuration, each with the message it must get. */
const CONFIG_CASES: [string, Record<string, unknown>, string][] = [
  ["VPC larger than /16", { network: { vpcCidr: "10.0.0.0/8" } }, "config.network: 'vpcCidr' must have a prefix between /16 and /28 (AWS VPC limit), got \"10.0.0.0/8\""],
  ["subnet smaller than /28", { network: { privateSubnetCidrs: ["10.0.0.0/29", "10.0.32.0/19", "10.0.64.0/19"] } }, "config.network: 'privateSubnetCidrs[0]' must have a prefix between /16 and /28 (AWS subnet limit), got \"10.0.0.0/29\""],
  ["tag key in the reserved aws: namespace", { tags: { "aws:team": "x" } }, "config: 'tags' must not have keys starting with the reserved prefix aws:, got \"aws:team\""],
  ["empty tag key", { tags: { "": "x" } }, "config: 'tags' must have keys of 1-128 characters (AWS tag key limit), got \"\""],
  ["tag key over 128 characters", { tags: { ["k".repeat(129)]: "x" } }, "config: 'tags' must have keys of 1-128 characters (AWS tag key limit)"],
  ["tag value over 256 characters", { tags: { team: "v".repeat(257) } }, "config: 'tags.team' must be at most 256 characters (AWS tag value limit)"],
  ["subnet id that is not one", { cluster: { mode: "existing", name: "x", nodeSubnetIds: ["sn-123"] } }, "config: 'cluster.nodeSubnetIds[0]' must be a subnet id such as subnet-0123456789abcdef0, got \"sn-123\""],
  ["no subnet ids", { cluster: { mode: "existing", name: "x", nodeSubnetIds: [] } }, "config: 'cluster.nodeSubnetIds' must list at least one subnet id"],
  // EKS takes 100 characters, but every node group's launch template prefix starts with it.
  [
    "a 100-character cluster name",
    { cluster: { name: "c".repeat(100) } },
    `config: 'cluster.name' makes the launch template name prefix '${"c".repeat(40)}…g5-ondemand-' 113 characters long; AWS accepts at most 102: shorten it by 11, got "${"c".repeat(100)}"`,
  ],
  [
    "a long pool name beside a long cluster name",
    { cluster: { name: "c".repeat(60) }, gpuPools: [{ name: "p".repeat(50), instanceTypes: ["g5.xlarge"] }] },
    "config: 'cluster.name' makes the launch template name prefix '",
  ],
  [
    "a service name starting with a digit (Kubernetes refuses it as a Service name)",
    { services: [{ name: "7b-llama", image: "registry.example.com/llm:1.0.0", gpuPool: "g5-ondemand" }] },
    `config: 'services["7b-llama"].name' must be a DNS-1035 label, as it names a Kubernetes Service (1-63 characters of a-z, 0-9 and '-', starting with a letter and ending with a letter or digit), got "7b-llama"`,
  ],
];

describe("AWS limits from the configuration file", () => {
  test.each(CONFIG_CASES)("%s", (_name, input, message) => {
    expect(() => resolveConfig(input as never)).toThrow(message);
  });

  test("subnet ids of both lengths pass", () => {
    expect(resolveConfig({ cluster: { mode: "existing", name: "x", nodeSubnetIds: ["subnet-0123abcd", "subnet-0123456789abcdef0"] } }).cluster).toMatchObject({
      nodeSubnetIds: ["subnet-0123abcd", "subnet-0123456789abcdef0"],
    });
  });
});

function cluster(props: Partial<EksClusterProps>): void {
  const stack = new TerraformStack(Testing.app(), "c");
  new AwsProvider(stack, "aws", { region: "us-west-2" });
  new EksCluster(stack, "eks", { clusterName: "gpu", kubernetesVersion: "1.35", subnetIds: ["subnet-0123abcd"], endpointPublicAccessCidrs: ["203.0.113.0/24"], ...props });
}

describe("derived names from library props", () => {
  test("a GPU node group on a cluster whose name leaves no room for the launch template prefix", () => {
    const stack = clusterStack();
    const cluster = { ...fakeCluster(), clusterName: "c".repeat(97) };
    expect(() => new GpuNodeGroup(stack, "pool", { cluster, poolName: "a10g", instanceTypes: ["g5.xlarge"], maxSize: 2, nodeRoleArn: "arn:aws:iam::123456789012:role/nodes" })).toThrow(
      `test/pool: 'cluster.clusterName' makes the launch template name prefix '${"c".repeat(40)}…cccccc-a10g-' 103 characters long; AWS accepts at most 102: shorten it by 1`,
    );
  });

  test("96 characters and a 4-character pool fit: 102 of 102", () => {
    const stack = clusterStack();
    expect(() => new GpuNodeGroup(stack, "pool", { cluster: { ...fakeCluster(), clusterName: "c".repeat(96) }, poolName: "a10g", instanceTypes: ["g5.xlarge"], maxSize: 2, nodeRoleArn: "arn:aws:iam::123456789012:role/nodes" })).not.toThrow();
  });
});

describe("IAM role name prefixes", () => {
  // AWS takes 64 characters for a role name and Terraform appends 26 to a name_prefix: 38 left.
  test("a 100-character cluster name gives every role a 38-character prefix, cut rather than refused", () => {
    const stack = new TerraformStack(Testing.app(), "c");
    new AwsProvider(stack, "aws", { region: "us-west-2" });
    new EksCluster(stack, "eks", { clusterName: "c".repeat(100), kubernetesVersion: "1.35", subnetIds: ["subnet-0123abcd"], endpointPublicAccessCidrs: ["203.0.113.0/24"] });
    new NodeRole(stack, "nodes", { clusterName: "n".repeat(100) });
    const roles = Object.values((JSON.parse(Testing.synth(stack)) as { resource: { aws_iam_role: Record<string, { name_prefix: string }> } }).resource.aws_iam_role);
    expect(roles.map((r) => r.name_prefix).sort()).toEqual(["c".repeat(38), "n".repeat(38)]);
  });

  test("a short name keeps its whole prefix", () => {
    expect(iamRoleNamePrefix("gpu-node-")).toBe("gpu-node-");
  });

  test("a name known only at apply is cut by Terraform, not through its token", () => {
    const stack = new TerraformStack(Testing.app(), "c");
    const prefix = iamRoleNamePrefix(`${Token.asString(Fn.lower("ABC"))}-${"x".repeat(40)}-`);
    new TerraformOutput(stack, "prefix", { value: prefix });
    const out = (JSON.parse(Testing.synth(stack)) as { output: { prefix: { value: string } } }).output.prefix.value;
    expect(out).toBe(`\${substr("\${lower("ABC")}-${"x".repeat(40)}-", 0, 38)}`);
  });
});

describe("EKS limits from library props", () => {
  test.each([
    ["a public service CIDR", { serviceCidr: "100.64.0.0/16" }, "c/eks: 'serviceCidr' must lie inside a private range EKS accepts (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), got \"100.64.0.0/16\""],
    ["a wildcard admin", { adminPrincipalArns: ["arn:aws:iam::123456789012:role/*"] }, "c/eks: 'adminPrincipalArns[0]' must be the ARN of one IAM role or user, without wildcards (arn:aws:iam::123456789012:role/name), got \"arn:aws:iam::123456789012:role/*\""],
    ["a wildcard account", { adminPrincipalArns: ["arn:aws:iam::*:role/admin"] }, "c/eks: 'adminPrincipalArns[0]' must be the ARN of one IAM role or user"],
  ])("%s", (_name, props, message) => {
    expect(() => cluster(props as Partial<EksClusterProps>)).toThrow(message);
  });
});

describe("Kubernetes names from library props", () => {
  test.each(["7b-llama", "-llama", "llama-", "l".repeat(64)])("InferenceService name %j, which also names its Service", (name) => {
    expect(() => service(platform(), { name })).toThrow(`platform/svc: 'name' must be a DNS-1035 label, as it names a Kubernetes Service (1-63 characters of a-z, 0-9 and '-', starting with a letter and ending with a letter or digit), got ${JSON.stringify(name)}`);
  });

  test("a name starting with a letter, 63 characters, is accepted", () => {
    expect(() => service(platform(), { name: `llama-${"7".repeat(57)}` })).not.toThrow();
  });
});

describe("InferenceService numbers and durations", () => {
  test.each([
    [Infinity, "Infinity"],
    [NaN, "NaN"],
    [-5, "-5"],
    [1e9, "1000000000"],
  ])("an HPA target of %s", (target, shown) => {
    expect(() => service(platform(), { autoscaling: { targetRequestsPerSecondPerPod: target } })).toThrow(
      `'autoscaling.targetRequestsPerSecondPerPod' must be a positive finite number of requests per second, at most 1000000, got ${shown}`,
    );
  });

  test.each(["soon", "30", "-1m", ""])("scrape interval %j", (interval) => {
    expect(() => service(platform(), { scrapeInterval: interval })).toThrow(`'scrapeInterval' must be a Prometheus duration such as 30s, 5m, 1h or 1h30m, got ${JSON.stringify(interval)}`);
  });

  test.each([["lots"], ["-1Gi"], ["1e3"]])("memory request %j", (memory) => {
    expect(() => service(platform(), { resources: { requests: { cpu: "1", memory }, limits: { memory: "8Gi" } } })).toThrow(
      `'resources.requests.memory' must be a Kubernetes quantity such as 500m, 2, 512Mi or 8Gi, got ${JSON.stringify(memory)}`,
    );
  });
});

describe("more subnets than zones", () => {
  const { cluster: doc } = synthDefaultApp();
  test("the zones lookup stops the plan when the region has fewer zones than subnets, instead of element() wrapping", () => {
    const zones = Object.values((doc.data as Record<string, Record<string, { lifecycle: { postcondition: { condition: string; error_message: string }[] } }>>).aws_availability_zones)[0];
    expect(zones.lifecycle.postcondition).toEqual([
      {
        condition: "${(length(self.names) >= 3)}",
        error_message: "privateSubnetCidrs and publicSubnetCidrs list 3 subnets, one per availability zone, but this region has fewer available zones: list at most that many.",
      },
    ]);
    expect(resourceAt(doc, "aws_subnet", "network/private-2").availability_zone).toMatch(/element\(data\.aws_availability_zones\..*\.names, 2\)/);
  });
});

describeWithTerraform("Terraform loads the postcondition", () => {
  test("cluster stack", async () => {
    expectGatePassed("cluster", await terraformGate(synthDefaultApp().cluster));
  }, 60_000);
});

describe("image references", () => {
  test.each([
    "registry.example.com/team/server:1.2.0",
    "nvcr.io/nvidia/tritonserver:24.08-py3",
    "localhost:5000/server",
    "server",
    "ghcr.io/org/server@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
  ])("%s is accepted", (image) => {
    expect(() => service(platform(), { image, autoscaling: false })).not.toThrow();
  });

  test.each(["Registry.example.com/Team/Server:1", "server:", "server:1 ", "https://registry.example.com/server:1", "server@sha256:xyz", "a".repeat(256)])("%j is refused", (image) => {
    expect(() => service(platform(), { image })).toThrow(`platform/svc: 'image' must be an OCI image reference such as registry.example.com/team/server:1.2.0 or .../server@sha256:<digest>, got ${JSON.stringify(image)}`);
  });
});
