import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Construct } from "constructs";
import { Taint } from "../../core/kubernetes/scheduling";
import { NodeGroupPlacement } from "../../core/cluster-ref";

/** The shape of a node group; where it goes comes from its NodeGroupPlacement. */
export interface ManagedNodeGroupSpec {
  readonly nodeGroupName: string;
  readonly amiType: string;
  readonly instanceTypes: readonly string[];
  readonly capacityType: "ON_DEMAND" | "SPOT";
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
  readonly diskSizeGiB: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  /** Launch template user data (plain text; base64-encoded here). @default - none */
  readonly userData?: string;
}

const EKS_TAINT_EFFECT = { NoSchedule: "NO_SCHEDULE", NoExecute: "NO_EXECUTE", PreferNoSchedule: "PREFER_NO_SCHEDULE" } as const;

/** The root device whose size matters: Bottlerocket keeps images and containers on its second volume. */
function dataDeviceName(amiType: string): string {
  return amiType.startsWith("BOTTLEROCKET") ? "/dev/xvdb" : "/dev/xvda";
}

/**
 * A managed node group on a launch template that requires IMDSv2 (hop limit 1: pods cannot
 * reach the instance credentials) and encrypts its gp3 data volume. Desired size is left to
 * the autoscaler after creation.
 */
export function createManagedNodeGroup(
  scope: Construct,
  placement: NodeGroupPlacement,
  spec: ManagedNodeGroupSpec,
): { nodeGroup: EksNodeGroup; launchTemplate: LaunchTemplate } {
  const launchTemplate = new LaunchTemplate(scope, "launch-template", {
    namePrefix: `${placement.cluster.clusterName}-${spec.nodeGroupName}-`,
    updateDefaultVersion: true,
    // Encoded here, not by Terraform: the text is never evaluated as an expression.
    userData: spec.userData === undefined ? undefined : Buffer.from(spec.userData, "utf8").toString("base64"),
    metadataOptions: {
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
      instanceMetadataTags: "disabled",
    },
    blockDeviceMappings: [
      {
        deviceName: dataDeviceName(spec.amiType),
        ebs: { volumeSize: spec.diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
      },
    ],
    tagSpecifications: [
      { resourceType: "instance", tags: { Name: `${placement.cluster.clusterName}-${spec.nodeGroupName}` } },
      { resourceType: "volume", tags: { Name: `${placement.cluster.clusterName}-${spec.nodeGroupName}` } },
    ],
  });
  const nodeGroup = new EksNodeGroup(scope, "node-group", {
    clusterName: placement.cluster.clusterName,
    nodeGroupName: spec.nodeGroupName,
    nodeRoleArn: placement.nodeRoleArn,
    subnetIds: placement.cluster.nodeSubnetIds,
    amiType: spec.amiType,
    instanceTypes: [...spec.instanceTypes],
    capacityType: spec.capacityType,
    scalingConfig: { minSize: spec.minSize, maxSize: spec.maxSize, desiredSize: spec.desiredSize },
    updateConfig: { maxUnavailable: 1 },
    launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.toString() },
    labels: { ...spec.labels },
    taint: spec.taints.map((t) => ({ key: t.key, value: t.value, effect: EKS_TAINT_EFFECT[t.effect] })),
    lifecycle: { ignoreChanges: ["scaling_config[0].desired_size"] },
    dependsOn: placement.dependsOn,
  });
  return { nodeGroup, launchTemplate };
}
