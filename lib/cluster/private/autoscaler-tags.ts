import { Taint } from "../../core/kubernetes/scheduling";
import { AsgTag, NODE_TEMPLATE_TAG_PREFIX, NodeGroupAutoscaling, clusterAutoscalerDiscoveryTags } from "../node-autoscaling";

export interface AutoscalerTagInput {
  readonly clusterName: string;
  readonly autoscaling: NodeGroupAutoscaling;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  /** Extended resources each node offers (`nvidia.com/gpu`), as quantities. */
  readonly resources: Readonly<Record<string, string>>;
}

/** A tag with a construct id derived from what it describes, so reordering changes nothing. */
export interface NamedAsgTag {
  readonly id: string;
  readonly tag: AsgTag;
}

const idPart = (key: string) => key.replace(/[^A-Za-z0-9]+/g, "-");

/**
 * The tags a managed node group's ASG needs for Cluster Autoscaler. EKS does not copy node group
 * labels and taints to the ASG, and `eks:DescribeNodegroup` is only a fallback, so a group at
 * zero nodes is described here: node-template labels, taints (`value:Effect`) and resources.
 * A group that is not autoscaled is switched off explicitly (EKS tags every group as enabled).
 */
export function autoscalerAsgTags(input: AutoscalerTagInput): NamedAsgTag[] {
  const [enabled, owner] = clusterAutoscalerDiscoveryTags(input.clusterName);
  if (input.autoscaling === "none") {
    return [{ id: "ca-enabled", tag: { key: enabled.key, value: "false" } }];
  }
  return [
    { id: "ca-enabled", tag: enabled },
    { id: "ca-cluster", tag: owner },
    ...Object.entries(input.labels).map(([k, v]) => ({ id: `ca-label-${idPart(k)}`, tag: { key: `${NODE_TEMPLATE_TAG_PREFIX}/label/${k}`, value: v } })),
    ...input.taints.map((t) => ({ id: `ca-taint-${idPart(t.key)}`, tag: { key: `${NODE_TEMPLATE_TAG_PREFIX}/taint/${t.key}`, value: `${t.value ?? ""}:${t.effect}` } })),
    ...Object.entries(input.resources).map(([k, v]) => ({ id: `ca-resource-${idPart(k)}`, tag: { key: `${NODE_TEMPLATE_TAG_PREFIX}/resources/${k}`, value: v } })),
  ];
}
