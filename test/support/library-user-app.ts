/**
 * A cdktf app of a library user, as its `cdktf.json` would run it: a monitoring stack and one
 * model server of their own, then `app.synth()`. The export tests load it as a module.
 */
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { tmpdir } from "os";
import { join } from "path";
import { App, TerraformStack } from "cdktf";
import { MonitoringCatalog } from "../../lib/contracts/monitoring-catalog";
import { monitoringLabelContract } from "../../lib/contracts/monitoring-labels";
import { MetricContracts } from "../../lib/contracts/presets";
import { GpuPool } from "../../lib/gpu/gpu-pool";
import { MonitoringStack } from "../../lib/monitoring/monitoring-stack";
import { PrometheusAdapter } from "../../lib/monitoring/prometheus-adapter";
import { InferenceService } from "../../lib/workload/inference-service";

// Where synth would write; the export tests check that nothing lands there.
const app = new App({ outdir: join(tmpdir(), "library-user-app.out") });
const stack = new TerraformStack(app, "vision");
const kubernetes = { configPath: "~/.kube/config" };
new KubernetesProvider(stack, "kubernetes", kubernetes);
new HelmProvider(stack, "helm", { kubernetes });
const catalog = new MonitoringCatalog(monitoringLabelContract());
const pools = [GpuPool.fromExisting({ poolName: "l4" })];
new MonitoringStack(stack, "monitoring", {
  clusterName: "vision",
  catalog,
  gpuPools: pools,
  systemNodeLabels: { role: "system" },
  storageClass: "gp3",
});
new PrometheusAdapter(stack, "adapter", { catalog, nodeSelector: { role: "system" } });
new InferenceService(stack, "phone-detector", {
  name: "phone-detector",
  namespace: "vision",
  image: "registry.example.com/phone-detector:1.4.0",
  catalog,
  pools,
  metrics: MetricContracts.prometheusClient({
    requestCounter: "phone_detection_requests_total",
    statusLabel: "status",
    errorValues: ["error"],
    latencyHistogram: "phone_detection_latency_seconds",
  }),
  autoscaling: { maxReplicas: 4 },
  domainMetrics: [{ metric: "phone_detection_objects_per_frame", kind: "gauge", title: "Phones per frame", warning: 20 }],
});
app.synth();
