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
  /**
   * What enforces the NetworkPolicy objects written to the cluster. Without an enforcer a
   * NetworkPolicy is accepted by the API server and does nothing.
   * @default - unknown: synth warns wherever the platform writes a NetworkPolicy
   */
  readonly networkPolicyEnforcement?: NetworkPolicyEnforcement;
}

/**
 * Who enforces NetworkPolicies on a cluster. A cluster created with `EksAddons` has the VPC CNI
 * enforce them; for a cluster looked up by name its owner states it.
 */
export class NetworkPolicyEnforcement {
  /** The VPC CNI add-on with `enableNetworkPolicy: "true"` (its node agent enforces them with eBPF). */
  public static vpcCni(): NetworkPolicyEnforcement {
    return new NetworkPolicyEnforcement("the VPC CNI add-on (enableNetworkPolicy)", true);
  }

  /** Another policy engine the cluster runs, named for messages ("Calico", "Cilium"). */
  public static engine(name: string): NetworkPolicyEnforcement {
    return new NetworkPolicyEnforcement(name);
  }

  /** Nothing enforces them: writing a NetworkPolicy to such a cluster is a synth error. */
  public static none(): NetworkPolicyEnforcement {
    return new NetworkPolicyEnforcement(undefined);
  }

  private constructor(
    /** Human name of the enforcer; undefined when nothing enforces NetworkPolicies. */
    public readonly enforcer: string | undefined,
    /** True when the enforcer is the EKS vpc-cni add-on, whose configuration a plan can read back. */
    public readonly byVpcCniAddon = false,
  ) {}
}

/** The same cluster reference with a statement of who enforces its NetworkPolicies. */
export function withNetworkPolicyEnforcement(cluster: IEksCluster, enforcement: NetworkPolicyEnforcement): IEksCluster {
  return {
    clusterName: cluster.clusterName,
    endpoint: cluster.endpoint,
    certificateAuthorityData: cluster.certificateAuthorityData,
    oidcIssuerUrl: cluster.oidcIssuerUrl,
    oidcProviderArn: cluster.oidcProviderArn,
    kubernetesVersion: cluster.kubernetesVersion,
    nodeSubnetIds: cluster.nodeSubnetIds,
    networkPolicyEnforcement: enforcement,
  };
}

/** Where a managed node group goes: the cluster, the instances' role, what must exist first. */
export interface NodeGroupPlacement {
  readonly cluster: IEksCluster;
  readonly nodeRoleArn: string;
  /** Resources the nodes need before they can join, such as the network add-ons. @default - none */
  readonly dependsOn?: ITerraformDependable[];
}
