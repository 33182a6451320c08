import { checkIntRange } from "../core/validate";
import { NodeAffinity, Taint, Toleration, tolerationsFor } from "../core/kubernetes/scheduling";

/** The taint every GPU pool carries, so only pods that ask for GPUs land on GPU nodes. */
export const GPU_TAINT: Taint = { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" };

/** Node label naming the pool a GPU node belongs to; workloads and DaemonSets select on it. */
export const GPU_POOL_LABEL = "gpu-platform.io/pool";

/**
 * Label the NVIDIA components select on by default (the device plugin chart's own affinity
 * lists it); EKS does not set it without node-feature-discovery, so GPU pools set it.
 */
export const GPU_PRESENT_LABEL = "nvidia.com/gpu.present";

/**
 * What the in-cluster side needs to know of a GPU pool: its name, the labels its nodes carry
 * and the taints they repel pods with. `GpuNodeGroup` implements it; `GpuPool.fromExisting`
 * describes a pool the platform did not create.
 */
export interface IGpuPool {
  readonly poolName: string;
  readonly nodeLabels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  /** Most nodes the pool can have. @default - unknown: capacity checks are skipped */
  readonly maxNodes?: number;
  /**
   * `nvidia.com/gpu` each node of the pool offers (the smallest of its instance types; times the
   * time-slicing replicas where GPUs are shared). @default - unknown: capacity checks are skipped
   */
  readonly gpusPerNode?: number;
  /** Whether a node autoscaler adds nodes to the pool up to `maxNodes` when pods are Pending. @default false */
  readonly autoscaled?: boolean;
  /**
   * Where the pool's NVIDIA device plugin comes from: the Helm chart this library installs, or the
   * node's OS (Bottlerocket's NVIDIA variants run it on the host). @default "chart"
   */
  readonly devicePlugin?: "chart" | "host";
}

export interface ExistingGpuPoolOptions {
  readonly poolName: string;
  /**
   * Labels the pool's nodes carry.
   * @default - `gpu-platform.io/pool=<poolName>` and `nvidia.com/gpu.present=true`
   */
  readonly nodeLabels?: Readonly<Record<string, string>>;
  /** @default [nvidia.com/gpu=true:NoSchedule] */
  readonly taints?: readonly Taint[];
  /** "host" for Bottlerocket NVIDIA nodes, which run the device plugin themselves. @default "chart" */
  readonly devicePlugin?: "chart" | "host";
  /** Most nodes the pool can have (its node group's maximum size). @default - unknown: capacity checks are skipped */
  readonly maxNodes?: number;
  /**
   * `nvidia.com/gpu` each node offers: the smallest instance type's GPUs, times the time-slicing
   * replicas where GPUs are shared. @default - unknown: capacity checks are skipped
   */
  readonly gpusPerNode?: number;
  /** Whether a node autoscaler adds nodes to the pool, up to `maxNodes`, for Pending pods. @default false */
  readonly autoscaled?: boolean;
}

export class GpuPool {
  /** A GPU pool of an existing cluster, described by its labels and taints. */
  public static fromExisting(options: ExistingGpuPoolOptions): IGpuPool {
    const scope = `GpuPool ${options.poolName}`;
    if (options.maxNodes !== undefined) checkIntRange(scope, "maxNodes", options.maxNodes, 1, 100_000);
    // 8 GPUs per node, each shared by at most 64 time-slicing replicas.
    if (options.gpusPerNode !== undefined) checkIntRange(scope, "gpusPerNode", options.gpusPerNode, 1, 512);
    return {
      poolName: options.poolName,
      nodeLabels: options.nodeLabels ?? gpuPoolLabels(options.poolName),
      taints: options.taints ?? [GPU_TAINT],
      devicePlugin: options.devicePlugin ?? "chart",
      ...(options.maxNodes !== undefined && { maxNodes: options.maxNodes }),
      ...(options.gpusPerNode !== undefined && { gpusPerNode: options.gpusPerNode }),
      ...(options.autoscaled !== undefined && { autoscaled: options.autoscaled }),
    };
  }

  private constructor() {}
}

/** The labels a pool created by this library puts on its nodes. */
export function gpuPoolLabels(poolName: string): Record<string, string> {
  return { [GPU_POOL_LABEL]: poolName, [GPU_PRESENT_LABEL]: "true" };
}

/** Scheduling that lands a pod on every node of the given pools, derived from the pools themselves. */
export interface GpuPoolScheduling {
  readonly tolerations: Toleration[];
  readonly affinity: { readonly nodeAffinity: NodeAffinity };
}

/**
 * Tolerations for every taint of every pool, and a node affinity with one term per pool
 * (terms are ORed) requiring all of that pool's labels.
 */
export function schedulingForPools(pools: readonly IGpuPool[]): GpuPoolScheduling {
  return {
    tolerations: tolerationsFor(pools.flatMap((p) => p.taints)),
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: pools.map((pool) => ({
            matchExpressions: Object.entries(pool.nodeLabels).map(([key, value]) => ({
              key,
              operator: "In" as const,
              values: [value],
            })),
          })),
        },
      },
    },
  };
}
