import { KSM_POOL_LABEL } from "../../rules";
import { THANOS_METRICS } from "../../rules/thanos-metrics";

/**
 * Series the dashboards read that no metric contract describes, with the labels each carries.
 * Only the names the dashboards and recording rules use: a new panel on another series must add
 * it here, with its source, or the dashboard check rejects it.
 */

/** Labels Prometheus attaches to every scraped series from a ServiceMonitor target. */
export const TARGET_LABELS = ["job", "instance", "namespace", "service", "pod", "container", "endpoint"] as const;

/**
 * DCGM exporter labels (dcgm-exporter 4.5.3-4.8.2; see rules/dcgm-metrics.ts): the GPU, its model
 * and node, and the pod/namespace/container of the workload holding it (kept by honorLabels).
 */
export const DCGM_LABELS = ["gpu", "UUID", "device", "modelName", "Hostname", "pod", "namespace", "container"] as const;

const NODE = ["node"];
const RESOURCE = ["node", "resource", "unit"];
const POD = ["namespace", "pod", "uid"];
const HPA = ["namespace", "horizontalpodautoscaler"];
const DEPLOYMENT = ["namespace", "deployment"];

/** kube-state-metrics series (v2 names and labels) the dashboards and rules read. */
export const KUBE_STATE_METRICS_SERIES: Readonly<Record<string, readonly string[]>> = {
  kube_node_labels: [...NODE, KSM_POOL_LABEL],
  kube_node_created: NODE,
  kube_node_status_condition: [...NODE, "condition", "status"],
  kube_node_status_capacity: RESOURCE,
  kube_node_status_allocatable: RESOURCE,
  kube_pod_container_resource_requests: [...POD, "container", ...RESOURCE],
  kube_pod_container_resource_limits: [...POD, "container", ...RESOURCE],
  kube_pod_status_phase: [...POD, "phase"],
  kube_deployment_spec_replicas: DEPLOYMENT,
  kube_deployment_status_replicas_available: DEPLOYMENT,
  kube_horizontalpodautoscaler_spec_min_replicas: HPA,
  kube_horizontalpodautoscaler_spec_max_replicas: HPA,
  kube_horizontalpodautoscaler_status_current_replicas: HPA,
  kube_horizontalpodautoscaler_status_desired_replicas: HPA,
  kube_horizontalpodautoscaler_spec_target_metric: [...HPA, "metric_name", "metric_target_type"],
  kube_horizontalpodautoscaler_status_target_metric: [...HPA, "metric_name", "metric_target_type"],
};

/** Labels of Prometheus's own ALERTS series besides the alert's labels. */
export const ALERTS_LABELS = ["alertname", "alertstate", "severity"] as const;

const BUCKET = ["bucket", "operation"];
const TENANT = ["tenant"];
const HTTP = ["code", "handler", "method"];

/**
 * Labels of each Thanos metric (rules/thanos-metrics.ts) besides the target labels (Thanos
 * v0.42.4 and thanos-io/objstore): typed by the metrics' keys, so a new metric must say its labels.
 */
export const THANOS_SERIES_LABELS: Readonly<Record<keyof typeof THANOS_METRICS, readonly string[]>> = {
  shipperUploads: [],
  shipperUploadFailures: [],
  sidecarPrometheusUp: [],
  bucketOperations: BUCKET,
  bucketOperationFailures: BUCKET,
  bucketOperationDuration: BUCKET,
  bucketLastSuccessfulUpload: ["bucket"],
  compactHalted: [],
  compactIterations: [],
  compactGroupCompactions: ["resolution"],
  compactGroupCompactionFailures: ["resolution"],
  compactDownsamples: ["resolution"],
  compactDownsampleFailures: ["resolution"],
  compactBlocksMarked: ["marker", "reason"],
  compactBlocksCleaned: [],
  compactBlockCleanupFailures: [],
  storeBlocksLoaded: [],
  storeSeriesBlocksQueried: TENANT,
  storeSeriesResultSeries: TENANT,
  storeSeriesGetAllDuration: TENANT,
  queryStoreConnections: ["external_labels", "store_type"],
  httpRequestDuration: HTTP,
  httpRequests: HTTP,
};
