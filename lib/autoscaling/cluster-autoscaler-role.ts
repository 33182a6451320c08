import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { Construct } from "constructs";
import { IEksCluster } from "../core/cluster-ref";
import { IrsaRole } from "../cluster/irsa-role";
import { clusterAutoscalerDiscoveryTags } from "../cluster/node-autoscaling";
import { ServiceAccountRef } from "../core/kubernetes/service-account-ref";
import { checkDns1123Label } from "../core/validate";
import { keepTemplatesLiteral } from "../core/terraform-literals";

/**
 * What the in-cluster Cluster Autoscaler needs from the AWS side: the IRSA role and the service
 * account its trust policy names. Crosses stacks by reference (the ARN becomes an output).
 */
export interface IClusterAutoscalerIdentity {
  readonly roleArn: string;
  readonly serviceAccount: ServiceAccountRef;
}

/**
 * kube-system: Cluster Autoscaler does not remove a node that runs kube-system pods (its default
 * `skip-nodes-with-system-pods`), so it never drains the node it runs on.
 */
export const DEFAULT_CLUSTER_AUTOSCALER_SERVICE_ACCOUNT: ServiceAccountRef = { namespace: "kube-system", name: "cluster-autoscaler" };

/** Read-only calls Cluster Autoscaler makes that AWS cannot scope to a resource. */
export const CLUSTER_AUTOSCALER_DESCRIBE_ACTIONS = [
  "autoscaling:DescribeAutoScalingGroups",
  "autoscaling:DescribeAutoScalingInstances",
  "autoscaling:DescribeLaunchConfigurations",
  "autoscaling:DescribeScalingActivities",
  "autoscaling:DescribeTags",
  "ec2:DescribeImages",
  "ec2:DescribeInstanceTypes",
  "ec2:DescribeLaunchTemplateVersions",
  "ec2:GetInstanceTypesFromInstanceRequirements",
] as const;

/** The only calls that change capacity: allowed on this cluster's autoscaled groups only. */
export const CLUSTER_AUTOSCALER_SCALING_ACTIONS = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"] as const;

export interface ClusterAutoscalerRoleProps {
  readonly cluster: Pick<IEksCluster, "clusterName" | "oidcIssuerUrl" | "oidcProviderArn">;
  /** @default - kube-system/cluster-autoscaler */
  readonly serviceAccount?: ServiceAccountRef;
}

/**
 * IRSA role of Cluster Autoscaler. Trust: exactly its service account. Permissions: describe
 * calls (no resource scoping exists for them), `eks:DescribeNodegroup` on this cluster's node
 * groups, and scaling only on Auto Scaling groups in this account and region that carry this
 * cluster's discovery tags with the values the node groups set (`enabled=true`,
 * `<cluster>=owned`), so a group not managed by the autoscaler cannot be resized.
 */
export class ClusterAutoscalerRole extends Construct implements IClusterAutoscalerIdentity {
  public readonly roleArn: string;
  public readonly serviceAccount: ServiceAccountRef;
  public readonly irsa: IrsaRole;

  constructor(scope: Construct, id: string, props: ClusterAutoscalerRoleProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    this.serviceAccount = props.serviceAccount ?? DEFAULT_CLUSTER_AUTOSCALER_SERVICE_ACCOUNT;
    checkDns1123Label(this, "serviceAccount.namespace", this.serviceAccount.namespace);
    checkDns1123Label(this, "serviceAccount.name", this.serviceAccount.name);

    const partition = new DataAwsPartition(this, "partition", {}).partition;
    const account = new DataAwsCallerIdentity(this, "account", {}).accountId;
    const region = new DataAwsRegion(this, "region", {}).region;
    const cluster = props.cluster.clusterName;

    const policy = new DataAwsIamPolicyDocument(this, "policy", {
      statement: [
        { sid: "Describe", effect: "Allow", actions: [...CLUSTER_AUTOSCALER_DESCRIBE_ACTIONS], resources: ["*"] },
        {
          sid: "DescribeOwnNodegroups",
          effect: "Allow",
          actions: ["eks:DescribeNodegroup"],
          resources: [`arn:${partition}:eks:${region}:${account}:nodegroup/${cluster}/*/*`],
        },
        {
          sid: "ScaleOwnGroups",
          effect: "Allow",
          actions: [...CLUSTER_AUTOSCALER_SCALING_ACTIONS],
          resources: [`arn:${partition}:autoscaling:${region}:${account}:autoScalingGroup:*:autoScalingGroupName/*`],
          condition: clusterAutoscalerDiscoveryTags(cluster).map((tag) => ({
            test: "StringEquals",
            variable: `aws:ResourceTag/${tag.key}`,
            values: [tag.value],
          })),
        },
      ],
    });
    this.irsa = new IrsaRole(this, "irsa", {
      cluster: props.cluster,
      namespace: this.serviceAccount.namespace,
      serviceAccount: this.serviceAccount.name,
      inlinePolicyJson: policy.json,
    });
    this.roleArn = this.irsa.role.arn;
  }
}
