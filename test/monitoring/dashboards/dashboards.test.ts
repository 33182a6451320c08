import { Testing } from "cdktf";
import { mkdtempSync, readdirSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse } from "yaml";
import { DEFAULT_METRIC_CONTRACT } from "../../../lib/contracts/metric-contract";
import {
  DashboardContext,
  finishDashboard,
  GrafanaDashboard,
  labelVariable,
  newDashboard,
  timeseriesPanel,
} from "../../../lib/monitoring/dashboards/common";
import { dashboardPanels, dashboardQueries, substituteVariables } from "../../../lib/monitoring/dashboards/dashboard-queries";
import { GrafanaDashboards } from "../../../lib/monitoring/dashboards/grafana-dashboards";
import { inferenceDashboardUid } from "../../../lib/monitoring/dashboards/inference-service-dashboard";
import { checkPromql } from "../../../lib/monitoring/private/promql-check";
import { thanosTargets } from "../../../lib/monitoring/rules/storage-rules";
import { buildApp } from "../../../stacks/app";
import { DEFAULT_CONFIG } from "../../../stacks/config";
import { exportMonitoring } from "../../../scripts/export";
import { resourceAt, resourcesOf, synthDefaultApp, synthStack } from "../../support/synth";
import { DEFAULT_SERVICE, dashboardFixture, THANOS_MONITORING, TRITON_SERVICE } from "./fixture";

type Target = { refId: string; expr: string; legendFormat?: string; datasource?: { uid?: string; type?: string } };

function byUid(dashboards: readonly GrafanaDashboard[], uid: string): GrafanaDashboard {
  const d = dashboards.find((x) => x.uid === uid);
  if (!d) throw new Error(`no dashboard ${uid} among ${dashboards.map((x) => x.uid).join(", ")}`);
  return d;
}

function targetsOf(p: { targets?: unknown[] }): Target[] {
  return (p.targets ?? []) as unknown as Target[];
}

function panel(d: GrafanaDashboard, title: string) {
  const found = dashboardPanels(d).filter((p) => p.title === title);
  if (found.length !== 1) throw new Error(`expected one panel "${title}" in ${d.uid}, found ${found.length}`);
  return found[0];
}

function exprs(d: GrafanaDashboard, title: string): string[] {
  return targetsOf(panel(d, title)).map((t) => t.expr);
}

function titles(d: GrafanaDashboard): string[] {
  return (d.panels ?? []).map((p) => `${p.type === "row" ? "# " : ""}${p.title}`);
}

/** A user's own dashboard with one panel, for the checks. */
function customDashboard(ctx: DashboardContext, uid: string, title: string, panelTitle: string, expr: string): GrafanaDashboard {
  return finishDashboard(newDashboard({ uid, title, description: "", variables: [] }).withPanel(timeseriesPanel(ctx, { title: panelTitle, queries: [{ expr }] })));
}

const CTX: DashboardContext = { datasource: { uid: "prometheus", type: "prometheus" }, clusterLabel: "cluster" };

describe("GrafanaDashboards: inference service dashboard", () => {
  const { dashboards } = dashboardFixture([DEFAULT_SERVICE, TRITON_SERVICE]);
  const all = dashboards.dashboards();
  const d = byUid(all, "inference-inference-llm");

  test("one dashboard per service with a stable uid, then GPU fleet, SLOs and alerts", () => {
    expect(all.map((x) => x.uid)).toEqual(["inference-inference-llm", "inference-avatar-pipeline", "gpu-fleet", "inference-slos", "alerts-overview"]);
    expect(d.title).toBe("Inference: inference/llm");
  });

  test("panels: traffic, latency with heatmap, pods and scaling", () => {
    expect(titles(d)).toEqual([
      "# Traffic",
      "Requests per second",
      "Error ratio (5m)",
      "QPS by status",
      "Error ratio",
      "# Latency",
      "Latency P50 / P95 / P99",
      "Latency heatmap",
      "# Pods and scaling",
      "Scrape targets",
      "Model loaded",
      "Queue depth",
      "Replicas and autoscaler",
      "Autoscaling metric per pod vs target",
    ]);
  });

  test("QPS by status from the contract's counter, split by its status label", () => {
    expect(exprs(d, "QPS by status")).toEqual([
      'sum by (status)(rate(inference_requests_total{namespace="inference", service="llm", cluster=~"$cluster"}[$__rate_interval]))',
    ]);
    expect(targetsOf(panel(d, "QPS by status"))[0].legendFormat).toBe("{{status}}");
  });

  test("P95 and P99 read the recording rules; P50 and the heatmap the histogram buckets", () => {
    expect(exprs(d, "Latency P50 / P95 / P99")).toEqual([
      'histogram_quantile(0.5, sum by (le)(rate(inference_request_duration_seconds_bucket{namespace="inference", service="llm", cluster=~"$cluster"}[$__rate_interval])))',
      'namespace_service:inference_request_duration_seconds:p95_rate5m{namespace="inference", service="llm", cluster=~"$cluster"}',
      'namespace_service:inference_request_duration_seconds:p99_rate5m{namespace="inference", service="llm", cluster=~"$cluster"}',
    ]);
    const heatmap = panel(d, "Latency heatmap");
    expect(heatmap.type).toBe("heatmap");
    expect(heatmap.targets).toEqual([
      expect.objectContaining({
        expr: 'sum by (le) (rate(inference_request_duration_seconds_bucket{namespace="inference", service="llm", cluster=~"$cluster"}[$__rate_interval]))',
        format: "heatmap",
        legendFormat: "{{le}}",
      }),
    ]);
    expect(heatmap.options).toMatchObject({ calculate: false });
  });

  test("error ratio reads the recorded 5m ratio", () => {
    expect(exprs(d, "Error ratio")).toEqual(['namespace_service:inference_request_errors:ratio_rate5m{namespace="inference", service="llm", cluster=~"$cluster"}']);
  });

  test("scrape targets as status lights: UP on 1, DOWN on 0", () => {
    const lights = panel(d, "Scrape targets");
    expect(lights.type).toBe("stat");
    expect(exprs(d, "Scrape targets")).toEqual(['up{namespace="inference", service="llm", cluster=~"$cluster"}']);
    expect(lights.fieldConfig?.defaults.mappings).toEqual([
      { type: "value", options: { "0": { text: "DOWN", color: "red" }, "1": { text: "UP", color: "green" } } },
    ]);
  });

  test("replicas against the HPA's target and bounds from kube-state-metrics", () => {
    expect(exprs(d, "Replicas and autoscaler")).toEqual([
      'max(kube_horizontalpodautoscaler_status_current_replicas{namespace="inference", horizontalpodautoscaler="llm", cluster=~"$cluster"})',
      'max(kube_horizontalpodautoscaler_status_desired_replicas{namespace="inference", horizontalpodautoscaler="llm", cluster=~"$cluster"})',
      'max(kube_horizontalpodautoscaler_spec_min_replicas{namespace="inference", horizontalpodautoscaler="llm", cluster=~"$cluster"})',
      'max(kube_horizontalpodautoscaler_spec_max_replicas{namespace="inference", horizontalpodautoscaler="llm", cluster=~"$cluster"})',
      'max(kube_deployment_status_replicas_available{namespace="inference", deployment="llm", cluster=~"$cluster"})',
    ]);
  });

  test("the autoscaling metric per pod against the HPA's target", () => {
    expect(exprs(d, "Autoscaling metric per pod vs target")).toEqual([
      'max by (metric_name) (kube_horizontalpodautoscaler_status_target_metric{namespace="inference", horizontalpodautoscaler="llm", cluster=~"$cluster", metric_target_type="average"})',
      'max by (metric_name) (kube_horizontalpodautoscaler_spec_target_metric{namespace="inference", horizontalpodautoscaler="llm", cluster=~"$cluster", metric_target_type="average"})',
    ]);
  });

  test("the cluster variable matches every series when All is selected, also without the label", () => {
    expect(d.templating.list).toEqual([
      expect.objectContaining({ name: "cluster", query: "label_values(up, cluster)", includeAll: true, multi: true, allValue: ".*" }),
    ]);
  });

  test("a Triton pipeline: success and failure counters, mean latency (no quantiles, no heatmap), a row per model stage", () => {
    const t = byUid(all, "inference-avatar-pipeline");
    expect(exprs(t, "QPS by status")).toEqual([
      'sum(rate(nv_inference_request_success{namespace="avatar", service="pipeline", cluster=~"$cluster"}[$__rate_interval]))',
      'sum(rate(nv_inference_request_failure{namespace="avatar", service="pipeline", cluster=~"$cluster"}[$__rate_interval]))',
    ]);
    expect(exprs(t, "Mean latency")).toEqual(['namespace_service:inference_request_duration_seconds:mean_rate5m{namespace="avatar", service="pipeline", cluster=~"$cluster"}']);
    expect(titles(t)).not.toContain("Latency heatmap");
    expect(titles(t)).not.toContain("Model loaded");
    expect(titles(t)).toEqual(expect.arrayContaining(["# Per model", "Requests per second by model", "Error ratio by model", "Mean latency by model", "Replicas"]));
    expect(exprs(t, "Requests per second by model")).toEqual(['namespace_service_model:inference_requests:rate5m{namespace="avatar", service="pipeline", cluster=~"$cluster"}']);
  });

  test("snapshot of the default service's dashboard JSON", () => {
    expect(d).toMatchSnapshot();
  });
});

describe("GrafanaDashboards: domain metrics", () => {
  test("a declared gauge and counter get panels on their service's dashboard, and pass the checks", () => {
    const { dashboards } = dashboardFixture([DEFAULT_SERVICE], {
      domainMetrics: [
        {
          service: { namespace: "inference", service: "llm" },
          metrics: [
            { name: "phone_detections_per_frame", kind: "gauge", title: "Phones per frame" },
            { name: "avatar_tasks_completed_total", kind: "counter", title: "Tasks completed", unit: "ops", splitBy: "task", labels: ["task"] },
          ],
        },
      ],
    });
    const d = byUid(dashboards.dashboards(), "inference-inference-llm");
    expect(exprs(d, "Phones per frame")).toEqual(['sum by (pod) (phone_detections_per_frame{namespace="inference", service="llm", cluster=~"$cluster"})']);
    expect(exprs(d, "Tasks completed")).toEqual(['sum by (task) (rate(avatar_tasks_completed_total{namespace="inference", service="llm", cluster=~"$cluster"}[$__rate_interval]))']);
    expect(dashboards.problems()).toEqual([]);
  });

  test("domain metrics of a service the catalog does not have fail", () => {
    const { dashboards } = dashboardFixture([DEFAULT_SERVICE], {
      domainMetrics: [{ service: { namespace: "inference", service: "yolo" }, metrics: [{ name: "phones", kind: "gauge", title: "Phones" }] }],
    });
    expect(dashboards.problems()).toContain(
      `test/dashboards: 'domainMetrics[0].service' must name a service of the catalog (inference/llm), got "inference/yolo"`,
    );
  });

  test("an invalid domain metric name fails at construction", () => {
    expect(() =>
      dashboardFixture([DEFAULT_SERVICE], {
        domainMetrics: [{ service: { namespace: "inference", service: "llm" }, metrics: [{ name: "phones-per-frame", kind: "gauge", title: "Phones" }] }],
      }),
    ).toThrow(/'domainMetrics\[0\]\.metrics\[0\]\.name'.*"phones-per-frame"/);
  });
});

describe("GrafanaDashboards: GPU fleet", () => {
  const d = byUid(dashboardFixture().dashboards.dashboards(), "gpu-fleet");

  test("panels", () => {
    expect(titles(d)).toEqual([
      "# Capacity",
      "GPUs allocatable vs requested per pool",
      "Idle GPUs",
      "Idle GPUs by pod",
      "# Utilisation",
      "GPU utilisation per GPU",
      "GPU utilisation per pod",
      "# Memory",
      "GPU memory used per GPU",
      "GPU memory ratio per GPU",
      "GPU memory used per pod",
      "GPU memory heatmap",
      "# Health",
      "GPU temperature",
      "GPU power",
      "XID events",
    ]);
  });

  test("variables: cluster, pool, node within the pool, GPU model, namespace", () => {
    const vars = d.templating.list ?? [];
    expect(vars.map((v) => v.name)).toEqual(["cluster", "pool", "node", "gpu_model", "namespace"]);
    const node = vars.find((v) => v.name === "node")!;
    expect(node.query).toBe('label_values(kube_node_labels{cluster=~"$cluster", label_gpu_platform_io_pool=~"$pool"}, node)');
    // No custom "All" value: All is the nodes of the chosen pools, not every node.
    expect(node.allValue).toBeUndefined();
    expect(vars.find((v) => v.name === "pool")!.query).toBe('label_values(kube_node_labels{cluster=~"$cluster"}, label_gpu_platform_io_pool)');
  });

  test("memory ratio and heatmap read the GPU recording rule; DCGM series filtered by node and model", () => {
    const ratio = 'gpu:dcgm_fb_used:ratio{cluster=~"$cluster", Hostname=~"$node", modelName=~"$gpu_model"}';
    expect(exprs(d, "GPU memory ratio per GPU")).toEqual([ratio]);
    expect(exprs(d, "GPU memory heatmap")).toEqual([ratio]);
    expect(exprs(d, "GPU temperature")).toEqual(['DCGM_FI_DEV_GPU_TEMP{cluster=~"$cluster", Hostname=~"$node", modelName=~"$gpu_model"}']);
    expect(exprs(d, "XID events")).toEqual(['DCGM_FI_DEV_XID_ERRORS{cluster=~"$cluster", Hostname=~"$node", modelName=~"$gpu_model"} != 0']);
  });

  test("idle GPUs: held by a pending or running pod that requests GPUs, at 0% for 30 minutes", () => {
    expect(exprs(d, "Idle GPUs")).toEqual([
      "count(\n" +
        'max_over_time(DCGM_FI_DEV_GPU_UTIL{cluster=~"$cluster", Hostname=~"$node", modelName=~"$gpu_model"}[30m]) == 0\n' +
        "and on (namespace, pod) (\n" +
        'max by (namespace, pod) (kube_pod_container_resource_requests{cluster=~"$cluster", resource="nvidia_com_gpu", namespace=~"$namespace"}) > 0\n' +
        'and on (namespace, pod) max by (namespace, pod) (kube_pod_status_phase{cluster=~"$cluster", phase=~"Pending|Running"} == 1)\n' +
        ")\n" +
        ") or vector(0)",
    ]);
  });

  test("allocatable per pool joins the nodes' pool label from kube-state-metrics", () => {
    expect(exprs(d, "GPUs allocatable vs requested per pool")[0]).toBe(
      "sum by (pool) (\n" +
        'kube_node_status_allocatable{cluster=~"$cluster", resource="nvidia_com_gpu"}\n' +
        "* on (cluster, node) group_left (pool)\n" +
        'max by (cluster, node, pool) (label_replace(kube_node_labels{cluster=~"$cluster", label_gpu_platform_io_pool=~"$pool"}, "pool", "$1", "label_gpu_platform_io_pool", "(.+)"))\n' +
        ")",
    );
  });
});

describe("GrafanaDashboards: SLOs and alerts", () => {
  const all = dashboardFixture([DEFAULT_SERVICE, TRITON_SERVICE]).dashboards.dashboards();

  test("one row per declared SLO; services without SLOs have none", () => {
    const d = byUid(all, "inference-slos");
    expect(titles(d).filter((t) => t.startsWith("# "))).toEqual(["# inference/llm: availability", "# inference/llm: latency"]);
    const objectives = dashboardPanels(d).filter((p) => p.title === "Objective");
    expect(objectives.map((p) => targetsOf(p)[0].expr)).toEqual(["vector(0.995)", "vector(0.95)"]);
  });

  test("error budget remaining over 30 days and burn rate per window, from the SLO recording rules", () => {
    const d = byUid(all, "inference-slos");
    const budget = dashboardPanels(d).filter((p) => p.title === "Error budget remaining (30d)");
    expect(targetsOf(budget[0])[0].expr).toBe(
      '1 - avg_over_time(namespace_service_slo:sli_error:ratio_rate5m{namespace="inference", service="llm", slo="availability", cluster=~"$cluster"}[30d]) / 0.005',
    );
    const burn = targetsOf(dashboardPanels(d).filter((p) => p.title === "Burn rate per window")[1]);
    expect(burn.map((t) => t.legendFormat)).toEqual(["5m", "30m", "1h", "2h", "6h", "1d", "3d"]);
    expect(burn[2].expr).toBe('namespace_service_slo:sli_error:ratio_rate1h{namespace="inference", service="llm", slo="latency", cluster=~"$cluster"} / 0.05');
  });

  test("no SLO dashboard when no service declares one", () => {
    expect(dashboardFixture([TRITON_SERVICE]).dashboards.dashboards().map((d) => d.uid)).toEqual(["inference-avatar-pipeline", "gpu-fleet", "alerts-overview"]);
  });

  test("alerts overview: firing alerts by severity and service, without the heartbeat", () => {
    const d = byUid(all, "alerts-overview");
    expect(titles(d)).toEqual([
      "# Firing now",
      "Firing: critical",
      "Firing: warning",
      "Firing: info",
      "Firing alerts",
      "# Over time",
      "Firing alerts by severity",
      "Firing alerts by service",
    ]);
    expect(exprs(d, "Firing alerts by severity")).toEqual([
      'count by (severity) (ALERTS{alertstate="firing", heartbeat!="true", cluster=~"$cluster", namespace=~"$namespace", service=~"$service"})',
    ]);
    expect((d.templating.list ?? []).map((v) => v.name)).toEqual(["cluster", "namespace", "service"]);
  });
});

describe("GrafanaDashboards: long-term storage (Thanos)", () => {
  const { dashboards, monitoring } = dashboardFixture([DEFAULT_SERVICE], {}, THANOS_MONITORING);
  const d = byUid(dashboards.dashboards(), "long-term-storage");
  const on = (job: string) => `namespace="monitoring", job="${job}", cluster=~"$cluster"`;
  const SIDECAR = on("kube-prometheus-stack-thanos-discovery");
  const COMPACT = on("thanos-compact");
  const STORE = on("thanos-store");
  const QUERY = on("thanos-query");

  test("present only with long-term storage, after the other platform dashboards", () => {
    expect(dashboards.dashboards().map((x) => x.uid)).toEqual(["inference-inference-llm", "gpu-fleet", "inference-slos", "alerts-overview", "long-term-storage"]);
    expect(dashboardFixture([DEFAULT_SERVICE]).dashboards.dashboards().map((x) => x.uid)).not.toContain("long-term-storage");
    expect(dashboardFixture([DEFAULT_SERVICE], { platformDashboards: false }, THANOS_MONITORING).dashboards.dashboards().map((x) => x.uid)).toEqual(["inference-inference-llm"]);
    expect(d.title).toBe("Long-term storage (Thanos)");
  });

  test("panels: components, sidecar uploads, compactor, store gateway, query", () => {
    expect(titles(d)).toEqual([
      "# Components",
      "Thanos scrape targets",
      "# Sidecar uploads (per Prometheus replica)",
      "Blocks uploaded per hour",
      "Upload failures per hour",
      "Time since last upload",
      "# Compactor",
      "Compactor halted",
      "Time since last successful run",
      "Time since last compactor upload",
      "Iterations per hour",
      "Compactions per hour",
      "Downsampling per hour",
      "Retention deletions per hour",
      "# Store gateway",
      "Blocks loaded",
      "Bucket operations",
      "Bucket operation failures",
      "Blocks queried per request",
      "Series returned per request",
      "Series request latency",
      "# Query",
      "Sidecars connected",
      "Store gateways connected",
      "Endpoints connected vs expected",
      "Query latency",
      "Query errors",
    ]);
    expect((d.templating.list ?? []).map((v) => v.name)).toEqual(["cluster"]);
  });

  test("sidecar uploads per Prometheus replica (the sidecar's pod), on the sidecar Service's job", () => {
    expect(exprs(d, "Blocks uploaded per hour")).toEqual([`sum by (pod) (increase(thanos_shipper_uploads_total{${SIDECAR}}[1h]))`]);
    expect(targetsOf(panel(d, "Blocks uploaded per hour"))[0].legendFormat).toBe("{{pod}}");
    expect(exprs(d, "Upload failures per hour")).toEqual([
      `sum by (pod) (increase(thanos_shipper_upload_failures_total{${SIDECAR}}[1h]))`,
      `sum by (pod, operation) (increase(thanos_objstore_bucket_operation_failures_total{${SIDECAR}}[1h]))`,
    ]);
    expect(exprs(d, "Time since last upload")).toEqual([`time() - max by (pod) (thanos_objstore_bucket_last_successful_upload_time{${SIDECAR}})`]);
  });

  test("compactor: halted as a light, time since its last completed loop and upload, deletions by the deletion marker", () => {
    expect(exprs(d, "Compactor halted")).toEqual([`max(thanos_compact_halted{${COMPACT}})`]);
    expect(panel(d, "Compactor halted").fieldConfig?.defaults.mappings).toEqual([
      { type: "value", options: { "0": { text: "RUNNING", color: "green" }, "1": { text: "HALTED", color: "red" } } },
    ]);
    expect(exprs(d, "Time since last successful run")).toEqual([
      `time() - max(max_over_time(timestamp(increase(thanos_compact_iterations_total{${COMPACT}}[15m]) > 0)[1d:5m]))`,
    ]);
    expect(exprs(d, "Time since last compactor upload")).toEqual([`time() - max(thanos_objstore_bucket_last_successful_upload_time{${COMPACT}})`]);
    expect(exprs(d, "Compactions per hour")).toEqual([
      `sum by (resolution) (increase(thanos_compact_group_compactions_total{${COMPACT}}[1h]))`,
      `sum by (resolution) (increase(thanos_compact_group_compactions_failures_total{${COMPACT}}[1h]))`,
    ]);
    expect(exprs(d, "Retention deletions per hour")).toEqual([
      `sum(increase(thanos_compact_blocks_marked_total{${COMPACT}, marker="deletion-mark.json"}[1h]))`,
      `sum(increase(thanos_compact_blocks_cleaned_total{${COMPACT}}[1h]))`,
      `sum(increase(thanos_compact_block_cleanup_failures_total{${COMPACT}}[1h]))`,
    ]);
  });

  test("store gateway: bucket failure ratio by operation and series latency from its histogram", () => {
    expect(exprs(d, "Bucket operation failures")).toEqual([
      `sum by (operation) (rate(thanos_objstore_bucket_operation_failures_total{${STORE}}[$__rate_interval]))\n/\nsum by (operation) (rate(thanos_objstore_bucket_operations_total{${STORE}}[$__rate_interval]))`,
    ]);
    expect(exprs(d, "Series request latency")).toEqual([
      `histogram_quantile(0.5, sum by (le) (rate(thanos_bucket_store_series_get_all_duration_seconds_bucket{${STORE}}[$__rate_interval])))`,
      `histogram_quantile(0.99, sum by (le) (rate(thanos_bucket_store_series_get_all_duration_seconds_bucket{${STORE}}[$__rate_interval])))`,
    ]);
  });

  test("query: endpoints connected against the expected counts, instant and range latency, 5xx ratio", () => {
    expect(exprs(d, "Sidecars connected")).toEqual([
      `min(\nsum by (pod) (thanos_store_nodes_grpc_connections{${QUERY}, store_type="sidecar"})\nor\nsum by (pod) (up{${QUERY}} == 1) * 0\n)`,
    ]);
    // Two Prometheus replicas, one store gateway: green only when every one is reached.
    expect(panel(d, "Sidecars connected").fieldConfig?.defaults.thresholds?.steps).toEqual([{ value: null, color: "red" }, { value: 2, color: "green" }]);
    expect(panel(d, "Store gateways connected").fieldConfig?.defaults.thresholds?.steps).toEqual([{ value: null, color: "red" }, { value: 1, color: "green" }]);
    expect(exprs(d, "Endpoints connected vs expected")).toEqual([`sum by (pod, store_type) (thanos_store_nodes_grpc_connections{${QUERY}})`, "vector(2)", "vector(1)"]);
    expect(exprs(d, "Query latency")).toEqual([
      `histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{${QUERY}, handler="query"}[$__rate_interval])))`,
      `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${QUERY}, handler="query"}[$__rate_interval])))`,
      `histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{${QUERY}, handler="query_range"}[$__rate_interval])))`,
      `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${QUERY}, handler="query_range"}[$__rate_interval])))`,
    ]);
    expect(exprs(d, "Query errors")).toEqual([
      `sum by (handler) (rate(http_requests_total{${QUERY}, handler=~"query|query_range", code=~"5.."}[$__rate_interval]))\n/\nsum by (handler) (rate(http_requests_total{${QUERY}, handler=~"query|query_range"}[$__rate_interval]))`,
    ]);
  });

  test("the expected endpoints follow Prometheus' replicas and the store gateway's, the jobs the storage options", () => {
    const { dashboards: three } = dashboardFixture([DEFAULT_SERVICE], {}, {
      ...THANOS_MONITORING,
      prometheus: { replicas: 3 },
      rules: { storage: { jobs: { sidecar: "kps-thanos-discovery", query: "tq", storeGateway: "ts", compactor: "tc" }, storeGatewayEndpoints: 2 } },
    });
    const lts = byUid(three.dashboards(), "long-term-storage");
    expect(exprs(lts, "Endpoints connected vs expected")).toEqual([expect.stringContaining('job="tq"'), "vector(3)", "vector(2)"]);
    expect(exprs(lts, "Blocks uploaded per hour")).toEqual([expect.stringContaining('job="kps-thanos-discovery"')]);
    expect(exprs(lts, "Thanos scrape targets")).toEqual(['up{namespace="monitoring", job=~"kps-thanos-discovery|tq|ts|tc", cluster=~"$cluster"}']);
    expect(three.problems()).toEqual([]);
  });

  test("MonitoringStack provides the fact only with Thanos, resolved as the storage pack resolves it", () => {
    expect(dashboardFixture().monitoring.longTermStorage).toBeUndefined();
    expect(monitoring.longTermStorage).toEqual({
      namespace: "monitoring",
      jobs: { sidecar: "kube-prometheus-stack-thanos-discovery", query: "thanos-query", storeGateway: "thanos-store", compactor: "thanos-compact" },
      sidecarEndpoints: 2,
      storeGatewayEndpoints: 1,
    });
    // Without storage options: the pack's defaults, one sidecar per Prometheus replica.
    const bare = dashboardFixture([DEFAULT_SERVICE], {}, { thanos: THANOS_MONITORING.thanos, prometheus: { replicas: 3 } }).monitoring;
    expect(bare.longTermStorage).toEqual({ ...thanosTargets(), sidecarEndpoints: 3 });
  });

  test("in the default app, wired by reference from the Thanos construct", () => {
    const { platform } = buildApp(DEFAULT_CONFIG, Testing.app());
    expect(platform.monitoring.longTermStorage!.jobs).toBe(platform.thanos!.ruleOptions.jobs);
    expect(platform.dashboards.dashboards().map((x) => x.uid)).toContain("long-term-storage");
    expect(platform.dashboards.problems()).toEqual([]);
  });

  test("the synth check passes, and knows Thanos series only with long-term storage and with their own labels", () => {
    expect(dashboards.problems()).toEqual([]);
    const custom = (expr: string) => [customDashboard(CTX, "custom", "Custom", "Halted", expr)];
    expect(dashboardFixture([DEFAULT_SERVICE], { extraDashboards: custom("thanos_compact_halted") }, THANOS_MONITORING).dashboards.problems()).toEqual([]);
    expect(dashboardFixture([DEFAULT_SERVICE], { extraDashboards: custom("thanos_compact_halted") }).dashboards.problems()).toEqual([
      expect.stringContaining('panel "Halted"\' reads a metric that no contract provides'),
    ]);
    expect(dashboardFixture([DEFAULT_SERVICE], { extraDashboards: custom('thanos_compact_halted{bucket="x"}') }, THANOS_MONITORING).dashboards.problems()).toEqual([
      `test/dashboards: 'dashboard 'custom' ("Custom"), panel "Halted"' matches a label that 'thanos_compact_halted' (Thanos) does not carry; it has cluster, container, endpoint, instance, job, namespace, pod, service, got "bucket"`,
    ]);
    expect(
      dashboardFixture([DEFAULT_SERVICE], { extraDashboards: custom('sum by (le) (thanos_bucket_store_series_blocks_queried_bucket{tenant="t"})') }, THANOS_MONITORING).dashboards.problems(),
    ).toEqual([]);
  });
});

describe("GrafanaDashboards: datasource by reference", () => {
  test("every panel, query and variable names the monitoring stack's default datasource", () => {
    const { dashboards, monitoring } = dashboardFixture([DEFAULT_SERVICE, TRITON_SERVICE]);
    expect(monitoring.defaultDatasource.uid).toBe("prometheus");
    for (const d of dashboards.dashboards()) {
      for (const p of dashboardPanels(d)) {
        expect(p.datasource).toEqual({ type: "prometheus", uid: "prometheus" });
        for (const t of targetsOf(p)) expect(t.datasource).toEqual({ type: "prometheus", uid: "prometheus" });
      }
      for (const v of d.templating.list ?? []) expect(v.datasource).toEqual({ type: "prometheus", uid: "prometheus" });
    }
  });

  test("a different default datasource (Thanos) is followed without retyping", () => {
    const { stack, monitoring, catalog } = dashboardFixture();
    const thanos = new GrafanaDashboards(stack, "thanos-dashboards", {
      monitoring: {
        defaultDatasource: { uid: "thanos-query", type: "prometheus" },
        clusterLabel: monitoring.clusterLabel,
        dashboardSidecar: monitoring.dashboardSidecar,
        ruleGroups: () => monitoring.ruleGroups(),
      },
      catalog,
      namespace: "monitoring",
    });
    const uids = new Set(thanos.dashboards().flatMap((d) => dashboardPanels(d).flatMap((p) => [p.datasource?.uid, ...targetsOf(p).map((t) => t.datasource?.uid)])));
    expect([...uids]).toEqual(["thanos-query"]);
  });
});

describe("GrafanaDashboards: checks at synth", () => {
  function withExtra(expr: string, uid = "custom", panelTitle = "VRAM") {
    return dashboardFixture([DEFAULT_SERVICE], { extraDashboards: [customDashboard(CTX, uid, "Custom", panelTitle, expr)] });
  }

  test("the default dashboards pass", () => {
    expect(dashboardFixture([DEFAULT_SERVICE, TRITON_SERVICE]).dashboards.problems()).toEqual([]);
  });

  test("a metric no contract provides fails with the dashboard, panel and metric", () => {
    const { dashboards } = withExtra("nvidia_gpu_memory_used_bytes");
    expect(dashboards.problems()).toEqual([
      `test/dashboards: 'dashboard 'custom' ("Custom"), panel "VRAM"' reads a metric that no contract provides (metric contracts and domain metrics of the catalog, DCGM exporter, kube-state-metrics, Prometheus, Thanos when long-term storage is configured, recording rules), got "nvidia_gpu_memory_used_bytes"`,
    ]);
  });

  test("synth fails on it, as cdktf synth would", () => {
    const { stack } = withExtra('rate(inference_requests_total{namespace="inference"}[5m]) / inference_tokens_total');
    expect(() => synthStack(stack)).toThrow(/panel "VRAM".*reads a metric that no contract provides.*"inference_tokens_total"/);
  });

  test("a label the series does not carry fails (DCGM's Hostname is not hostname)", () => {
    expect(withExtra('DCGM_FI_DEV_GPU_TEMP{hostname="node-1"}').dashboards.problems()).toEqual([
      expect.stringMatching(/panel "VRAM"' matches a label that 'DCGM_FI_DEV_GPU_TEMP' \(DCGM exporter\) does not carry; it has .*Hostname.*, got "hostname"$/),
    ]);
    expect(withExtra("max by (hostname) (DCGM_FI_DEV_GPU_TEMP)").dashboards.problems()).toEqual([
      expect.stringMatching(/panel "VRAM"' names a label that none of the series it reads carries \(DCGM_FI_DEV_GPU_TEMP\), got "hostname"$/),
    ]);
  });

  test("a recording rule's labels come from its expression: the GPU ratio has pool, the SLO records slo", () => {
    const { dashboards } = withExtra('sum by (pool) (gpu:dcgm_fb_used:ratio) + on () group_left () max(namespace_service_slo:sli_error:ratio_rate5m{slo="latency"})');
    expect(dashboards.problems()).toEqual([]);
    expect(withExtra('namespace_service:inference_requests:rate5m{pod="x"}').dashboards.problems()).toEqual([
      expect.stringMatching(/matches a label that 'namespace_service:inference_requests:rate5m' \(recording rule of group 'inference-inference-llm'\) does not carry; it has cluster, namespace, service, got "pod"$/),
    ]);
  });

  test("a variable over a label its series does not carry fails", () => {
    const d = finishDashboard(
      newDashboard({
        uid: "custom",
        title: "Custom",
        description: "",
        variables: [labelVariable(CTX, { name: "pool", label: "Pool", series: "kube_node_labels", valuesOf: "label_pool" })],
      }).withPanel(timeseriesPanel(CTX, { title: "Up", queries: [{ expr: "up" }] })),
    );
    expect(dashboardFixture([DEFAULT_SERVICE], { extraDashboards: [d] }).dashboards.problems()).toEqual([
      `test/dashboards: 'dashboard 'custom' ("Custom"), variable 'pool'' names a label that none of the series it reads carries (kube_node_labels), got "label_pool"`,
    ]);
  });

  test("a query that does not parse fails with where it breaks", () => {
    expect(withExtra("sum(rate(up[5m])").dashboards.problems()).toEqual([
      `test/dashboards: 'dashboard 'custom' ("Custom"), panel "VRAM"' must be valid PromQL: syntax error at character 17 (sum(rate(up[5m])»), got "sum(rate(up[5m])"`,
    ]);
  });

  test("a query of the wrong type fails with the linter's message, where, and what was expected", () => {
    expect(withExtra("sum(rate(up))").dashboards.problems()).toEqual([
      `test/dashboards: 'dashboard 'custom' ("Custom"), panel "VRAM"' must be valid PromQL: expected type matrix in call to function "rate", got vector at characters 10-11 (up), got "sum(rate(up))"`,
    ]);
    expect(withExtra("up[5m]").dashboards.problems()).toEqual([
      `test/dashboards: 'dashboard 'custom' ("Custom"), panel "VRAM"' must be valid PromQL: evaluates to a range vector, where only an instant vector or a scalar is accepted, got "up[5m]"`,
    ]);
  });

  test("two dashboards with one uid fail", () => {
    expect(withExtra("up", "gpu-fleet").dashboards.problems()).toEqual([
      `test/dashboards: 'dashboards["Custom"].uid' must be unique, but dashboard "GPU fleet" has it too, got "gpu-fleet"`,
    ]);
  });

  test("a uid Grafana would reject fails", () => {
    expect(withExtra("up", "a".repeat(41)).dashboards.problems()).toEqual([
      `test/dashboards: 'dashboards["Custom"].uid' must be 1 to 40 letters, digits, '-' or '_' (Grafana's rule), got "${"a".repeat(41)}"`,
    ]);
  });

  test("long service names get a uid within 40 characters, distinct per service", () => {
    const a = inferenceDashboardUid({ namespace: "talking-head-pipelines", service: "face-animation-renderer" });
    const b = inferenceDashboardUid({ namespace: "talking-head-pipelines", service: "face-animation-renderer-v2" });
    // 31 characters of "inference-<namespace>-<service>", "-", 8 of its hash.
    expect(a).toMatch(/^inference-talking-head-pipeline-[0-9a-f]{8}$/);
    expect(a.length).toBe(40);
    expect(b.length).toBeLessThanOrEqual(40);
    expect(a).not.toBe(b);
  });

  test("a folder name with an empty part fails at construction", () => {
    expect(() => dashboardFixture([DEFAULT_SERVICE], { folder: "GPU//platform" })).toThrow(
      `test/dashboards: 'folder' must be a folder name, or names separated by '/' for nested folders (no empty, '.' or '..' parts), got "GPU//platform"`,
    );
  });
});

describe("GrafanaDashboards: several in one app", () => {
  function second(fixture: ReturnType<typeof dashboardFixture>, options: Partial<ConstructorParameters<typeof GrafanaDashboards>[2]> = {}) {
    return new GrafanaDashboards(fixture.stack, "more-dashboards", { monitoring: fixture.monitoring, catalog: fixture.catalog, namespace: "monitoring", ...options });
  }

  test("services split over two ConfigMaps, the platform dashboards in one: no collision", () => {
    const f = dashboardFixture([DEFAULT_SERVICE, TRITON_SERVICE], { services: [DEFAULT_SERVICE.selector] });
    const more = second(f, { name: "grafana-dashboards-avatar", services: [TRITON_SERVICE.selector], platformDashboards: false });
    expect(f.dashboards.dashboards().map((d) => d.uid)).toEqual(["inference-inference-llm", "gpu-fleet", "inference-slos", "alerts-overview"]);
    expect(more.dashboards().map((d) => d.uid)).toEqual(["inference-avatar-pipeline"]);
    expect([...f.dashboards.problems(), ...more.problems()]).toEqual([]);
    const maps = Object.values(resourcesOf(synthStack(f.stack), "kubernetes_config_map_v1")) as { metadata: { name: string } }[];
    expect(maps.map((m) => m.metadata.name).sort()).toEqual(["grafana-dashboards", "grafana-dashboards-avatar"]);
  });

  test("a second one with the defaults collides on the ConfigMap and on every uid", () => {
    const f = dashboardFixture();
    second(f);
    const problems = f.dashboards.problems();
    expect(problems).toContain(`test/dashboards: 'name' must differ from the ConfigMap of test/more-dashboards, got "monitoring/grafana-dashboards"`);
    expect(problems).toContain(`test/dashboards: 'dashboards[*].uid' must be unique, but test/more-dashboards delivers a dashboard with it too, got "gpu-fleet"`);
    expect(() => synthStack(f.stack)).toThrow(/must differ from the ConfigMap of test\/more-dashboards/);
  });

  test("services naming a service the catalog does not have fail", () => {
    const f = dashboardFixture([DEFAULT_SERVICE], { services: [{ namespace: "inference", service: "yolo" }] });
    expect(f.dashboards.problems()).toEqual([`test/dashboards: 'services[0]' must name a service of the catalog (inference/llm), got "inference/yolo"`]);
  });
});

describe("substituteVariables", () => {
  test("replaces $name, ${name}, ${name:format} and [[name]]; leaves names without a value ($1) alone", () => {
    const values = { node: "ip-10-0-1-5", node_pool: "a10g", __rate_interval: "1m" };
    expect(substituteVariables('x{a=~"$node", b=~"${node_pool}", c=~"${node:regex}", d=~"[[node]]"}[$__rate_interval]', values)).toBe(
      'x{a=~"ip-10-0-1-5", b=~"a10g", c=~"ip-10-0-1-5", d=~"ip-10-0-1-5"}[1m]',
    );
    expect(substituteVariables('label_replace(up, "n", "$1", "node", "(.+)") and $nodes', values)).toBe('label_replace(up, "n", "$1", "node", "(.+)") and $nodes');
  });
});

describe("dashboardQueries (for end-to-end runs)", () => {
  const all = dashboardFixture([DEFAULT_SERVICE, TRITON_SERVICE]).dashboards.dashboards();

  test("lists every panel query with its dashboard and panel, variables substituted", () => {
    const queries = dashboardQueries(all, { namespace: "inference", cluster: "" });
    const targets = all.flatMap((d) => dashboardPanels(d).flatMap((p) => p.targets ?? []));
    expect(queries).toHaveLength(targets.length);
    expect(queries).toContainEqual({
      dashboardUid: "inference-inference-llm",
      dashboardTitle: "Inference: inference/llm",
      panelTitle: "QPS by status",
      refId: "A",
      expr: 'sum by (status)(rate(inference_requests_total{namespace="inference", service="llm", cluster=~""}[1m]))',
      instant: false,
    });
    expect(queries.find((q) => q.panelTitle === "Firing alerts by severity")!.expr).toBe(
      'count by (severity) (ALERTS{alertstate="firing", heartbeat!="true", cluster=~"", namespace=~"inference", service=~".*"})',
    );
  });

  test("every substituted query parses, type-checks to an instant vector or a scalar, and holds no variable, only label_replace's $1", () => {
    for (const q of dashboardQueries(all, { __rate_interval: "30s" })) {
      const { errors, type } = checkPromql(q.expr);
      expect({ at: `${q.dashboardUid} / ${q.panelTitle}`, errors, scalarOrVector: type === "vector" || type === "scalar" }).toEqual({
        at: `${q.dashboardUid} / ${q.panelTitle}`,
        errors: [],
        scalarOrVector: true,
      });
      expect(q.expr.replace(/"\$1"/g, "")).not.toMatch(/\$/);
    }
  });

  test("a variable not given takes its All value; a chained one without its own matches everything", () => {
    const fleet = dashboardQueries(all).filter((q) => q.dashboardUid === "gpu-fleet");
    expect(fleet.find((q) => q.panelTitle === "GPU power")!.expr).toBe('DCGM_FI_DEV_POWER_USAGE{cluster=~".*", Hostname=~".*", modelName=~".*"}');
  });
});

describe("GrafanaDashboards in the default app", () => {
  const { platform } = synthDefaultApp();
  const cm = resourceAt(platform, "kubernetes_config_map_v1", "dashboards/config-map") as {
    metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
    data: Record<string, string>;
    depends_on: string[];
  };

  test("one ConfigMap in the monitoring namespace, labelled and annotated for the Grafana sidecar, after the namespace", () => {
    expect(cm.metadata).toEqual({
      name: "grafana-dashboards",
      namespace: "monitoring",
      labels: { grafana_dashboard: "1", "app.kubernetes.io/part-of": "gpu-inference-platform" },
      annotations: { grafana_folder: "GPU inference platform" },
    });
    expect(cm.depends_on).toEqual(["kubernetes_namespace_v1.namespace-monitoring"]);
    expect(Object.keys(cm.data).sort()).toEqual(["alerts-overview.json", "gpu-fleet.json", "inference-inference-inference-server.json", "inference-slos.json", "long-term-storage.json"]);
    expect(JSON.parse(cm.data["gpu-fleet.json"]).title).toBe("GPU fleet");
  });

  test("the chart's sidecar selects that label and makes folders from the annotation", () => {
    const release = resourceAt(platform, "helm_release", "monitoring/chart/release");
    const sidecar = parse((release.values as string[])[0]).grafana.sidecar.dashboards;
    expect(sidecar).toEqual({
      enabled: true,
      label: "grafana_dashboard",
      labelValue: "1",
      searchNamespace: "monitoring",
      folderAnnotation: "grafana_folder",
      provider: { foldersFromFilesStructure: true },
    });
  });
});

describe("npm run export: dashboards", () => {
  const out = mkdtempSync(join(tmpdir(), "export-dashboards-"));
  const files = exportMonitoring(out, {});

  test("writes one importable JSON file per dashboard", () => {
    expect(readdirSync(join(out, "dashboards")).sort()).toEqual(["alerts-overview.json", "gpu-fleet.json", "inference-inference-inference-server.json", "inference-slos.json", "long-term-storage.json"]);
    expect(files.dashboardFiles).toHaveLength(5);
    for (const file of files.dashboardFiles) {
      const text = readFileSync(file, "utf8");
      const d = JSON.parse(text) as GrafanaDashboard & { __inputs?: unknown };
      expect(d.uid).toBe(file.replace(/^.*\//, "").replace(/\.json$/, ""));
      expect(d.title).toEqual(expect.any(String));
      expect(d.templating.list!.length).toBeGreaterThan(0);
      expect(d.__inputs).toBeUndefined();
      expect(d.annotations.list).toEqual([]);
      // The datasource is resolved to the pinned uid: nothing for an importer to fill in.
      expect(text).not.toMatch(/\$\{DS_/);
      const panels = dashboardPanels(d);
      expect(panels.length).toBeGreaterThan(0);
      for (const p of panels) {
        expect(p.targets!.length).toBeGreaterThan(0);
        // The default app stores long-term metrics in Thanos: its Query Frontend is the default datasource.
        expect(p.datasource).toEqual({ type: "prometheus", uid: "thanos" });
      }
    }
  });

  test("a contract's metric shows up in the exported inference dashboard", () => {
    const text = readFileSync(join(out, "dashboards", "inference-inference-inference-server.json"), "utf8");
    expect(text).toContain(DEFAULT_METRIC_CONTRACT.queueDepth!);
  });
});

describe("GrafanaDashboards: Terraform literals", () => {
  test("Grafana's ${variable} and a %{ reach the ConfigMap escaped, so Terraform does not read them as expressions", () => {
    const { stack } = dashboardFixture([DEFAULT_SERVICE], {
      extraDashboards: [customDashboard(CTX, "custom", "Custom", "Up %{x}", 'up{namespace=~"${namespace}"}')],
    });
    const cm = resourceAt(synthStack(stack), "kubernetes_config_map_v1", "dashboards/config-map") as { data: Record<string, string> };
    expect(cm.data["custom.json"]).toContain('"expr": "up{namespace=~\\"$${namespace}\\"}"');
    expect(cm.data["custom.json"]).toContain('"title": "Up %%{x}"');
    expect(cm.data["custom.json"]).not.toMatch(/[^$]\$\{|[^%]%\{/);
  });
});
