/**
 * The DCGM exporter metrics the rules read, all from the exporter's default counters
 * (dcgm-exporter 4.5.3-4.8.2 `etc/default-counters.csv`; a test checks each name against it).
 * Labels: `gpu`, `UUID`, `pci_bus_id`, `device`, `modelName`, `Hostname` (the node name, from
 * NODE_NAME, which the chart sets from spec.nodeName), `DCGM_FI_DRIVER_VERSION`, and
 * `pod`/`namespace`/`container` of the workload holding the GPU (none on a GPU no pod holds:
 * DcgmExporter's ServiceMonitor moves the exporter pod's own to `exporter_pod`/`exporter_namespace`).
 * dcgm-exporter after 4.5.3-4.8.2 renames `Hostname` to `hostname` (NVIDIA/dcgm-exporter #655):
 * the rules' joins and `node` label read `Hostname`, so that upgrade must change them.
 */
export const DCGM_METRICS = {
  /** Framebuffer memory used, MiB. */
  fbUsed: "DCGM_FI_DEV_FB_USED",
  /** Framebuffer memory free, MiB. Used + free is the memory a workload can have. */
  fbFree: "DCGM_FI_DEV_FB_FREE",
  /** GPU temperature, °C. */
  gpuTemp: "DCGM_FI_DEV_GPU_TEMP",
  /** Power draw, W. The default counters carry no power limit, so thresholds are absolute watts. */
  powerUsage: "DCGM_FI_DEV_POWER_USAGE",
  /** Utilisation, %: coarse (share of time any kernel ran); the fallback when profiling is unavailable. */
  gpuUtil: "DCGM_FI_DEV_GPU_UTIL",
  /** The code of the last XID error, not a count: 0 until the first one. */
  xidErrors: "DCGM_FI_DEV_XID_ERRORS",
  /** Counter of rows remapped for uncorrectable ECC errors; a GPU reset applies them. */
  uncorrectableRemappedRows: "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS",
  /** 1 when row remapping failed: the GPU needs replacing. */
  rowRemapFailure: "DCGM_FI_DEV_ROW_REMAP_FAILURE",
  /** Ratio (0-1) of time the graphics engine was active: the accurate saturation signal (profiling metric). */
  grEngineActive: "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
} as const;
