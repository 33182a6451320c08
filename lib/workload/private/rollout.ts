import { GpuDemand, describePools, gpuCount, poolCapacity, shortfalls } from "./gpu-capacity";

/**
 * How a GPU Deployment replaces its pods. A surge pod needs a free GPU; on a pool that is full
 * at the service's peak it stays Pending and, with `maxUnavailable: 0`, no old pod ever goes:
 * the rollout never finishes. So surge is chosen only where the free GPU provably exists.
 */
export interface RolloutStrategy {
  /** Pods above the desired count during a rollout. */
  readonly maxSurge: number;
  /** Pods below the desired count during a rollout. */
  readonly maxUnavailable: number;
}

/** Start the new pod first: never below the desired count; needs one spare GPU. */
export const SURGE_ONE: RolloutStrategy = { maxSurge: 1, maxUnavailable: 0 };
/** Stop an old pod first, then start its replacement on the GPU it freed. */
export const REPLACE_ONE: RolloutStrategy = { maxSurge: 0, maxUnavailable: 1 };

/**
 * Whether `surgePods` more pods of the service find GPUs while every service on its pools runs
 * at its peak. Only an autoscaled pool of known capacity is sure to add the node a surge pod
 * waits for; without an autoscaler `maxNodes` is a bound, not nodes that exist.
 */
export function hasSurgeHeadroom(demand: GpuDemand, all: readonly GpuDemand[], surgePods: number): boolean {
  if (demand.pools.length === 0) return false;
  if (!demand.pools.every((p) => p.autoscaled === true && poolCapacity(p) !== undefined)) return false;
  return !shortfalls(all, { demand, pods: surgePods }).some((s) => s.demands.includes(demand));
}

/** The explicit strategy, or surge where there is headroom and one-at-a-time replacement elsewhere. */
export function chooseRollout(demand: GpuDemand, all: readonly GpuDemand[], explicit: RolloutStrategy | undefined): RolloutStrategy {
  if (explicit) return explicit;
  return hasSurgeHeadroom(demand, all, SURGE_ONE.maxSurge) ? SURGE_ONE : REPLACE_ONE;
}

/**
 * An explicit surge-only rollout (`maxUnavailable: 0`) whose surge pods cannot get GPUs while the
 * services run at their peak: it would wait forever. Not reported when the pools' capacity is
 * unknown, nor when the peak itself does not fit (the capacity check says so).
 */
export function rolloutErrors(path: string, demand: GpuDemand, all: readonly GpuDemand[], explicit: RolloutStrategy | undefined): string[] {
  if (explicit === undefined || explicit.maxUnavailable > 0) return [];
  if (shortfalls(all).some((s) => s.demands.includes(demand))) return [];
  const short = shortfalls(all, { demand, pods: explicit.maxSurge }).find((s) => s.demands.includes(demand));
  if (!short) return [];
  const others = short.demands.filter((d) => d !== demand).map((d) => d.service);
  return [
    `${path}: rollout { maxSurge: ${explicit.maxSurge}, maxUnavailable: 0 } of ${demand.service} never finishes at the peak: ` +
      `${demand.peakProp} ${demand.peakPods} plus ${explicit.maxSurge} surge pod(s) × ${gpuCount(demand.gpusPerPod)}` +
      `${others.length ? `, with ${others.join(", ")} at their peak,` : ""} need ${short.needed} nvidia.com/gpu, ` +
      `but GPU pool${short.pools.length > 1 ? "s" : ""} ${describePools(short.pools)} ${short.pools.length > 1 ? "hold" : "holds"} at most ${short.capacity}; ` +
      `set rollout.maxUnavailable to 1 (replace one pod at a time), lower ${demand.peakProp}, or raise the pool's maximum size`,
  ];
}
