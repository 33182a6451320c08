import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { IEksCluster } from "../core/cluster-ref";
import { keepTemplatesLiteral } from "../core/terraform-literals";

export interface ClusterProvidersProps {
  readonly cluster: Pick<IEksCluster, "clusterName" | "endpoint" | "certificateAuthorityData">;
  /** Region of the cluster, passed to `aws eks get-token`. */
  readonly region: string;
}

/** The exec credential plugin call both providers use: a fresh 15-minute token per apply, never stored. */
export function eksExecAuth(props: ClusterProvidersProps): { apiVersion: string; command: string; args: string[] } {
  return {
    apiVersion: "client.authentication.k8s.io/v1beta1",
    command: "aws",
    args: ["eks", "get-token", "--cluster-name", props.cluster.clusterName, "--region", props.region, "--output", "json"],
  };
}

/**
 * Kubernetes and Helm providers for an EKS cluster, configured from its endpoint and CA with
 * `exec` authentication (`aws eks get-token`). No token crosses stacks or lands in state:
 * EKS tokens expire after about 15 minutes.
 */
export class ClusterProviders extends Construct {
  public readonly kubernetes: KubernetesProvider;
  public readonly helm: HelmProvider;

  constructor(scope: Construct, id: string, props: ClusterProvidersProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    const host = props.cluster.endpoint;
    const clusterCaCertificate = Fn.base64decode(props.cluster.certificateAuthorityData);
    const exec = eksExecAuth(props);
    this.kubernetes = new KubernetesProvider(this, "kubernetes", { host, clusterCaCertificate, exec: [exec] });
    this.helm = new HelmProvider(this, "helm", { kubernetes: { host, clusterCaCertificate, exec } });
  }
}
