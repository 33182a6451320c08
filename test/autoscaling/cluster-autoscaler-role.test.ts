import { ClusterAutoscalerRole, ClusterAutoscalerRoleProps } from "../../lib/autoscaling/cluster-autoscaler-role";
import { awsStack, fakeCluster } from "../support/fixtures";
import { synthStack } from "../support/synth";

interface Statement {
  sid?: string;
  actions: string[];
  resources?: string[];
  condition?: { test: string; variable: string; values: string[] }[];
  principals?: { type: string; identifiers: string[] }[];
}

/** The issuer host, as Terraform computes it from the issuer URL. */
const ISSUER = '${replace("https://oidc.eks.us-west-2.amazonaws.com/id/ABC", "https://", "")}';

function role(options: Partial<ClusterAutoscalerRoleProps> = {}) {
  const stack = awsStack();
  const construct = new ClusterAutoscalerRole(stack, "ca", { cluster: fakeCluster(), ...options });
  const json = synthStack(stack);
  const docs = json.data!.aws_iam_policy_document as Record<string, { statement: Statement[] }>;
  const doc = (suffix: string) => Object.entries(docs).find(([id]) => id.startsWith(`ca_${suffix}`))![1].statement;
  return { construct, json, permissions: doc("policy"), trust: doc("irsa_trust") };
}

describe("ClusterAutoscalerRole", () => {
  const { permissions, trust, json, construct } = role();
  const byActions = (action: string) => permissions.filter((s) => s.actions.includes(action));

  test("describe calls without resource-level permissions are the only actions on '*'", () => {
    const onStar = permissions.filter((s) => s.resources?.includes("*"));
    expect(onStar.flatMap((s) => s.actions).sort()).toEqual(
      [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeScalingActivities",
        "autoscaling:DescribeTags",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:GetInstanceTypesFromInstanceRequirements",
      ].sort(),
    );
  });

  test("no statement grants a mutating action on '*' or on any wildcard account or region", () => {
    for (const s of permissions) {
      const mutating = s.actions.filter((a) => !/:(Describe|Get)/.test(a));
      if (mutating.length === 0) continue;
      for (const r of s.resources ?? []) {
        expect(r).not.toBe("*");
        expect(r).toMatch(/^arn:\$\{data\.aws_partition\..+\}:autoscaling:\$\{data\.aws_region\..+\.region\}:\$\{data\.aws_caller_identity\..+\.account_id\}:autoScalingGroup:/);
      }
    }
  });

  test("scaling only on ASGs tagged enabled=true and owned by this cluster", () => {
    const [scale] = byActions("autoscaling:SetDesiredCapacity");
    expect(scale.actions.sort()).toEqual(["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]);
    expect(scale.resources).toHaveLength(1);
    expect(scale.resources![0]).toMatch(/:autoScalingGroup:\*:autoScalingGroupName\/\*$/);
    expect(scale.condition).toEqual([
      { test: "StringEquals", variable: "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled", values: ["true"] },
      { test: "StringEquals", variable: "aws:ResourceTag/k8s.io/cluster-autoscaler/test-cluster", values: ["owned"] },
    ]);
  });

  test("eks:DescribeNodegroup only on this cluster's node groups", () => {
    const [describe] = byActions("eks:DescribeNodegroup");
    expect(describe.actions).toEqual(["eks:DescribeNodegroup"]);
    expect(describe.resources).toHaveLength(1);
    expect(describe.resources![0]).toMatch(/^arn:.+:eks:.+:nodegroup\/test-cluster\/\*\/\*$/);
  });

  test("trust names exactly kube-system/cluster-autoscaler and the STS audience", () => {
    expect(trust).toHaveLength(1);
    expect(trust[0].actions).toEqual(["sts:AssumeRoleWithWebIdentity"]);
    expect(trust[0].principals).toEqual([{ type: "Federated", identifiers: [fakeCluster().oidcProviderArn] }]);
    expect(trust[0].condition).toEqual([
      { test: "StringEquals", variable: `${ISSUER}:sub`, values: ["system:serviceaccount:kube-system:cluster-autoscaler"] },
      { test: "StringEquals", variable: `${ISSUER}:aud`, values: ["sts.amazonaws.com"] },
    ]);
    expect(construct.serviceAccount).toEqual({ namespace: "kube-system", name: "cluster-autoscaler" });
  });

  test("the role carries the policy inline and no managed policy", () => {
    const roles = Object.values(json.resource!.aws_iam_role);
    expect(roles).toHaveLength(1);
    expect(roles[0].inline_policy).toEqual([{ name: "scoped", policy: expect.stringMatching(/^\$\{data\.aws_iam_policy_document\.ca_policy_.+\.json\}$/) }]);
    expect(json.resource!.aws_iam_role_policy_attachment).toBeUndefined();
  });

  test("another service account is trusted instead when given", () => {
    const { trust: custom } = role({ serviceAccount: { namespace: "autoscaling", name: "ca" } });
    expect(custom[0].condition![0].values).toEqual(["system:serviceaccount:autoscaling:ca"]);
  });

  test("a service account name Kubernetes would reject is an error", () => {
    expect(() => role({ serviceAccount: { namespace: "kube-system", name: "Cluster_Autoscaler" } })).toThrow(
      `test/ca: 'serviceAccount.name' must be a DNS-1123 label (1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit), got "Cluster_Autoscaler"`,
    );
  });
});
