import { IConstruct } from "constructs";
import { IGpuPool } from "./gpu-pool";
import { NodeAffinity, Toleration, nodeAffinitySelects, untoleratedTaints } from "../core/kubernetes/scheduling";
import { ConstructTag } from "../core/construct-tag";
import { checkUnique } from "../core/validate";

/** How a DaemonSet meant for GPU nodes is scheduled, as it will be rendered. */
export interface GpuDaemonSetScheduling {
  /** Human name of the component, for messages ("nvidia-device-plugin"). */
  readonly component: string;
  readonly tolerations: readonly Toleration[];
  /** Required node affinity. @default - none: the DaemonSet targets every node */
  readonly nodeAffinity?: NodeAffinity;
  /** True for the NVIDIA device plugin: every GPU pool needs one. */
  readonly isDevicePlugin: boolean;
}

const GPU_DAEMONSET = new ConstructTag<GpuDaemonSetScheduling>("GpuDaemonSet");

/** Marks a construct as rendering a DaemonSet that must run on every GPU node. */
export function registerGpuDaemonSet(construct: IConstruct, scheduling: GpuDaemonSetScheduling): void {
  GPU_DAEMONSET.set(construct, scheduling);
}

function describeTaint(t: { key: string; value?: string; effect: string }): string {
  return `${t.key}${t.value === undefined ? "" : `=${t.value}`}:${t.effect}`;
}

/**
 * Cross-component check of a scope holding GPU DaemonSets against the GPU pools of the
 * cluster: every GPU DaemonSet must tolerate every pool's taints and select its labels (else
 * the DaemonSet has 0 pods there, k8s-device-plugin #607), and every pool needs exactly one
 * device plugin: the chart's, or the host's on Bottlerocket (else its GPUs are never
 * allocatable, or are advertised twice). Returns the errors; empty when all is well.
 */
export function gpuSchedulingErrors(scope: IConstruct, pools: readonly IGpuPool[]): string[] {
  const errors: string[] = [];
  try {
    checkUnique(scope, "gpuPools[].poolName", pools.map((p) => p.poolName));
  } catch (e) {
    errors.push((e as Error).message);
  }
  const daemonSets = GPU_DAEMONSET.findAll(scope).map(({ construct, value }) => ({ path: construct.node.path, scheduling: value }));

  for (const pool of pools) {
    // Bottlerocket's NVIDIA variants run the device plugin on the host.
    const hostPlugin = pool.devicePlugin === "host";
    let devicePlugins = hostPlugin ? 1 : 0;
    for (const { path, scheduling } of daemonSets) {
      const missing = untoleratedTaints(scheduling.tolerations, pool.taints);
      const selects = scheduling.nodeAffinity === undefined || nodeAffinitySelects(scheduling.nodeAffinity, pool.nodeLabels);
      const runsThere = missing.length === 0 && selects;
      if (scheduling.isDevicePlugin && hostPlugin) {
        // The one DaemonSet that must stay off such a pool.
        if (runsThere) {
          errors.push(
            `${path}: GPU DaemonSet '${scheduling.component}' runs on GPU pool '${pool.poolName}', whose nodes (Bottlerocket) already run the NVIDIA device plugin on the host; two device plugins advertise the same GPUs: leave this pool out of the chart's pools`,
          );
        }
        continue;
      }
      for (const taint of missing) {
        errors.push(
          `${path}: GPU DaemonSet '${scheduling.component}' does not tolerate taint ${describeTaint(taint)} of GPU pool '${pool.poolName}', so it gets no pod there; add a toleration for it`,
        );
      }
      if (!selects) {
        errors.push(
          `${path}: GPU DaemonSet '${scheduling.component}' node affinity does not select the labels of GPU pool '${pool.poolName}' (${JSON.stringify(pool.nodeLabels)}), so it gets no pod there`,
        );
      }
      if (scheduling.isDevicePlugin && runsThere) devicePlugins++;
    }
    if (devicePlugins === 0) {
      errors.push(
        `${scope.node.path}: GPU pool '${pool.poolName}' has no NVIDIA device plugin scheduled on it, so its GPUs never become allocatable; add an NvidiaDevicePlugin covering this pool`,
      );
    }
  }
  return errors;
}

/** Adds `gpuSchedulingErrors` as a synth-time validation of `scope`. */
export function addGpuSchedulingValidation(scope: IConstruct, pools: readonly IGpuPool[]): void {
  scope.node.addValidation({ validate: () => gpuSchedulingErrors(scope, pools) });
}
