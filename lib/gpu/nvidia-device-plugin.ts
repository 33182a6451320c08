import { Construct } from "constructs";
import { PlatformConfigError } from "../core/errors";
import { NamespaceRef, toNamespaceRef } from "../core/kubernetes/namespace-ref";
import { ResourceRequirements } from "../core/kubernetes/resources";
import { checkIntRange } from "../core/validate";
import { PinnedHelmRelease } from "../platform/pinned-helm-release";
import { CHARTS, IMAGES } from "../versions";
import { IGpuPool, schedulingForPools } from "./gpu-pool";
import { registerGpuDaemonSet } from "./gpu-scheduling-validation";
import { NodeAffinity, Toleration } from "../core/kubernetes/scheduling";
import { keepTemplatesLiteral } from "../core/terraform-literals";

/** Values of the nvidia-device-plugin chart that this library sets (chart 0.20.0). */
export interface NvidiaDevicePluginValues {
  readonly image: { readonly repository: string; readonly tag: string };
  readonly tolerations: readonly Toleration[];
  readonly affinity: { readonly nodeAffinity: NodeAffinity };
  readonly priorityClassName: string;
  readonly resources: ResourceRequirements;
  readonly config?: {
    /** Named device-plugin configurations; the library only writes the one it selects as default. */
    readonly map: { readonly "time-slicing": string };
    readonly default: "time-slicing";
  };
}

export interface TimeSlicingOptions {
  /** How many pods may share one physical GPU (each sees a full GPU; no memory isolation). */
  readonly replicasPerGpu: number;
}

export interface NvidiaDevicePluginOptions {
  /**
   * A namespace that exists already, or a reference to the one this app creates (the release
   * waits for it).
   * @default "nvidia" (which must exist)
   */
  readonly namespace?: string | NamespaceRef;
  /**
   * Share each GPU between pods by time-slicing. Useful for small models; a memory leak in one
   * pod then starves the others, which the GPU memory alerts report per GPU.
   * @default - no sharing: one pod per GPU
   */
  readonly timeSlicing?: TimeSlicingOptions;
  /**
   * Replace the tolerations derived from the pools. Checked at synth against every pool's taints.
   * @default - one toleration per taint of each pool
   */
  readonly tolerations?: readonly Toleration[];
}

export interface NvidiaDevicePluginProps extends NvidiaDevicePluginOptions {
  /** The GPU pools to run on; tolerations and affinity are derived from them. */
  readonly pools: readonly IGpuPool[];
}

const DEFAULT_RESOURCES: ResourceRequirements = {
  requests: { cpu: "50m", memory: "64Mi" },
  limits: { memory: "256Mi" },
};

/** The NVIDIA device plugin DaemonSet on exactly the GPU pools: it makes `nvidia.com/gpu` allocatable. */
export class NvidiaDevicePlugin extends Construct {
  public readonly namespace: string;
  public readonly helm: PinnedHelmRelease<NvidiaDevicePluginValues>;

  constructor(scope: Construct, id: string, props: NvidiaDevicePluginProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    const namespace = toNamespaceRef(props.namespace ?? "nvidia");
    this.namespace = namespace.name;
    if (props.pools.length === 0) {
      throw new PlatformConfigError(this, "pools", [], "must name at least one GPU pool");
    }
    if (props.timeSlicing) {
      checkIntRange(this, "timeSlicing.replicasPerGpu", props.timeSlicing.replicasPerGpu, 2, 64);
    }
    const derived = schedulingForPools(props.pools);
    const tolerations = props.tolerations ?? derived.tolerations;

    const values: NvidiaDevicePluginValues = {
      image: IMAGES.nvidiaDevicePlugin,
      tolerations,
      affinity: derived.affinity,
      priorityClassName: "system-node-critical",
      resources: DEFAULT_RESOURCES,
      ...(props.timeSlicing && {
        config: {
          map: { "time-slicing": timeSlicingConfig(props.timeSlicing.replicasPerGpu) },
          default: "time-slicing" as const,
        },
      }),
    };
    this.helm = new PinnedHelmRelease(this, "chart", {
      releaseName: "nvidia-device-plugin",
      namespace,
      chart: CHARTS.nvidiaDevicePlugin,
      values,
    });
    registerGpuDaemonSet(this, {
      component: "nvidia-device-plugin",
      tolerations,
      nodeAffinity: derived.affinity.nodeAffinity,
      isDevicePlugin: true,
    });
  }
}

/** The device plugin's config file format (version v1, sharing.timeSlicing). */
function timeSlicingConfig(replicas: number): string {
  return [
    "version: v1",
    "sharing:",
    "  timeSlicing:",
    "    resources:",
    "      - name: nvidia.com/gpu",
    `        replicas: ${replicas}`,
    "",
  ].join("\n");
}
