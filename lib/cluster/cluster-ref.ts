import { ITerraformDependable } from "cdktf";

/**
 * What the rest of the platform needs of an EKS cluster, whether this library created it or
 * looked it up by name. Values may be Terraform tokens; across stacks cdktf turns them into
 * outputs and remote-state references. No credential is ever part of it: the in-cluster
 * providers authenticate with `aws eks get-token` at apply time.
 */
export interface IEksCluster {
  readonly clusterName: string;
  readonly endpoint: string;
  /** Base64 PEM of the cluster CA, as EKS returns it. */
  readonly certificateAuthorityData: string;
  /** Issuer URL including `https://`. */
  readonly oidcIssuerUrl: string;
  readonly oidcProviderArn: string;
  /** Kubernetes minor version ("1.35"); a token for clusters looked up by name. */
  readonly kubernetesVersion: string;
  /** Subnets node groups are placed in. */
  readonly nodeSubnetIds: string[];
}

/** Where a managed node group goes: the cluster, the instances' role, what must exist first. */
export interface NodeGroupPlacement {
  readonly cluster: IEksCluster;
  readonly nodeRoleArn: string;
  /** Resources the nodes need before they can join, such as the network add-ons. @default - none */
  readonly dependsOn?: ITerraformDependable[];
}
