import { IConstruct } from "constructs";
import { ConstructTag } from "../../core/construct-tag";
import { IGpuPool } from "../../gpu/gpu-pool";

/**
 * GPU capacity of the pools against what the services on them ask for at their peak. Pools
 * declare their maximum (`maxNodes` × `gpusPerNode`); each InferenceService registers its demand
 * on its construct, and the checks run at synth, once every service of the app exists.
 */

/** What one service asks of its GPU pools. */
export interface GpuDemand {
  /** "namespace/name", for messages. */
  readonly service: string;
  /** Pools its pods may land on whose nodes can hold one pod: the primary, then the overflow pool. */
  readonly pools: readonly IGpuPool[];
  readonly gpusPerPod: number;
  /** Pods at the peak: the HPA's maximum, or the fixed replica count. */
  readonly peakPods: number;
  /** The setting that gives `peakPods`, for messages. */
  readonly peakProp: "autoscaling.maxReplicas" | "replicas";
}

const GPU_DEMAND = new ConstructTag<GpuDemand>("GpuDemand");

export function registerGpuDemand(construct: IConstruct, demand: GpuDemand): void {
  GPU_DEMAND.set(construct, demand);
}

/** Every registered demand of the app, in construct order. */
export function gpuDemandsOfApp(construct: IConstruct): GpuDemand[] {
  return GPU_DEMAND.findAll(construct.node.root).map(({ value }) => value);
}

/** Most `nvidia.com/gpu` a pool can offer, or undefined when it does not say. */
export function poolCapacity(pool: IGpuPool): number | undefined {
  return pool.maxNodes === undefined || pool.gpusPerNode === undefined ? undefined : pool.maxNodes * pool.gpusPerNode;
}

/** A set of pools whose capacity is smaller than the peak of the services confined to it. */
export interface Shortfall {
  readonly pools: readonly IGpuPool[];
  readonly capacity: number;
  /** The services that can only run on these pools. */
  readonly demands: readonly GpuDemand[];
  readonly needed: number;
}

/** Beyond this many distinct pool sets, only each set and their union are checked (2^n unions). */
const MAX_EXACT_POOL_SETS = 12;

/**
 * Hall's condition for divisible demand: the services' peaks fit the pools iff, for every union U
 * of their pool sets, the services whose pools all lie in U need at most U's capacity. A union
 * holding a pool of unknown capacity is skipped. `extraPods` adds pods to one service (a
 * rollout's surge). Returns the unions that fall short, fewest pools first.
 */
export function shortfalls(demands: readonly GpuDemand[], extraPods?: { readonly demand: GpuDemand; readonly pods: number }): Shortfall[] {
  const pools = [...new Set(demands.flatMap((d) => d.pools))];
  const setOf = (d: GpuDemand) => d.pools.map((p) => pools.indexOf(p)).sort((a, b) => a - b);
  const distinct = [...new Map(demands.filter((d) => d.pools.length > 0).map((d) => [setOf(d).join(","), setOf(d)])).values()];
  const unions = new Map<string, number[]>();
  const addUnion = (sets: number[][]) => {
    const union = [...new Set(sets.flat())].sort((a, b) => a - b);
    unions.set(union.join(","), union);
  };
  if (distinct.length <= MAX_EXACT_POOL_SETS) {
    for (let subset = 1; subset < 2 ** distinct.length; subset++) addUnion(distinct.filter((_, i) => subset & (2 ** i)));
  } else {
    distinct.forEach((set) => addUnion([set]));
    addUnion(distinct);
  }

  const out: Shortfall[] = [];
  for (const union of unions.values()) {
    const inUnion = union.map((i) => pools[i]);
    const capacities = inUnion.map(poolCapacity);
    if (capacities.some((c) => c === undefined)) continue;
    const capacity = (capacities as number[]).reduce((a, b) => a + b, 0);
    const confined = demands.filter((d) => d.pools.length > 0 && d.pools.every((p) => inUnion.includes(p)));
    const needed = confined.reduce((sum, d) => sum + (d.peakPods + (extraPods?.demand === d ? extraPods.pods : 0)) * d.gpusPerPod, 0);
    if (needed > capacity) out.push({ pools: inUnion, capacity, demands: confined, needed });
  }
  return out.sort((a, b) => a.pools.length - b.pools.length);
}

/** "1 GPU", "4 GPUs" */
export function gpuCount(n: number): string {
  return `${n} GPU${n === 1 ? "" : "s"}`;
}

/** "'a10g' (6 nodes × 1 GPU) + 'spot' (8 nodes × 1 GPU)" */
export function describePools(pools: readonly IGpuPool[]): string {
  return pools.map((p) => `'${p.poolName}' (${p.maxNodes} nodes × ${gpuCount(p.gpusPerNode ?? 0)})`).join(" + ");
}

function describeDemand(d: GpuDemand): string {
  return `${d.service} (${d.peakProp} ${d.peakPods} × ${gpuCount(d.gpusPerPod)})`;
}

/**
 * The capacity error of one service: its peak, with the other services confined to the same
 * pools, exceeds the pools' maximum. Each shortfall is reported once, by the first service in it.
 */
export function capacityErrors(path: string, demand: GpuDemand, all: readonly GpuDemand[]): string[] {
  const mine = shortfalls(all).find((s) => s.demands[0] === demand);
  if (!mine) return [];
  const who = mine.demands.length === 1 ? `service ${describeDemand(demand)} needs` : `services ${mine.demands.map(describeDemand).join(", ")} need`;
  const pools = mine.pools.length === 1 ? "GPU pool" : "GPU pools";
  const hold = mine.pools.length === 1 ? "holds" : "hold";
  return [
    `${path}: ${who} up to ${mine.needed} nvidia.com/gpu at the peak, but ${pools} ${describePools(mine.pools)} ${hold} at most ${mine.capacity}; ` +
      `lower autoscaling.maxReplicas (or replicas), raise the pool's maximum size, or give the service an overflowPool`,
  ];
}
