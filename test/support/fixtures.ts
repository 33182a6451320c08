import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { IEksCluster } from "../../lib/core/cluster-ref";

/** A stack with the AWS provider, for cluster-side constructs. */
export function awsStack(id = "test"): TerraformStack {
  const stack = new TerraformStack(Testing.app(), id);
  new AwsProvider(stack, "aws", { region: "us-west-2" });
  return stack;
}

/** A stack with Kubernetes and Helm providers, for in-cluster constructs. */
export function clusterStack(id = "test"): TerraformStack {
  const stack = new TerraformStack(Testing.app(), id);
  new KubernetesProvider(stack, "kubernetes", { configPath: "~/.kube/config" });
  new HelmProvider(stack, "helm", { kubernetes: { configPath: "~/.kube/config" } });
  return stack;
}

/** A cluster reference with literal values, standing in for a created or looked-up cluster. */
export function fakeCluster(kubernetesVersion = "1.35"): IEksCluster {
  return {
    clusterName: "test-cluster",
    endpoint: "https://example.eks.amazonaws.com",
    certificateAuthorityData: "Q0E=",
    oidcIssuerUrl: "https://oidc.eks.us-west-2.amazonaws.com/id/ABC",
    oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC",
    kubernetesVersion,
    nodeSubnetIds: ["subnet-a", "subnet-b"],
  };
}
