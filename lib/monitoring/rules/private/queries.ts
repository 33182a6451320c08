import { SeriesMatcher } from "../../../contracts/metric-contract";
import { renderMatchers } from "../../../contracts/promql";
import { GPU_POOL_LABEL } from "../../../gpu/gpu-pool";

/**
 * PromQL fragments over infrastructure metrics (kube-state-metrics, cAdvisor, DCGM). Model-server
 * queries come from the metric contract builders in contracts/promql.ts; everything else that the
 * packs query more than once is written here, once.
 */

/** Label that rules attach to GPU series: the pool of the node the GPU sits in. */
export const POOL_LABEL = "pool";

/**
 * kube-state-metrics exposes an allow-listed node label as `label_<key>` with every character
 * outside [a-zA-Z0-9_] replaced by "_": `gpu-platform.io/pool` becomes `label_gpu_platform_io_pool`.
 */
export const KSM_POOL_LABEL = `label_${GPU_POOL_LABEL.replace(/[^a-zA-Z0-9_]/g, "_")}`;

/**
 * The kube-state-metrics flag value the GPU rules need so kube_node_labels carries each node's
 * pool: `--metric-labels-allowlist=nodes=[gpu-platform.io/pool]` (chart value
 * `kube-state-metrics.metricLabelsAllowlist`).
 */
export const KSM_NODE_LABELS_ALLOWLIST = `nodes=[${GPU_POOL_LABEL}]`;

export function eq(label: string, value: string): SeriesMatcher {
  return { label, op: "=", value };
}

function regexEscape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `label="a"` for one value, `label=~"a|b"` for several. */
export function oneOf(label: string, values: readonly string[]): SeriesMatcher {
  return values.length === 1 ? eq(label, values[0]) : { label, op: "=~", value: values.map(regexEscape).join("|") };
}

/** `label!="a"` for one value, `label!~"a|b"` for several. */
export function noneOf(label: string, values: readonly string[]): SeriesMatcher {
  return values.length === 1 ? { label, op: "!=", value: values[0] } : { label, op: "!~", value: values.map(regexEscape).join("|") };
}

/** `metric{matchers}`, or the bare metric name without matchers. */
export function series(metric: string, ...matchers: SeriesMatcher[]): string {
  return matchers.length ? `${metric}{${renderMatchers(matchers)}}` : metric;
}

/** A threshold as PromQL text, without float noise such as 0.9500000000000001. */
export function num(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/**
 * One series per GPU node with its pool in `pool`, keyed by `key`: `node` for kube-state-metrics
 * joins, `Hostname` for DCGM joins (the exporter sets Hostname from NODE_NAME, the node name).
 * Needs kube-state-metrics started with `--metric-labels-allowlist=nodes=[gpu-platform.io/pool]`.
 */
export function nodePools(key: "node" | "Hostname", poolMatcher: SeriesMatcher, cluster?: SeriesMatcher): string {
  const withPool = `label_replace(${series("kube_node_labels", ...(cluster ? [cluster] : []), poolMatcher)}, "${POOL_LABEL}", "$1", "${KSM_POOL_LABEL}", "(.+)")`;
  const keyed = key === "node" ? withPool : `label_replace(${withPool}, "Hostname", "$1", "node", "(.+)")`;
  // Read through Thanos, two clusters may both have a node ip-10-0-1-5 (same default VPC CIDR):
  // keeping the cluster label lets the caller join on (cluster, node).
  return `max by (${cluster ? `${cluster.label}, ` : ""}${key}, ${POOL_LABEL}) (${keyed})`;
}

/** Matches the kube-state-metrics pool label of any node in a pool. */
export const ANY_POOL: SeriesMatcher = { label: KSM_POOL_LABEL, op: "!=", value: "" };

/**
 * Pods of a Deployment: `<deployment>-<pod-template-hash>-<suffix>`. PromQL regexes are anchored
 * and neither part holds a "-", so a Deployment `api` does not match the pods of `api-worker`.
 */
export function deploymentPods(deployment: string): SeriesMatcher {
  return { label: "pod", op: "=~", value: `${regexEscape(deployment)}-[a-z0-9]+-[a-z0-9]+` };
}

/**
 * `expr`, a per-pod vector, with the node each pod runs on: Alertmanager's node-down inhibition
 * matches on `node`, which kube-state-metrics puts on kube_pod_info only. Pods that kube_pod_info
 * does not list (kube-state-metrics down or behind) keep their alert, without `node`.
 */
export function withPodNode(expr: string, namespace: string): string {
  const info = `max by (namespace, pod, node) (${series("kube_pod_info", eq("namespace", namespace), { label: "node", op: "!=", value: "" })})`;
  return `(\n${expr}\n)\n* on (namespace, pod) group_left (node)\n${info}\nor ignoring (node)\n(\n${expr}\n)`;
}

/** The available replicas of a Deployment, one series. */
export function availableReplicas(namespace: string, deployment: string): string {
  return `max by (namespace) (${series("kube_deployment_status_replicas_available", eq("namespace", namespace), eq("deployment", deployment))})`;
}

/** A duration in seconds as a Prometheus duration ("90s", "2m", "1h"). */
export function durationText(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${Math.round(seconds)}s`;
}
