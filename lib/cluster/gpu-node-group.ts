import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { Annotations } from "cdktf";
import { Construct } from "constructs";
import { amiArchitecture, checkInstanceType } from "../core/ec2-instance-types";
import { PlatformConfigError } from "../core/errors";
import { checkDns1123Label, checkIntRange } from "../core/validate";
import { GPU_TAINT, IGpuPool, gpuPoolLabels } from "../gpu/gpu-pool";
import { NVIDIA_GPU_FAMILIES, NvidiaGpuFamily, gpusPerInstance, instanceFamily, isNvidiaGpuInstanceType, knownSizes } from "../gpu/gpu-instance-types";
import { Taint } from "../core/kubernetes/scheduling";
import { GPU_AMI_KUBERNETES_VERSIONS } from "../versions";
import { NodeGroupPlacement } from "../core/cluster-ref";
import { checkKubernetesVersion } from "./cluster-validation";
import { bottlerocketUserData } from "./private/bottlerocket-settings";
import { IAutoscaledNodeGroup, NODE_GROUP_AUTOSCALING, NodeGroupAutoscaling } from "./node-autoscaling";
import { gpuModelOf } from "./private/gpu-model";
import { createManagedNodeGroup } from "./private/managed-node-group";
import { checkScaling } from "./private/scaling";
import { keepTemplatesLiteral } from "../core/terraform-literals";

export type GpuAmiType = keyof typeof GPU_AMI_KUBERNETES_VERSIONS;
export const GPU_AMI_TYPES = Object.keys(GPU_AMI_KUBERNETES_VERSIONS) as GpuAmiType[];

export interface GpuNodeGroupOptions {
  /** Pool name: a DNS-1123 label; the node group name and the `gpu-platform.io/pool` node label. */
  readonly poolName: string;
  /** NVIDIA GPU instance types (g4dn, g5, g6, g6e, p4d, p5, ...). Spot pools should list several. */
  readonly instanceTypes: readonly string[];
  /** @default "ON_DEMAND" */
  readonly capacityType?: "ON_DEMAND" | "SPOT";
  /** @default "AL2023_x86_64_NVIDIA" */
  readonly amiType?: GpuAmiType;
  /** @default 0 */
  readonly minSize?: number;
  /** @default 4 */
  readonly maxSize?: number;
  /** @default minSize */
  readonly desiredSize?: number;
  /** Data volume size: model weights and CUDA images are large. @default 200 */
  readonly diskSizeGiB?: number;
  /** Extra node labels. @default - none beyond the pool and GPU labels */
  readonly labels?: Readonly<Record<string, string>>;
  /** Extra taints beyond `nvidia.com/gpu=true:NoSchedule`. @default - none */
  readonly extraTaints?: readonly Taint[];
  /**
   * Pods per GPU with time-slicing, for Bottlerocket pools only: their device plugin runs on the
   * host and is configured by node settings. AL2023 pools share GPUs through the device plugin
   * chart (`NvidiaDevicePlugin` `timeSlicing`).
   * @default - no sharing
   */
  readonly hostTimeSlicingReplicas?: number;
  /**
   * Who sizes the group after creation. With "cluster-autoscaler", Terraform ignores
   * `desired_size` and the ASG is tagged for discovery and scale-from-zero; install
   * `ClusterAutoscaler` in the cluster. @default "none": Terraform keeps `desiredSize`
   */
  readonly autoscaling?: NodeGroupAutoscaling;
}

export interface GpuNodeGroupProps extends GpuNodeGroupOptions, NodeGroupPlacement {}

/**
 * An EKS managed node group of NVIDIA GPU instances. Its nodes carry the GPU taint and the
 * pool labels, which the device plugin, the DCGM exporter and inference workloads derive their
 * tolerations and affinity from (through `IGpuPool`), so nothing retypes them.
 */
export class GpuNodeGroup extends Construct implements IGpuPool, IAutoscaledNodeGroup {
  public readonly poolName: string;
  public readonly nodeLabels: Readonly<Record<string, string>>;
  public readonly taints: readonly Taint[];
  public readonly capacityType: "ON_DEMAND" | "SPOT";
  public readonly amiType: GpuAmiType;
  /** Bottlerocket's NVIDIA variants ship the device plugin on the host; AL2023 needs the chart. */
  public readonly devicePlugin: "chart" | "host";
  public readonly nodeGroup: EksNodeGroup;
  /** `maxSize`: the most nodes the group can have. */
  public readonly maxNodes: number;
  /**
   * `nvidia.com/gpu` per node: the GPUs of the smallest instance type listed (a pool of g6.xlarge
   * and g6.12xlarge counts 1, since either may come), times `hostTimeSlicingReplicas` on
   * Bottlerocket. Time-slicing of the device plugin chart (AL2023) is not counted: the node group
   * does not see it, so capacity checks err on the safe side there.
   */
  public readonly gpusPerNode: number;
  public readonly nodeGroupName: string;
  /** Whether Cluster Autoscaler sizes this pool (IGpuPool). */
  public readonly autoscaled: boolean;
  public readonly autoScalingGroupName: string;

  constructor(scope: Construct, id: string, props: GpuNodeGroupProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    this.poolName = props.poolName;
    this.capacityType = props.capacityType ?? "ON_DEMAND";
    this.amiType = props.amiType ?? "AL2023_x86_64_NVIDIA";
    const minSize = props.minSize ?? 0;
    const maxSize = props.maxSize ?? 4;
    const desiredSize = props.desiredSize ?? minSize;
    const diskSizeGiB = props.diskSizeGiB ?? 200;
    const autoscaling = props.autoscaling ?? "none";

    checkDns1123Label(this, "poolName", props.poolName);
    if (!GPU_AMI_TYPES.includes(this.amiType)) {
      throw new PlatformConfigError(this, "amiType", this.amiType, `must be one of ${GPU_AMI_TYPES.join(", ")}`);
    }
    if (props.instanceTypes.length === 0) {
      throw new PlatformConfigError(this, "instanceTypes", props.instanceTypes, "must list at least one NVIDIA GPU instance type");
    }
    props.instanceTypes.forEach((type, i) => {
      checkInstanceType(this, `instanceTypes[${i}]`, type, amiArchitecture(this.amiType), this.amiType);
      if (!isNvidiaGpuInstanceType(type)) {
        throw new PlatformConfigError(
          this,
          `instanceTypes[${i}]`,
          type,
          `must be an NVIDIA GPU instance type of a family the EKS GPU AMIs support (${NVIDIA_GPU_FAMILIES.join(", ")})`,
        );
      }
      if (gpusPerInstance(type) === undefined) {
        const family = instanceFamily(type) as NvidiaGpuFamily;
        throw new PlatformConfigError(
          this,
          `instanceTypes[${i}]`,
          type,
          `must be a ${family} size whose GPU count is known (${knownSizes(family).map((s) => `${family}.${s}`).join(", ")})`,
        );
      }
    });
    if (this.capacityType === "SPOT" && props.instanceTypes.length < 2) {
      Annotations.of(this).addWarning(
        `GPU pool '${props.poolName}' is SPOT with a single instance type (${props.instanceTypes[0]}): one capacity pool is often exhausted; list several GPU instance types.`,
      );
    }
    this.devicePlugin = isBottlerocket(this.amiType) ? "host" : "chart";
    if (props.hostTimeSlicingReplicas !== undefined) {
      if (this.devicePlugin !== "host") {
        throw new PlatformConfigError(
          this,
          "hostTimeSlicingReplicas",
          props.hostTimeSlicingReplicas,
          `applies only to Bottlerocket pools (amiType ${this.amiType} gets time-slicing from the device plugin chart's timeSlicing)`,
        );
      }
      checkIntRange(this, "hostTimeSlicingReplicas", props.hostTimeSlicingReplicas, 2, 64);
    }
    this.gpusPerNode = Math.min(...props.instanceTypes.map((type) => gpusPerInstance(type)!)) * (props.hostTimeSlicingReplicas ?? 1);
    if (!NODE_GROUP_AUTOSCALING.includes(autoscaling)) {
      throw new PlatformConfigError(this, "autoscaling", autoscaling, `must be one of ${NODE_GROUP_AUTOSCALING.join(", ")}`);
    }
    checkScaling(this, { minSize, maxSize, desiredSize });
    this.maxNodes = maxSize;
    checkIntRange(this, "diskSizeGiB", diskSizeGiB, 20, 16384);
    checkKubernetesVersion(this, "cluster.kubernetesVersion", props.cluster.kubernetesVersion, GPU_AMI_KUBERNETES_VERSIONS[this.amiType], `for amiType ${this.amiType}`);

    const reserved = Object.keys(gpuPoolLabels(props.poolName)).filter((k) => props.labels && k in props.labels);
    if (reserved.length > 0) {
      throw new PlatformConfigError(this, "labels", props.labels, `must not set ${reserved.join(", ")}: the pool sets it`);
    }
    this.nodeLabels = { ...gpuPoolLabels(props.poolName), ...props.labels };
    this.taints = [GPU_TAINT, ...(props.extraTaints ?? [])];

    this.nodeGroupName = props.poolName;
    this.autoscaled = autoscaling === "cluster-autoscaler";
    const template = this.autoscaled ? this.autoscalerNodeTemplate(props.instanceTypes) : { labels: {}, resources: {} };
    const group = createManagedNodeGroup(this, props, {
      nodeGroupName: props.poolName,
      amiType: this.amiType,
      instanceTypes: props.instanceTypes,
      capacityType: this.capacityType,
      minSize,
      maxSize,
      desiredSize,
      diskSizeGiB,
      labels: { ...this.nodeLabels, ...template.labels },
      taints: this.taints,
      userData: isBottlerocket(this.amiType) ? bottlerocketUserData({ timeSlicingReplicas: props.hostTimeSlicingReplicas }) : undefined,
      autoscaling,
      nodeTemplateResources: template.resources,
    });
    this.nodeGroup = group.nodeGroup;
    this.autoScalingGroupName = group.autoScalingGroupName;
  }

  /**
   * What Cluster Autoscaler must know of a node it has not seen: its GPUs (for scale from zero),
   * and the GPU label that makes it wait for the device plugin instead of adding a second node
   * (kubernetes/autoscaler cloudprovider/aws/README.md, "Special note on GPU instances").
   */
  private autoscalerNodeTemplate(instanceTypes: readonly string[]): { labels: Record<string, string>; resources: Record<string, string> } {
    return {
      labels: { [AWS_GPU_NODE_LABEL]: gpuModelOf(instanceTypes) },
      // What every node of the pool is sure to advertise (gpusPerNode), host time-slicing included.
      resources: { "nvidia.com/gpu": String(this.gpusPerNode) },
    };
  }
}

/** Cluster Autoscaler's GPU node label on AWS: a node with it and no allocatable GPU yet is still starting. */
export const AWS_GPU_NODE_LABEL = "k8s.amazonaws.com/accelerator";

function isBottlerocket(amiType: GpuAmiType): boolean {
  return amiType.startsWith("BOTTLEROCKET");
}
