/** Pods of the dcgm-exporter chart (4.8.2; its name, not overridden) and the port Prometheus scrapes. */
export const DCGM_EXPORTER_PODS = { "app.kubernetes.io/name": "dcgm-exporter" } as const;
export const DCGM_EXPORTER_PORT = 9400;
