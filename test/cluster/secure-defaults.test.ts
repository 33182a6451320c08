import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { EksNetwork, EksNetworkProps } from "../../lib/cluster/eks-network";
import { resourceAt, resourcesOf, synthDefaultApp, synthStack } from "../support/synth";

// Each test synthesizes the default app (and may run Terraform): seconds on a loaded machine.
jest.setTimeout(60_000);

const NETWORK: EksNetworkProps = {
  clusterName: "gpu",
  vpcCidr: "10.0.0.0/16",
  privateSubnetCidrs: ["10.0.0.0/19", "10.0.32.0/19"],
  publicSubnetCidrs: ["10.0.96.0/22", "10.0.100.0/22"],
  serviceCidr: "172.20.0.0/16",
};

function network(extra: Partial<EksNetworkProps> = {}) {
  const stack = new TerraformStack(Testing.app(), "net");
  new AwsProvider(stack, "aws", { region: "us-west-2" });
  new EksNetwork(stack, "network", { ...NETWORK, ...extra });
  return synthStack(stack);
}

interface Statement { sid?: string; actions: string[]; resources?: string[]; principals: { type: string; identifiers: string[] }[]; condition?: { test: string; variable: string; values: string[] }[] }

describe("secure defaults of the cluster stack", () => {
  const { cluster } = synthDefaultApp();
  const policyDocs = (cluster.data?.aws_iam_policy_document ?? {}) as Record<string, { statement: Statement[] }>;
  const doc = (ref: unknown) => policyDocs[/data\.aws_iam_policy_document\.([^.]+)\.json/.exec(String(ref))![1]];

  test("the VPC's default security group is managed with no rule", () => {
    const groups = Object.values(resourcesOf(cluster, "aws_default_security_group"));
    expect(groups).toHaveLength(1);
    expect(groups[0]).toEqual({ vpc_id: expect.stringMatching(/^\$\{aws_vpc\./), tags: { Name: "gpu-inference-default-deny" } });
  });

  test("flow logs of all traffic go to a log group with bounded retention, through a role that may write only there", () => {
    const flow = resourceAt(cluster, "aws_flow_log", "network/flow-log");
    const group = resourceAt(cluster, "aws_cloudwatch_log_group", "network/flow-logs");
    expect(flow).toMatchObject({ traffic_type: "ALL", log_destination_type: "cloud-watch-logs", log_destination: expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.network_flow-logs_[0-9A-F]+\.arn\}$/) });
    expect(group).toMatchObject({ name: "/aws/vpc/gpu-inference/flow-logs", retention_in_days: 30 });
    const role = resourceAt(cluster, "aws_iam_role", "network/flow-logs-role");
    const [trust] = doc(role.assume_role_policy).statement;
    expect(trust.principals).toEqual([{ type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] }]);
    expect(trust.condition).toEqual([{ test: "StringEquals", variable: "aws:SourceAccount", values: [expect.stringMatching(/account_id\}$/)] }]);
    const [write] = doc(resourceAt(cluster, "aws_iam_role_policy", "network/flow-logs-write").policy).statement;
    expect(write.resources).toEqual([expect.stringMatching(/network_flow-logs_.*\.arn\}$/), expect.stringMatching(/network_flow-logs_.*\.arn\}:\*$/)]);
  });

  test("the KMS key has an explicit policy: the account, the cluster role, and CloudWatch Logs for the control-plane log group only", () => {
    const key = resourceAt(cluster, "aws_kms_key", "eks/secrets-key");
    const statements = doc(key.policy).statement;
    expect(statements.map((s) => s.sid)).toEqual(["AccountAdministers", "ClusterEncryptsSecrets", "ClusterGrantsForItsResources", "LogsEncryptControlPlaneLogGroup"]);
    const logs = statements[3];
    expect(logs.condition).toEqual([
      { test: "ArnEquals", variable: "kms:EncryptionContext:aws:logs:arn", values: [expect.stringMatching(/:log-group:\/aws\/eks\/gpu-inference\/cluster$/)] },
    ]);
    expect(statements[2].condition).toEqual([{ test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] }]);
  });

  test("the flow-log group is encrypted with a key of its own, which CloudWatch Logs may use for that group only", () => {
    const group = resourceAt(cluster, "aws_cloudwatch_log_group", "network/flow-logs");
    expect(group.kms_key_id).toMatch(/^\$\{aws_kms_key\.network_flow-logs-key_[0-9A-F]+\.arn\}$/);
    const key = resourceAt(cluster, "aws_kms_key", "network/flow-logs-key");
    expect(key.enable_key_rotation).toBe(true);
    const statements = doc(key.policy).statement;
    expect(statements.map((s) => s.sid)).toEqual(["AccountAdministers", "LogsEncryptFlowLogGroup"]);
    expect(statements[1].principals).toEqual([{ type: "Service", identifiers: [expect.stringMatching(/^logs\.\$\{data\.aws_region\..*\}\.\$\{data\.aws_partition\..*dns_suffix\}$/)] }]);
    expect(statements[1].condition).toEqual([
      { test: "ArnEquals", variable: "kms:EncryptionContext:aws:logs:arn", values: [expect.stringMatching(/:log-group:\/aws\/vpc\/gpu-inference\/flow-logs$/)] },
    ]);
  });

  test("the control-plane log group is encrypted with the cluster's key", () => {
    const group = resourceAt(cluster, "aws_cloudwatch_log_group", "eks/control-plane-logs");
    expect(group.kms_key_id).toMatch(/^\$\{aws_kms_key\.eks_secrets-key_[0-9A-F]+\.arn\}$/);
  });
});

describe("EksNetwork flow logs", () => {
  test("retention is configurable, and flow logs can be turned off by name", () => {
    expect(Object.values(resourcesOf(network({ flowLogs: { retentionDays: 365 } }), "aws_cloudwatch_log_group"))).toEqual([
      { name: "/aws/vpc/gpu/flow-logs", retention_in_days: 365, kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\.network_flow-logs-key_[0-9A-F]+\.arn\}$/) },
    ]);
    expect(resourcesOf(network({ flowLogs: false }), "aws_flow_log")).toEqual({});
  });

  test("a retention CloudWatch does not accept is refused", () => {
    expect(() => network({ flowLogs: { retentionDays: 45 } })).toThrow("net/network: 'flowLogs.retentionDays' must be one of 1, 3, 5, 7, 14, 30, 60, 90");
  });
});
