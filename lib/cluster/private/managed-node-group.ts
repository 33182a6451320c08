import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { Taint } from "../../gpu/kubernetes-scheduling";

export interface ManagedNodeGroupSpec {
  readonly clusterName: string;
  readonly nodeGroupName: string;
  readonly nodeRoleArn: string;
  readonly subnetIds: string[];
  readonly amiType: string;
  readonly instanceTypes: readonly string[];
  readonly capacityType: "ON_DEMAND" | "SPOT";
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
  readonly diskSizeGiB: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly dependsOn?: ITerraformDependable[];
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
export function createManagedNodeGroup(scope: Construct, spec: ManagedNodeGroupSpec): { nodeGroup: EksNodeGroup; launchTemplate: LaunchTemplate } {
  const launchTemplate = new LaunchTemplate(scope, "launch-template", {
    namePrefix: `${spec.clusterName}-${spec.nodeGroupName}-`,
    updateDefaultVersion: true,
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
      { resourceType: "instance", tags: { Name: `${spec.clusterName}-${spec.nodeGroupName}` } },
      { resourceType: "volume", tags: { Name: `${spec.clusterName}-${spec.nodeGroupName}` } },
    ],
  });
  const nodeGroup = new EksNodeGroup(scope, "node-group", {
    clusterName: spec.clusterName,
    nodeGroupName: spec.nodeGroupName,
    nodeRoleArn: spec.nodeRoleArn,
    subnetIds: spec.subnetIds,
    amiType: spec.amiType,
    instanceTypes: [...spec.instanceTypes],
    capacityType: spec.capacityType,
    scalingConfig: { minSize: spec.minSize, maxSize: spec.maxSize, desiredSize: spec.desiredSize },
    updateConfig: { maxUnavailable: 1 },
    launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.toString() },
    labels: { ...spec.labels },
    taint: spec.taints.map((t) => ({ key: t.key, value: t.value, effect: EKS_TAINT_EFFECT[t.effect] })),
    lifecycle: { ignoreChanges: ["scaling_config[0].desired_size"] },
    dependsOn: spec.dependsOn,
  });
  return { nodeGroup, launchTemplate };
}
