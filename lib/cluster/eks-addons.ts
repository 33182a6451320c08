import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { PlatformConfigError } from "../core/errors";
import { EKS_ADDON_VERSIONS } from "../versions";
import { IEksCluster, NetworkPolicyEnforcement, withNetworkPolicyEnforcement } from "../core/cluster-ref";
import { IrsaRole } from "./irsa-role";
import { managedPolicyArn } from "./private/aws-policies";
import { keepTemplatesLiteral } from "../core/terraform-literals";

type AddonName = keyof typeof EKS_ADDON_VERSIONS;

/**
 * The keys of the vpc-cni add-on's configuration schema that we set
 * (`aws eks describe-addon-configuration --addon-name vpc-cni`). EKS rejects a key the schema
 * does not know when it creates the add-on, so only documented keys belong here.
 */
export interface VpcCniConfiguration {
  /**
   * "true" turns on the network policy controller (run by EKS on the control plane) and the
   * network policy agent: the `aws-network-policy-agent` container of the add-on's `aws-node`
   * DaemonSet, present and enabled by default since VPC CNI 1.14, which enforces policies with
   * eBPF on EC2 Linux nodes (kernel 5.10 or later: AL2023 and Bottlerocket). A string in the schema.
   */
  readonly enableNetworkPolicy: "true" | "false";
}

/** Network policy enforcement: without it every NetworkPolicy is accepted and ignored. */
const VPC_CNI_CONFIGURATION: VpcCniConfiguration = { enableNetworkPolicy: "true" };
/** The first vpc-cni add-on build that accepts `enableNetworkPolicy`. */
const MIN_VPC_CNI_NETWORK_POLICY = [1, 14, 0, 3] as const;

/**
 * The managed add-ons a bare EKS cluster needs, in the order they can start: the network
 * (vpc-cni, kube-proxy) before any node can become Ready, DNS and the EBS CSI driver once
 * nodes exist (both run Deployments that stay Pending, and time the add-on out, without nodes).
 * Without the EBS CSI driver, every Prometheus and Alertmanager volume stays Pending.
 * The VPC CNI enforces NetworkPolicies.
 */
export class EksAddons extends Construct {
  /** Depend on these before creating node groups. */
  public readonly network: EksAddon[];
  /** The cluster, stating that its NetworkPolicies are enforced by the VPC CNI. */
  public readonly cluster: IEksCluster;
  private readonly input: IEksCluster;

  constructor(scope: Construct, id: string, props: { readonly cluster: IEksCluster }) {
    super(scope, id);
    keepTemplatesLiteral(this);
    this.input = props.cluster;
    checkVpcCniVersion(this, EKS_ADDON_VERSIONS["vpc-cni"]);
    const cni = new IrsaRole(this, "vpc-cni-role", {
      cluster: props.cluster,
      namespace: "kube-system",
      serviceAccount: "aws-node",
      managedPolicyArns: [managedPolicyArn(this, "AmazonEKS_CNI_Policy")],
    });
    this.network = [
      this.addon("vpc-cni", cni.role.arn, [], JSON.stringify(VPC_CNI_CONFIGURATION)),
      this.addon("kube-proxy", undefined, []),
    ];
    this.cluster = withNetworkPolicyEnforcement(props.cluster, NetworkPolicyEnforcement.vpcCni());
  }

  /**
   * Adds the add-ons that need running nodes (CoreDNS, the EBS CSI driver) after the system
   * node group they run on. Pass no GPU node group here: GPU capacity may fail (a new account's
   * quota of 0, a spot shortage) or scale to zero, and must not take DNS and storage with it.
   */
  public addNodeDependentAddons(systemNodeGroup: ITerraformDependable): void {
    const ebs = new IrsaRole(this, "ebs-csi-role", {
      cluster: this.input,
      namespace: "kube-system",
      serviceAccount: "ebs-csi-controller-sa",
      managedPolicyArns: [managedPolicyArn(this, "service-role/AmazonEBSCSIDriverPolicy")],
    });
    this.addon("coredns", undefined, [systemNodeGroup]);
    this.addon("aws-ebs-csi-driver", ebs.role.arn, [systemNodeGroup]);
  }

  private addon(name: AddonName, roleArn: string | undefined, dependsOn: ITerraformDependable[], configurationValues?: string): EksAddon {
    return new EksAddon(this, name, {
      clusterName: this.input.clusterName,
      addonName: name,
      addonVersion: EKS_ADDON_VERSIONS[name],
      serviceAccountRoleArn: roleArn,
      configurationValues,
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      dependsOn,
    });
  }
}

/** A pinned vpc-cni version ("v1.19.2-eksbuild.1") must be one that can enforce NetworkPolicies. */
export function checkVpcCniVersion(scope: Construct, version: string | undefined): void {
  if (version === undefined) return;
  const m = /^v(\d+)\.(\d+)\.(\d+)-eksbuild\.(\d+)$/.exec(version);
  const parts = m?.slice(1).map(Number);
  const older = parts !== undefined && compareVersions(parts, MIN_VPC_CNI_NETWORK_POLICY) < 0;
  if (!parts || older) {
    throw new PlatformConfigError(
      scope,
      'EKS_ADDON_VERSIONS["vpc-cni"]',
      version,
      `must be an add-on version like "v1.19.2-eksbuild.1", v${MIN_VPC_CNI_NETWORK_POLICY.slice(0, 3).join(".")}-eksbuild.${MIN_VPC_CNI_NETWORK_POLICY[3]} or later (the first that enforces NetworkPolicies)`,
    );
  }
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
