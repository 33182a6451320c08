// Grafana dashboards as code: factories, the platform's dashboards, their checks and delivery.
export * from "./common";
export * from "./inference-service-dashboard";
export * from "./gpu-fleet-dashboard";
export * from "./slo-dashboard";
export * from "./alerts-overview-dashboard";
export * from "./long-term-storage-dashboard";
export * from "./dashboard-queries";
export * from "./dashboard-checks";
export * from "./grafana-dashboards";
