import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { Testing } from "cdktf";
import { GPU_TAINT, GpuPool } from "../../lib/gpu/gpu-pool";
import { PrometheusAdapter } from "../../lib/monitoring/prometheus-adapter";
import { Json, PlatformFixture, SYSTEM_NODE_SELECTOR, platform, resourcesOf, service } from "./fixture";

type Obj = { [key: string]: Json };

/** Synth with validations; the adapter is there so autoscaled services pass the agreement check. */
function synth(f: PlatformFixture): string {
  new PrometheusAdapter(f.stack, "adapter", { catalog: f.catalog, nodeSelector: SYSTEM_NODE_SELECTOR });
  return Testing.synth(f.stack, true);
}

/** The synth-time validation errors (one per line), or [] when synth succeeds. */
function synthErrors(f: PlatformFixture): string[] {
  try {
    synth(f);
    return [];
  } catch (e) {
    return (e as Error).message.split("\n").filter((line) => line.trim().startsWith("[platform/")).map((line) => line.trim());
  }
}

/** maxSurge/maxUnavailable of the Deployment named `name`. */
function strategyOf(json: string, name = "detector"): [string, string] {
  const deployment = Object.values(resourcesOf(json, DeploymentV1.tfResourceType)).find(
    (d) => ((d as Obj).metadata as Obj).name === name,
  ) as Obj;
  const rolling = ((deployment.spec as Obj).strategy as Obj).rolling_update as Obj;
  return [rolling.max_surge as string, rolling.max_unavailable as string];
}

function podSpec(json: string): Obj {
  const deployment = Object.values(resourcesOf(json, DeploymentV1.tfResourceType))[0] as Obj;
  return ((deployment.spec as Obj).template as Obj).spec as Obj;
}

const SURGE: [string, string] = ["1", "0"];
const REPLACE: [string, string] = ["0", "1"];

describe("rollout strategy chosen from the pool", () => {
  test("the issue's case: 3 replicas on a pool of exactly 3 single-GPU nodes replace one pod at a time, within the PDB", () => {
    const f = platform({ a10g: { maxNodes: 3, gpusPerNode: 1, autoscaled: true } });
    const svc = service(f, { replicas: 3, autoscaling: false });
    const json = synth(f);
    expect(strategyOf(json)).toEqual(REPLACE);
    expect(svc.rolloutStrategy).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    const pdb = Object.values(resourcesOf(json, PodDisruptionBudgetV1.tfResourceType))[0] as Obj;
    expect((pdb.spec as Obj).max_unavailable).toBe("1");
  });

  test("a pool of unknown capacity replaces one pod at a time: a spare GPU cannot be proven", () => {
    const f = platform();
    service(f);
    expect(strategyOf(synth(f))).toEqual(REPLACE);
  });

  test("an autoscaled pool with room for one more pod at the peak keeps surge", () => {
    const f = platform({ a10g: { maxNodes: 6, gpusPerNode: 1, autoscaled: true } });
    service(f, { replicas: 3, autoscaling: false });
    expect(strategyOf(synth(f))).toEqual(SURGE);
  });

  test("with an HPA the peak is maxReplicas: 10 pods surge on 11 GPUs, not on 10", () => {
    const roomy = platform({ a10g: { maxNodes: 11, gpusPerNode: 1, autoscaled: true } });
    service(roomy);
    expect(strategyOf(synth(roomy))).toEqual(SURGE);
    const full = platform({ a10g: { maxNodes: 5, gpusPerNode: 2, autoscaled: true } });
    service(full);
    expect(strategyOf(synth(full))).toEqual(REPLACE);
  });

  test("a pool without an autoscaler does not surge: maxNodes is a bound, not nodes that exist", () => {
    const f = platform({ a10g: { maxNodes: 6, gpusPerNode: 1, autoscaled: false } });
    service(f, { replicas: 3, autoscaling: false });
    expect(strategyOf(synth(f))).toEqual(REPLACE);
  });

  test("other services on the same pool count, even when added later", () => {
    const f = platform({ a10g: { maxNodes: 6, gpusPerNode: 1, autoscaled: true } });
    const first = service(f, { replicas: 3, autoscaling: false });
    expect(first.rolloutStrategy).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    service(f, { name: "other", replicas: 3, autoscaling: false }, "other");
    const json = synth(f);
    // 3 + 3 pods fill the 6 GPUs: neither has room for a surge pod.
    expect([strategyOf(json, "detector"), strategyOf(json, "other")]).toEqual([REPLACE, REPLACE]);
  });

  test("an explicit strategy is rendered as given", () => {
    const f = platform();
    service(f, { rollout: { maxSurge: 2, maxUnavailable: 1 } });
    expect(strategyOf(synth(f))).toEqual(["2", "1"]);
  });

  test("an explicit surge on a pool of unknown capacity is accepted (nothing proves it stalls)", () => {
    const f = platform();
    service(f, { rollout: { maxSurge: 1 } });
    expect(strategyOf(synth(f))).toEqual(SURGE);
  });

  test("an explicit surge on a fixed pool with a spare node is accepted", () => {
    const f = platform({ a10g: { maxNodes: 4, gpusPerNode: 1 } });
    service(f, { replicas: 3, autoscaling: false, rollout: { maxSurge: 1 } });
    expect(synthErrors(f)).toEqual([]);
  });

  test("a PDB by minAvailable is rendered without maxUnavailable", () => {
    const f = platform();
    service(f, { disruptionBudget: { minAvailable: 2 } });
    const pdb = Object.values(resourcesOf(synth(f), PodDisruptionBudgetV1.tfResourceType))[0] as Obj;
    expect(pdb.spec).toEqual({ min_available: "2", selector: { match_labels: { "app.kubernetes.io/name": "detector", "app.kubernetes.io/component": "inference-server" } } });
  });
});

describe("rollouts that cannot make progress are rejected", () => {
  test.each([
    [
      "maxSurge 0 with maxUnavailable 0",
      { rollout: { maxSurge: 0, maxUnavailable: 0 } },
      `platform/svc: 'rollout' must let a rollout progress: maxSurge and maxUnavailable cannot both be 0; use { maxUnavailable: 1 } to replace one pod at a time, or { maxSurge: 1 } where the pool has a spare GPU, got {"maxSurge":0,"maxUnavailable":0}`,
    ],
    [
      "an empty rollout (both default to 0)",
      { rollout: {} },
      `platform/svc: 'rollout' must let a rollout progress: maxSurge and maxUnavailable cannot both be 0; use { maxUnavailable: 1 } to replace one pod at a time, or { maxSurge: 1 } where the pool has a spare GPU, got {}`,
    ],
    [
      "a PDB that allows no eviction",
      { disruptionBudget: { maxUnavailable: 0 } },
      `platform/svc: 'disruptionBudget.maxUnavailable' must be at least 1: a budget that allows no eviction blocks every node drain (upgrades, scale-down), which then never finishes, got 0`,
    ],
    [
      "minAvailable equal to the fixed replica count",
      { replicas: 3, autoscaling: false as const, disruptionBudget: { minAvailable: 3 } },
      `platform/svc: 'disruptionBudget.minAvailable' must be below replicas (3): at that count no pod could be evicted and node drains (upgrades, scale-down) would never finish, got 3`,
    ],
    [
      "minAvailable equal to the HPA's minimum",
      { autoscaling: { minReplicas: 2 }, disruptionBudget: { minAvailable: 2 } },
      `platform/svc: 'disruptionBudget.minAvailable' must be below autoscaling.minReplicas (2): at that count no pod could be evicted and node drains (upgrades, scale-down) would never finish, got 2`,
    ],
    [
      "both PDB fields",
      { disruptionBudget: { maxUnavailable: 1, minAvailable: 1 } },
      `platform/svc: 'disruptionBudget' must set maxUnavailable or minAvailable, not both (a PodDisruptionBudget takes one), got {"maxUnavailable":1,"minAvailable":1}`,
    ],
    [
      "a rollout taking down more pods than the PDB allows",
      { rollout: { maxUnavailable: 2 } },
      `platform/svc: 'rollout.maxUnavailable' must not exceed what the PodDisruptionBudget allows (1 pod(s) down at 3 pods): the rollout would break the budget's promise; raise disruptionBudget or lower rollout.maxUnavailable, got 2`,
    ],
  ])("%s", (_what, options, message) => {
    expect(() => service(platform(), options)).toThrow(message);
  });

  test("surge-only on a pool with no possible headroom", () => {
    const f = platform({ a10g: { maxNodes: 3, gpusPerNode: 1, autoscaled: true } });
    service(f, { replicas: 3, autoscaling: false, rollout: { maxSurge: 1, maxUnavailable: 0 } });
    expect(synthErrors(f)).toEqual([
      "[platform/svc] platform/svc: rollout { maxSurge: 1, maxUnavailable: 0 } of inference/detector never finishes at the peak: replicas 3 plus 1 surge pod(s) × 1 GPU need 4 nvidia.com/gpu, but GPU pool 'a10g' (3 nodes × 1 GPU) holds at most 3; set rollout.maxUnavailable to 1 (replace one pod at a time), lower replicas, or raise the pool's maximum size",
    ]);
  });

  test("surge-only where another service takes the spare GPU names it", () => {
    const f = platform({ a10g: { maxNodes: 4, gpusPerNode: 1, autoscaled: true } });
    service(f, { replicas: 3, autoscaling: false, rollout: { maxSurge: 1 } });
    service(f, { name: "other", replicas: 1, autoscaling: false }, "other");
    expect(synthErrors(f)).toEqual([
      "[platform/svc] platform/svc: rollout { maxSurge: 1, maxUnavailable: 0 } of inference/detector never finishes at the peak: replicas 3 plus 1 surge pod(s) × 1 GPU, with inference/other at their peak, need 5 nvidia.com/gpu, but GPU pool 'a10g' (4 nodes × 1 GPU) holds at most 4; set rollout.maxUnavailable to 1 (replace one pod at a time), lower replicas, or raise the pool's maximum size",
    ]);
  });
});

describe("GPU capacity check", () => {
  test("the HPA's maximum must fit the pool", () => {
    const f = platform({ a10g: { maxNodes: 6, gpusPerNode: 1, autoscaled: true } });
    service(f);
    expect(synthErrors(f)).toEqual([
      "[platform/svc] platform/svc: service inference/detector (autoscaling.maxReplicas 10 × 1 GPU) needs up to 10 nvidia.com/gpu at the peak, but GPU pool 'a10g' (6 nodes × 1 GPU) holds at most 6; lower autoscaling.maxReplicas (or replicas), raise the pool's maximum size, or give the service an overflowPool",
    ]);
  });

  test("GPUs per pod multiply; a fitting peak passes", () => {
    const f = platform({ a10g: { maxNodes: 4, gpusPerNode: 4 } });
    service(f, { gpus: 4, autoscaling: { maxReplicas: 4 } });
    expect(synthErrors(f)).toEqual([]);
    const over = platform({ a10g: { maxNodes: 4, gpusPerNode: 4 } });
    service(over, { gpus: 4, autoscaling: { maxReplicas: 5 } });
    expect(synthErrors(over)).toEqual([
      "[platform/svc] platform/svc: service inference/detector (autoscaling.maxReplicas 5 × 4 GPUs) needs up to 20 nvidia.com/gpu at the peak, but GPU pool 'a10g' (4 nodes × 4 GPUs) holds at most 16; lower autoscaling.maxReplicas (or replicas), raise the pool's maximum size, or give the service an overflowPool",
    ]);
  });

  test("services on the same pool are counted together, and reported once", () => {
    const f = platform({ a10g: { maxNodes: 6, gpusPerNode: 1 } });
    service(f, { replicas: 4, autoscaling: false });
    service(f, { name: "other", replicas: 3, autoscaling: false }, "other");
    expect(synthErrors(f)).toEqual([
      "[platform/svc] platform/svc: services inference/detector (replicas 4 × 1 GPU), inference/other (replicas 3 × 1 GPU) need up to 7 nvidia.com/gpu at the peak, but GPU pool 'a10g' (6 nodes × 1 GPU) holds at most 6; lower autoscaling.maxReplicas (or replicas), raise the pool's maximum size, or give the service an overflowPool",
    ]);
  });

  test("services on different pools do not compete", () => {
    const f = platform({ a10g: { maxNodes: 4, gpusPerNode: 1 }, l4: { maxNodes: 4, gpusPerNode: 1 } });
    service(f, { replicas: 4, autoscaling: false });
    service(f, { name: "other", gpuPool: "l4", replicas: 4, autoscaling: false }, "other");
    expect(synthErrors(f)).toEqual([]);
  });

  test("an overflow pool adds its capacity, shared with the services confined to it", () => {
    const fits = platform({ a10g: { maxNodes: 6, gpusPerNode: 1 }, l4: { maxNodes: 8, gpusPerNode: 1 } });
    service(fits, { overflowPool: "l4" });
    expect(synthErrors(fits)).toEqual([]);

    const f = platform({ a10g: { maxNodes: 4, gpusPerNode: 1 }, l4: { maxNodes: 4, gpusPerNode: 1 } });
    service(f, { overflowPool: "l4", autoscaling: { maxReplicas: 5 } });
    service(f, { name: "other", gpuPool: "l4", replicas: 4, autoscaling: false }, "other");
    expect(synthErrors(f)).toEqual([
      "[platform/svc] platform/svc: services inference/detector (autoscaling.maxReplicas 5 × 1 GPU), inference/other (replicas 4 × 1 GPU) need up to 9 nvidia.com/gpu at the peak, but GPU pools 'a10g' (4 nodes × 1 GPU) + 'l4' (4 nodes × 1 GPU) hold at most 8; lower autoscaling.maxReplicas (or replicas), raise the pool's maximum size, or give the service an overflowPool",
    ]);
  });

  test("skipped without an error when the pool's capacity is unknown", () => {
    const f = platform({ a10g: { maxNodes: 2 } });
    service(f, { autoscaling: { maxReplicas: 1000 } });
    expect(synthErrors(f)).toEqual([]);
  });

  test("GpuPool.fromExisting carries the capacity fields and rejects impossible ones", () => {
    expect(GpuPool.fromExisting({ poolName: "x", maxNodes: 4, gpusPerNode: 8, autoscaled: true })).toMatchObject({ maxNodes: 4, gpusPerNode: 8, autoscaled: true });
    expect(GpuPool.fromExisting({ poolName: "x" })).not.toHaveProperty("maxNodes");
    expect(() => GpuPool.fromExisting({ poolName: "x", maxNodes: 0 })).toThrow("GpuPool x: 'maxNodes' must be an integer between 1 and 100000, got 0");
    expect(() => GpuPool.fromExisting({ poolName: "x", gpusPerNode: 1.5 })).toThrow("GpuPool x: 'gpusPerNode' must be an integer between 1 and 512, got 1.5");
  });

  test("a pod with more GPUs than a node of its pool has is rejected at once", () => {
    expect(() => service(platform({ a10g: { maxNodes: 4, gpusPerNode: 1 } }), { gpus: 2 })).toThrow(
      "platform/svc: 'gpus' must fit on one node of gpuPool 'a10g' (1 nvidia.com/gpu per node); a pod cannot span nodes, got 2",
    );
    expect(() => service(platform({ l4: { gpusPerNode: 1 } }), { gpus: 2, overflowPool: "l4" })).toThrow(
      "platform/svc: 'gpus' must fit on one node of overflowPool 'l4' (1 nvidia.com/gpu per node); a pod cannot span nodes, got 2",
    );
  });
});

describe("overflow pool", () => {
  const spotTaint = { key: "gpu-platform.io/capacity", value: "spot", effect: "NoSchedule" } as const;

  test("required: primary or overflow; preferred: primary; tolerates both pools' taints", () => {
    const f = platform({ l4: { taints: [GPU_TAINT, spotTaint] } });
    const svc = service(f, { overflowPool: f.pools.l4 });
    const spec = podSpec(synth(f));
    expect(svc.overflowPool).toBe(f.pools.l4);
    expect(spec.affinity).toEqual({
      node_affinity: {
        preferred_during_scheduling_ignored_during_execution: [
          {
            weight: 100,
            preference: {
              match_expressions: [
                { key: "gpu-platform.io/pool", operator: "In", values: ["a10g"] },
                { key: "nvidia.com/gpu.present", operator: "In", values: ["true"] },
              ],
            },
          },
        ],
        required_during_scheduling_ignored_during_execution: {
          node_selector_term: [
            {
              match_expressions: [
                { key: "gpu-platform.io/pool", operator: "In", values: ["a10g"] },
                { key: "nvidia.com/gpu.present", operator: "In", values: ["true"] },
              ],
            },
            {
              match_expressions: [
                { key: "gpu-platform.io/pool", operator: "In", values: ["l4"] },
                { key: "nvidia.com/gpu.present", operator: "In", values: ["true"] },
              ],
            },
          ],
        },
      },
    });
    expect(spec.toleration).toEqual([
      { key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" },
      { key: "gpu-platform.io/capacity", operator: "Equal", value: "spot", effect: "NoSchedule" },
    ]);
  });

  test("surge needs both pools autoscaled with room: 10 + 1 pods on 6 + 8 GPUs", () => {
    const f = platform({ a10g: { maxNodes: 6, gpusPerNode: 1, autoscaled: true }, l4: { maxNodes: 8, gpusPerNode: 1, autoscaled: true } });
    service(f, { overflowPool: "l4" });
    expect(strategyOf(synth(f))).toEqual(SURGE);
    const half = platform({ a10g: { maxNodes: 6, gpusPerNode: 1, autoscaled: false }, l4: { maxNodes: 8, gpusPerNode: 1, autoscaled: true } });
    service(half, { overflowPool: "l4" });
    expect(strategyOf(synth(half))).toEqual(REPLACE);
  });

  test.each([
    ["the primary pool again", "a10g", `platform/svc: 'overflowPool' must differ from gpuPool; leave it unset to run on one pool, got "a10g"`],
    ["a pool the platform does not have", "h100", `platform/svc: 'overflowPool' must be one of the platform's GPU pools (a10g, l4), got "h100"`],
  ])("rejects %s", (_what, overflowPool, message) => {
    expect(() => service(platform(), { overflowPool })).toThrow(message);
  });
});
