/**
 * Who sets a node group's size after creation: Cluster Autoscaler (Terraform then ignores
 * `desired_size`), or nobody (Terraform keeps the group at `desiredSize`).
 */
export type NodeGroupAutoscaling = "cluster-autoscaler" | "none";

export const NODE_GROUP_AUTOSCALING: readonly NodeGroupAutoscaling[] = ["cluster-autoscaler", "none"];

/**
 * What a node autoscaler needs of a managed node group it scales: literal values only, so the
 * in-cluster side never refers to a node group's attributes (nor waits for a replaced group).
 */
export interface IAutoscaledNodeGroup {
  readonly nodeGroupName: string;
  readonly capacityType: "ON_DEMAND" | "SPOT";
}

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/**
 * A regular expression for the Auto Scaling group of a managed node group, which is Cluster
 * Autoscaler's node group id on AWS: EKS names it `eks-<node group name>-<node group uuid>`.
 * The uuid is matched exactly, so pool `g6` does not also match pool `g6-spot`.
 */
export function managedNodeGroupAsgPattern(nodeGroupName: string): string {
  const escaped = nodeGroupName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return `^eks-${escaped}-${UUID}$`;
}

/** An Auto Scaling group tag Cluster Autoscaler reads. */
export interface AsgTag {
  readonly key: string;
  readonly value: string;
}

/**
 * The tags that mark an Auto Scaling group as Cluster Autoscaler's to scale in this cluster
 * (kubernetes/autoscaler cloudprovider/aws/README.md, auto-discovery). EKS puts both keys on every
 * managed node group's ASG, so discovery and the IAM condition match on the values too: a group
 * that is not autoscaled gets `enabled=false` and is neither discovered nor writable.
 * The one definition that the ASG tags, the chart's discovery filter and the IAM condition share.
 */
export function clusterAutoscalerDiscoveryTags(clusterName: string): readonly [AsgTag, AsgTag] {
  return [
    { key: "k8s.io/cluster-autoscaler/enabled", value: "true" },
    { key: `k8s.io/cluster-autoscaler/${clusterName}`, value: "owned" },
  ];
}

/** Prefix of the tags that describe the nodes of a group scaled from zero. */
export const NODE_TEMPLATE_TAG_PREFIX = "k8s.io/cluster-autoscaler/node-template";
