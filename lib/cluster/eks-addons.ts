import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { EKS_ADDON_VERSIONS } from "../versions";
import { IEksCluster } from "./cluster-ref";
import { IrsaRole } from "./irsa-role";
import { managedPolicyArn } from "./private/aws-policies";

type AddonName = keyof typeof EKS_ADDON_VERSIONS;

/**
 * The managed add-ons a bare EKS cluster needs, in the order they can start: the network
 * (vpc-cni, kube-proxy) before any node can become Ready, DNS and the EBS CSI driver once
 * nodes exist (both run Deployments that stay Pending, and time the add-on out, without nodes).
 * Without the EBS CSI driver, every Prometheus and Alertmanager volume stays Pending.
 */
export class EksAddons extends Construct {
  /** Depend on these before creating node groups. */
  public readonly network: EksAddon[];
  private readonly cluster: IEksCluster;

  constructor(scope: Construct, id: string, props: { readonly cluster: IEksCluster }) {
    super(scope, id);
    this.cluster = props.cluster;
    const cni = new IrsaRole(this, "vpc-cni-role", {
      cluster: props.cluster,
      namespace: "kube-system",
      serviceAccount: "aws-node",
      managedPolicyArns: [managedPolicyArn(this, "AmazonEKS_CNI_Policy")],
    });
    this.network = [this.addon("vpc-cni", cni.role.arn, []), this.addon("kube-proxy", undefined, [])];
  }

  /** Adds the add-ons that need running nodes, after `nodeGroups`. */
  public addNodeDependentAddons(nodeGroups: ITerraformDependable[]): void {
    const ebs = new IrsaRole(this, "ebs-csi-role", {
      cluster: this.cluster,
      namespace: "kube-system",
      serviceAccount: "ebs-csi-controller-sa",
      managedPolicyArns: [managedPolicyArn(this, "service-role/AmazonEBSCSIDriverPolicy")],
    });
    this.addon("coredns", undefined, nodeGroups);
    this.addon("aws-ebs-csi-driver", ebs.role.arn, nodeGroups);
  }

  private addon(name: AddonName, roleArn: string | undefined, dependsOn: ITerraformDependable[]): EksAddon {
    return new EksAddon(this, name, {
      clusterName: this.cluster.clusterName,
      addonName: name,
      addonVersion: EKS_ADDON_VERSIONS[name],
      serviceAccountRoleArn: roleArn,
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      dependsOn,
    });
  }
}
