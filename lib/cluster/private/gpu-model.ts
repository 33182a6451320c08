import { NvidiaGpuFamily, instanceFamily } from "../../gpu/gpu-instance-types";

/** GPU model per family, the value of Cluster Autoscaler's GPU node label; typed so a new family needs one. */
const GPU_MODEL: { readonly [F in NvidiaGpuFamily]: string } = {
  g4dn: "nvidia-tesla-t4",
  g5: "nvidia-a10g",
  g6: "nvidia-l4",
  g6f: "nvidia-l4",
  gr6: "nvidia-l4",
  gr6f: "nvidia-l4",
  g6e: "nvidia-l40s",
  g7e: "nvidia-rtx-pro-6000",
  p3: "nvidia-tesla-v100",
  p3dn: "nvidia-tesla-v100",
  p4d: "nvidia-a100",
  p4de: "nvidia-a100",
  p5: "nvidia-h100",
  p5e: "nvidia-h200",
  p5en: "nvidia-h200",
  "p6-b200": "nvidia-b200",
  "p6-b300": "nvidia-b300",
};

/**
 * The GPU model of a pool when all its instance types share one, else the generic "nvidia":
 * Cluster Autoscaler only tests the label's presence, the value matters only to per-model
 * `--gpu-total` limits, which the platform does not set.
 */
export function gpuModelOf(instanceTypes: readonly string[]): string {
  const models = new Set(instanceTypes.map((t) => GPU_MODEL[instanceFamily(t) as NvidiaGpuFamily] ?? "nvidia"));
  return models.size === 1 ? [...models][0] : "nvidia";
}
