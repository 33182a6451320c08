/**
 * Bottlerocket user data (TOML) for a managed node group's launch template. EKS merges these
 * settings with the cluster bootstrap settings it writes itself, so only what the platform adds
 * is rendered here. Bottlerocket's NVIDIA variants run the device plugin on the host: GPU
 * sharing is a node setting, not the Helm chart's config.
 */
export interface BottlerocketGpuSettings {
  /** Pods per GPU with time-slicing. @default - no sharing */
  readonly timeSlicingReplicas?: number;
}

/** The TOML text, or undefined when there is nothing to set. */
export function bottlerocketUserData(settings: BottlerocketGpuSettings): string | undefined {
  if (settings.timeSlicingReplicas === undefined) return undefined;
  return [
    "[settings.kubelet-device-plugins.nvidia]",
    'device-sharing-strategy = "time-slicing"',
    "",
    "[settings.kubelet-device-plugins.nvidia.time-slicing]",
    `replicas = ${settings.timeSlicingReplicas}`,
    // Keep the resource name nvidia.com/gpu, which every workload and alert of the platform uses.
    "rename-by-default = false",
    "",
  ].join("\n");
}
