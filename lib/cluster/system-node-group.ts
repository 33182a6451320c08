import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { Construct } from "constructs";
import { amiArchitecture, checkInstanceType } from "../core/ec2-instance-types";
import { PlatformConfigError } from "../core/errors";
import { checkIntRange } from "../core/validate";
import { isNvidiaGpuInstanceType } from "../gpu/gpu-instance-types";
import { SYSTEM_AMI_TYPE } from "../versions";
import { NodeGroupPlacement } from "../core/cluster-ref";
import { IAutoscaledNodeGroup, NODE_GROUP_AUTOSCALING, NodeGroupAutoscaling } from "./node-autoscaling";
import { createManagedNodeGroup } from "./private/managed-node-group";
import { checkScaling } from "./private/scaling";
import { keepTemplatesLiteral } from "../core/terraform-literals";

/** Node label of the system pool, which monitoring and other platform components select. */
export const SYSTEM_POOL_LABEL = "gpu-platform.io/role";
export const SYSTEM_POOL_LABEL_VALUE = "system";

export interface SystemNodeGroupOptions {
  /** @default ["m6i.xlarge"] */
  readonly instanceTypes?: readonly string[];
  /** @default 2 */
  readonly minSize?: number;
  /** @default 6 */
  readonly maxSize?: number;
  /** @default 3 */
  readonly desiredSize?: number;
  /** @default 100 */
  readonly diskSizeGiB?: number;
  /**
   * Who sizes the group after creation (see `GpuNodeGroupOptions.autoscaling`).
   * @default "none": Terraform keeps `desiredSize`
   */
  readonly autoscaling?: NodeGroupAutoscaling;
}

export interface SystemNodeGroupProps extends SystemNodeGroupOptions, NodeGroupPlacement {}

/** Non-GPU nodes for Prometheus, Alertmanager, Grafana, Thanos and the cluster add-ons. */
export class SystemNodeGroup extends Construct implements IAutoscaledNodeGroup {
  /** Labels to select this pool by. */
  public readonly nodeLabels: Readonly<Record<string, string>> = { [SYSTEM_POOL_LABEL]: SYSTEM_POOL_LABEL_VALUE };
  public readonly nodeGroup: EksNodeGroup;
  public readonly nodeGroupName = "system";
  public readonly capacityType = "ON_DEMAND";
  /** Whether Cluster Autoscaler sizes this group. */
  public readonly autoscaled: boolean;
  public readonly autoScalingGroupName: string;

  constructor(scope: Construct, id: string, props: SystemNodeGroupProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    const instanceTypes = props.instanceTypes ?? ["m6i.xlarge"];
    const minSize = props.minSize ?? 2;
    const maxSize = props.maxSize ?? 6;
    const desiredSize = props.desiredSize ?? 3;
    const diskSizeGiB = props.diskSizeGiB ?? 100;
    const autoscaling = props.autoscaling ?? "none";
    if (!NODE_GROUP_AUTOSCALING.includes(autoscaling)) {
      throw new PlatformConfigError(this, "autoscaling", autoscaling, `must be one of ${NODE_GROUP_AUTOSCALING.join(", ")}`);
    }
    if (instanceTypes.length === 0) {
      throw new PlatformConfigError(this, "instanceTypes", instanceTypes, "must list at least one instance type");
    }
    instanceTypes.forEach((type, i) => {
      checkInstanceType(this, `instanceTypes[${i}]`, type, amiArchitecture(SYSTEM_AMI_TYPE), SYSTEM_AMI_TYPE);
      if (isNvidiaGpuInstanceType(type)) {
        throw new PlatformConfigError(this, `instanceTypes[${i}]`, type, "must not be a GPU instance type: GPU capacity belongs in a GPU pool");
      }
    });
    checkScaling(this, { minSize, maxSize, desiredSize });
    checkIntRange(this, "diskSizeGiB", diskSizeGiB, 20, 16384);
    this.autoscaled = autoscaling === "cluster-autoscaler";
    const group = createManagedNodeGroup(this, props, {
      nodeGroupName: this.nodeGroupName,
      amiType: SYSTEM_AMI_TYPE,
      instanceTypes,
      capacityType: "ON_DEMAND",
      minSize,
      maxSize,
      desiredSize,
      diskSizeGiB,
      labels: this.nodeLabels,
      taints: [],
      autoscaling,
      nodeTemplateResources: {},
    });
    this.nodeGroup = group.nodeGroup;
    this.autoScalingGroupName = group.autoScalingGroupName;
  }
}
