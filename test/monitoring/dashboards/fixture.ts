import { TerraformStack } from "cdktf";
import { DEFAULT_METRIC_CONTRACT } from "../../../lib/contracts/metric-contract";
import { MonitoredService, MonitoringCatalog } from "../../../lib/contracts/monitoring-catalog";
import { monitoringLabelContract } from "../../../lib/contracts/monitoring-labels";
import { MetricContracts } from "../../../lib/contracts/presets";
import { GpuPool } from "../../../lib/gpu/gpu-pool";
import { GrafanaDashboards, GrafanaDashboardsOptions } from "../../../lib/monitoring/dashboards/grafana-dashboards";
import { MonitoringStack, MonitoringStackOptions } from "../../../lib/monitoring/monitoring-stack";
import { thanosSidecarDiscoveryService } from "../../../lib/monitoring/thanos-sidecar";
import { clusterStack } from "../../support/fixtures";

/** The default server: default contract, HPA, availability and latency SLOs. */
export const DEFAULT_SERVICE: MonitoredService = {
  selector: { namespace: "inference", service: "llm" },
  contract: DEFAULT_METRIC_CONTRACT,
  deployment: "llm",
  hpa: "llm",
  slos: { availability: 0.995, latency: { objective: 0.95, thresholdSeconds: 1 } },
};

/** A talking-head pipeline on Triton: sum/count latency, the `model` label as its stage. */
export const TRITON_SERVICE: MonitoredService = {
  selector: { namespace: "avatar", service: "pipeline" },
  contract: MetricContracts.triton(),
  deployment: "pipeline",
};

export interface DashboardFixture {
  readonly stack: TerraformStack;
  readonly monitoring: MonitoringStack;
  readonly dashboards: GrafanaDashboards;
  readonly catalog: MonitoringCatalog;
}

/**
 * Long-term storage as the Thanos construct hands it to MonitoringStack (sidecar options and the
 * storage pack's jobs), written out so the dashboard tests need no bucket or IAM roles.
 */
export const THANOS_MONITORING: Pick<MonitoringStackOptions, "thanos" | "rules"> = {
  thanos: {
    objectStorageSecret: { name: "thanos-objstore", key: "objstore.yaml" },
    serviceAccount: { name: "kube-prometheus-stack-prometheus", roleArn: "arn:aws:iam::123456789012:role/thanos-sidecar" },
    datasource: { ref: { uid: "thanos", type: "prometheus" }, name: "Thanos", url: "http://thanos-query-frontend.monitoring.svc:9090" },
  },
  rules: {
    storage: {
      namespace: "monitoring",
      jobs: { sidecar: thanosSidecarDiscoveryService("kube-prometheus-stack"), query: "thanos-query", storeGateway: "thanos-store", compactor: "thanos-compact" },
      storeGatewayEndpoints: 1,
    },
  },
};

/** A MonitoringStack and GrafanaDashboards over `services`, as the platform stack wires them. */
export function dashboardFixture(
  services: readonly MonitoredService[] = [DEFAULT_SERVICE],
  options: GrafanaDashboardsOptions = {},
  monitoringOptions: Partial<MonitoringStackOptions> = {},
): DashboardFixture {
  const stack = clusterStack();
  const catalog = new MonitoringCatalog(monitoringLabelContract());
  const monitoring = new MonitoringStack(stack, "monitoring", {
    clusterName: "test-cluster",
    catalog,
    gpuPools: [GpuPool.fromExisting({ poolName: "a10g" })],
    systemNodeLabels: { "gpu-platform.io/role": "system" },
    storageClass: "gp3-encrypted",
    ...monitoringOptions,
  });
  const dashboards = new GrafanaDashboards(stack, "dashboards", { ...options, monitoring, catalog, namespace: monitoring.namespace });
  // Services join the catalog after the dashboards construct, as InferenceServices do.
  services.forEach((s) => catalog.addService(s));
  return { stack, monitoring, dashboards, catalog };
}
