/** The fields of a prometheus-operator RelabelConfig that the exporter's ServiceMonitor uses. */
export interface DcgmRelabeling {
  readonly action: "replace" | "labeldrop";
  readonly sourceLabels?: readonly string[];
  readonly targetLabel?: string;
  readonly regex?: string;
}

/**
 * With honorLabels, a label the exporter does not emit comes from the target: an idle GPU's series
 * (no pod holds it, so no pod/namespace/container from the exporter) would carry the exporter pod's
 * own pod/namespace/container and read as "used by nvidia/dcgm-exporter-...". So the target keeps
 * the exporter's identity as exporter_pod/exporter_namespace, and pod/namespace/container come only
 * from the exporter: those of the workload holding the GPU, or none.
 */
export const DCGM_SERVICE_MONITOR_RELABELINGS: readonly DcgmRelabeling[] = [
  { action: "replace", sourceLabels: ["__meta_kubernetes_pod_name"], targetLabel: "exporter_pod" },
  { action: "replace", sourceLabels: ["__meta_kubernetes_namespace"], targetLabel: "exporter_namespace" },
  { action: "labeldrop", regex: "pod|namespace|container" },
];
