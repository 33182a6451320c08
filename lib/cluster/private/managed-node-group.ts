import { AutoscalingGroupTagA } from "@cdktf/provider-aws/lib/autoscaling-group-tag";
import { DataAwsEc2InstanceType } from "@cdktf/provider-aws/lib/data-aws-ec2-instance-type";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Fn, TerraformSelf } from "cdktf";
import { Construct } from "constructs";
import { amiArchitecture } from "../../core/ec2-instance-types";
import { Taint } from "../../core/kubernetes/scheduling";
import { NodeGroupPlacement } from "../../core/cluster-ref";
import { checkDerivedName, launchTemplateNamePrefix } from "../../core/aws-name-limits";
import { PlatformConfigError } from "../../core/errors";
import { NodeGroupAutoscaling } from "../node-autoscaling";
import { autoscalerAsgTags } from "./autoscaler-tags";

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
  /** Whether Cluster Autoscaler owns the group's size (then Terraform ignores desired_size). */
  readonly autoscaling: NodeGroupAutoscaling;
  /** Extended resources a node offers, for scale-from-zero (`{"nvidia.com/gpu": "1"}`). */
  readonly nodeTemplateResources: Readonly<Record<string, string>>;
}

const EKS_TAINT_EFFECT = { NoSchedule: "NO_SCHEDULE", NoExecute: "NO_EXECUTE", PreferNoSchedule: "PREFER_NO_SCHEDULE" } as const;

/** The root device whose size matters: Bottlerocket keeps images and containers on its second volume. */
function dataDeviceName(amiType: string): string {
  return amiType.startsWith("BOTTLEROCKET") ? "/dev/xvdb" : "/dev/xvda";
}

/**
 * A managed node group on a launch template that requires IMDSv2 (hop limit 1: pods cannot
 * reach the instance credentials) and encrypts its gp3 data volume. With Cluster Autoscaler,
 * desired size is left to it after creation and the ASG carries the tags that describe its
 * nodes (scale from zero); otherwise Terraform keeps the group at `desiredSize`.
 */
export function createManagedNodeGroup(
  scope: Construct,
  placement: NodeGroupPlacement,
  spec: ManagedNodeGroupSpec,
): { nodeGroup: EksNodeGroup; launchTemplate: LaunchTemplate; autoScalingGroupName: string } {
  const autoscaled = spec.autoscaling === "cluster-autoscaler";
  // An ASG tag key is unique, so the node template can describe one taint per key.
  const taintKeys = spec.taints.map((t) => t.key);
  const repeated = taintKeys.find((k, i) => taintKeys.indexOf(k) !== i);
  if (autoscaled && repeated !== undefined) {
    throw new PlatformConfigError(scope, "taints", spec.taints, `must use each key once on an autoscaled group (the ASG describes one taint per key for scale-from-zero); '${repeated}' repeats`);
  }
  const namePrefix = launchTemplateNamePrefix(placement.cluster.clusterName, spec.nodeGroupName);
  checkDerivedName(scope, "cluster.clusterName", placement.cluster.clusterName, "launchTemplateNamePrefix", namePrefix);
  checkDerivedName(scope, "nodeGroupName", spec.nodeGroupName, "nodeGroupName", spec.nodeGroupName);
  // The authority on architecture: EC2's own description of each type, read at plan, stops the
  // plan before anything is created (synth's check reads the names only).
  const architecture = amiArchitecture(spec.amiType);
  [...new Set(spec.instanceTypes)].forEach((type) => {
    new DataAwsEc2InstanceType(scope, `instance-type-${type.replace(/\W/g, "-")}`, {
      instanceType: type,
      lifecycle: {
        postcondition: [
          {
            condition: Fn.contains(TerraformSelf.getAny("supported_architectures"), architecture),
            errorMessage: `Node group ${spec.nodeGroupName}: instance type ${type} does not support ${architecture}, the architecture of amiType ${spec.amiType}; choose an ${architecture} type or an AMI type for its architecture.`,
          },
        ],
      },
    });
  });
  const launchTemplate = new LaunchTemplate(scope, "launch-template", {
    namePrefix,
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
    ...(autoscaled && { lifecycle: { ignoreChanges: ["scaling_config[0].desired_size"] } }),
    dependsOn: placement.dependsOn,
  });
  const autoScalingGroupName = nodeGroup.resources.get(0).autoscalingGroups.get(0).name;
  const tags = autoscalerAsgTags({
    clusterName: placement.cluster.clusterName,
    autoscaling: spec.autoscaling,
    labels: spec.labels,
    taints: spec.taints,
    resources: spec.nodeTemplateResources,
  });
  for (const { id, tag } of tags) {
    // Not propagated at launch: the tags describe the group to the autoscaler, not the instances.
    new AutoscalingGroupTagA(scope, id, { autoscalingGroupName: autoScalingGroupName, tag: { ...tag, propagateAtLaunch: false } });
  }
  return { nodeGroup, launchTemplate, autoScalingGroupName };
}
