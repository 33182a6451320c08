import { createServer, Server } from "http";
import { AddressInfo } from "net";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { DEFAULT_METRIC_CONTRACT } from "../../../lib/contracts/metric-contract";
import { DCGM_METRICS } from "../../../lib/monitoring/rules/dcgm-metrics";
import { KSM_POOL_LABEL } from "../../../lib/monitoring/rules";

/**
 * Reference exporters for the end-to-end tests and the demo: a model server speaking the default
 * metric contract (prom-client, as an in-house server would), a DCGM exporter per GPU node, and
 * the kube-state-metrics series the rules join on. Each is a real HTTP `/metrics` endpoint on
 * loopback whose behaviour the caller changes in-process (or over `ControlServer`'s HTTP API).
 */

/** Labels a ServiceMonitor gives a target; Prometheus attaches them to every series. */
export type TargetLabels = Readonly<Record<"job" | "namespace" | "service" | "pod" | "container" | "endpoint", string>>;

/** One scrape target: a `/metrics` HTTP server that can be stopped (the exporter killed) and restarted. */
export abstract class MetricsTarget {
  private server: Server | undefined;
  private boundPort = 0;

  /** @param honorLabels the scrape keeps the exporter's own pod/namespace labels (DCGM, kube-state-metrics) */
  protected constructor(
    public readonly labels: TargetLabels,
    public readonly honorLabels: boolean,
  ) {}

  protected abstract render(): Promise<string>;

  /** host:port while running; the port stays the same across a restart. */
  public get address(): string {
    return `127.0.0.1:${this.boundPort}`;
  }

  public get running(): boolean {
    return this.server !== undefined;
  }

  public async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => {
      if (req.url !== "/metrics") {
        res.writeHead(404).end();
        return;
      }
      this.render().then(
        (text) => res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(text),
        (e: Error) => res.writeHead(500).end(e.message),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.boundPort, "127.0.0.1", () => resolve());
    });
    this.boundPort = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** The exporter is gone: connections refused, Prometheus records `up == 0`. */
  public async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/* ---------- model server (default metric contract) ---------- */

export interface ModelServerBehaviour {
  /** Requests per second the simulated clients send. */
  readonly requestsPerSecond: number;
  /** Fraction of requests that fail (status="error"). */
  readonly errorRatio: number;
  /** Duration of every request. */
  readonly latencySeconds: number;
  readonly queueDepth: number;
  readonly modelLoaded: boolean;
}

export const HEALTHY_MODEL_SERVER: ModelServerBehaviour = {
  requestsPerSecond: 2,
  errorRatio: 0,
  latencySeconds: 0.2,
  queueDepth: 1,
  modelLoaded: true,
};

const contract = DEFAULT_METRIC_CONTRACT;
if (contract.requests.kind !== "statusLabel" || contract.latency.kind !== "histogram" || !contract.queueDepth || !contract.modelLoaded) {
  throw new Error("the reference model server implements a statusLabel + histogram contract with queue depth and model-loaded gauges");
}
const REQUESTS = contract.requests;
const LATENCY = contract.latency;

/**
 * One pod of a model server instrumented with prom-client under the default contract. Traffic is
 * simulated in-process (a tick every 100 ms), so the test sets rates and ratios exactly.
 */
export class ModelServerPod extends MetricsTarget {
  public behaviour: ModelServerBehaviour = HEALTHY_MODEL_SERVER;
  private readonly registry = new Registry();
  private readonly requests: Counter<string>;
  private readonly duration: Histogram<string>;
  private readonly queue: Gauge<string>;
  private readonly loaded: Gauge<string>;
  private carry = { requests: 0, errors: 0 };
  private timer: NodeJS.Timeout | undefined;

  constructor(labels: TargetLabels) {
    super(labels, false);
    this.requests = new Counter({ name: REQUESTS.counter, help: "Inference requests by outcome.", labelNames: [REQUESTS.statusLabel], registers: [this.registry] });
    // prom-client's default buckets include 1 (the SLO threshold): exposed as le="1", stored by Prometheus 3 as le="1.0".
    this.duration = new Histogram({ name: LATENCY.name, help: "Inference request duration.", registers: [this.registry] });
    this.queue = new Gauge({ name: contract.queueDepth!, help: "Requests waiting.", registers: [this.registry] });
    this.loaded = new Gauge({ name: contract.modelLoaded!, help: "1 once the model is loaded.", registers: [this.registry] });
    // Both outcomes exist from the start, as a server that pre-initialises its label values exposes them.
    this.requests.inc({ [REQUESTS.statusLabel]: "ok" }, 0);
    this.requests.inc({ [REQUESTS.statusLabel]: errorValue() }, 0);
  }

  public override async start(): Promise<void> {
    await super.start();
    this.timer ??= setInterval(() => this.tick(0.1), 100).unref();
  }

  public override async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await super.stop();
  }

  protected render(): Promise<string> {
    return this.registry.metrics();
  }

  private tick(seconds: number): void {
    const b = this.behaviour;
    this.queue.set(b.queueDepth);
    this.loaded.set(b.modelLoaded ? 1 : 0);
    this.carry.requests += b.requestsPerSecond * seconds;
    this.carry.errors += b.requestsPerSecond * seconds * b.errorRatio;
    const n = Math.floor(this.carry.requests);
    const errors = Math.min(n, Math.floor(this.carry.errors));
    this.carry.requests -= n;
    this.carry.errors -= errors;
    if (n === 0) return;
    this.requests.inc({ [REQUESTS.statusLabel]: "ok" }, n - errors);
    if (errors > 0) this.requests.inc({ [REQUESTS.statusLabel]: errorValue() }, errors);
    for (let i = 0; i < n; i++) this.duration.observe(b.latencySeconds);
  }
}

function errorValue(): string {
  if (REQUESTS.errors.kind !== "values") throw new Error("the reference model server reports errors as status values");
  return REQUESTS.errors.values[0];
}

/* ---------- DCGM exporter ---------- */

export interface GpuState {
  /** Framebuffer in use, 0-1 of the card's memory. */
  memoryRatio: number;
  utilisationPercent: number;
  temperatureCelsius: number;
  /** Last XID seen; 0 for none. */
  xid: number;
}

export interface Gpu {
  readonly index: number;
  readonly uuid: string;
  /** The pod holding the GPU; absent for an unallocated GPU, whose series then keep the exporter's own pod labels. */
  readonly workload?: { readonly namespace: string; readonly pod: string; readonly container: string };
  /** The healthy state the GPU returns to on recovery. */
  readonly baseline: GpuState;
  readonly state: GpuState;
}

export const HEALTHY_GPU: GpuState = { memoryRatio: 0.45, utilisationPercent: 55, temperatureCelsius: 62, xid: 0 };
export const IDLE_GPU: GpuState = { memoryRatio: 0.01, utilisationPercent: 0, temperatureCelsius: 34, xid: 0 };
const A10G_MEMORY_MIB = 23028;

/** dcgm-exporter on one GPU node (image 4.x label set: `Hostname`, not `hostname`). */
export class DcgmExporter extends MetricsTarget {
  /** False: the exporter answers but serves no DCGM series (DCGM lost the GPUs). */
  public servingGpuMetrics = true;

  constructor(
    labels: TargetLabels,
    public readonly node: string,
    public readonly gpus: readonly Gpu[],
  ) {
    super(labels, true);
  }

  protected async render(): Promise<string> {
    if (!this.servingGpuMetrics) return "";
    const lines: string[] = [];
    const gauge = (name: string, help: string, value: (g: Gpu) => number) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
      for (const g of this.gpus) lines.push(`${name}{${this.gpuLabels(g)}} ${value(g)}`);
    };
    gauge(DCGM_METRICS.gpuUtil, "GPU utilization (in %).", (g) => g.state.utilisationPercent);
    gauge(DCGM_METRICS.fbUsed, "Framebuffer memory used (in MiB).", (g) => Math.round(g.state.memoryRatio * A10G_MEMORY_MIB));
    gauge(DCGM_METRICS.fbFree, "Framebuffer memory free (in MiB).", (g) => A10G_MEMORY_MIB - Math.round(g.state.memoryRatio * A10G_MEMORY_MIB));
    gauge(DCGM_METRICS.gpuTemp, "GPU temperature (in C).", (g) => g.state.temperatureCelsius);
    gauge(DCGM_METRICS.powerUsage, "Power draw (in W).", (g) => 60 + g.state.utilisationPercent * 1.2);
    gauge(DCGM_METRICS.xidErrors, "Value of the last XID error encountered.", (g) => g.state.xid);
    gauge(DCGM_METRICS.rowRemapFailure, "Whether remapping of rows has failed.", () => 0);
    gauge(DCGM_METRICS.uncorrectableRemappedRows, "Number of remapped rows for uncorrectable errors.", () => 0);
    gauge(DCGM_METRICS.grEngineActive, "Ratio of time the graphics engine is active.", (g) => g.state.utilisationPercent / 100);
    return `${lines.join("\n")}\n`;
  }

  private gpuLabels(g: Gpu): string {
    const labels: [string, string][] = [
      ["gpu", String(g.index)],
      ["UUID", g.uuid],
      ["device", `nvidia${g.index}`],
      ["modelName", "NVIDIA A10G"],
      ["Hostname", this.node],
      ["DCGM_FI_DRIVER_VERSION", "570.172.08"],
      ...(g.workload ? ([["namespace", g.workload.namespace], ["pod", g.workload.pod], ["container", g.workload.container]] as [string, string][]) : []),
    ];
    return labels.map(([k, v]) => `${k}="${v}"`).join(",");
  }
}

/* ---------- kube-state-metrics ---------- */

export interface KsmNode {
  readonly name: string;
  readonly pool: string;
  readonly gpus: number;
  ready: boolean;
}

export interface KsmDeployment {
  readonly namespace: string;
  readonly name: string;
  readonly pods: readonly { readonly name: string; readonly node: string; readonly container: string }[];
  availableReplicas: number;
  readonly maxReplicas: number;
  /** The HPA's Pods metric, its current average and its target. */
  readonly autoscalingMetric: string;
  readonly autoscalingCurrent: number;
  readonly autoscalingTarget: number;
}

/** The kube-state-metrics series the rule packs join on (node labels and readiness, deployments, HPAs, pods). */
export class KubeStateMetrics extends MetricsTarget {
  private readonly createdAt = Math.floor(Date.now() / 1000) - 3600;

  constructor(
    labels: TargetLabels,
    public readonly nodes: readonly KsmNode[],
    public readonly deployments: readonly KsmDeployment[],
  ) {
    super(labels, true);
  }

  protected async render(): Promise<string> {
    const out: string[] = [];
    const family = (name: string, type: "gauge" | "counter", samples: [Record<string, string>, number][]) => {
      out.push(`# HELP ${name} kube-state-metrics series.`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) out.push(`${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}} ${value}`);
    };
    const nodes = this.nodes;
    family("kube_node_info", "gauge", nodes.map((n) => [{ node: n.name, kubelet_version: "v1.33.5-eks-113cf36" }, 1]));
    family("kube_node_created", "gauge", nodes.map((n) => [{ node: n.name }, this.createdAt]));
    family("kube_node_labels", "gauge", nodes.map((n) => [{ node: n.name, [KSM_POOL_LABEL]: n.pool }, 1]));
    family(
      "kube_node_status_condition",
      "gauge",
      nodes.flatMap((n) =>
        (["true", "false", "unknown"] as const).map((status): [Record<string, string>, number] => [
          { node: n.name, condition: "Ready", status },
          (status === "true") === n.ready && status !== "unknown" ? 1 : 0,
        ]),
      ),
    );
    for (const what of ["capacity", "allocatable"]) {
      family(`kube_node_status_${what}`, "gauge", nodes.map((n) => [{ node: n.name, resource: "nvidia_com_gpu", unit: "integer" }, n.gpus]));
    }
    const deployments = this.deployments;
    family("kube_deployment_status_replicas_available", "gauge", deployments.map((d) => [{ namespace: d.namespace, deployment: d.name }, d.availableReplicas]));
    family("kube_deployment_spec_replicas", "gauge", deployments.map((d) => [{ namespace: d.namespace, deployment: d.name }, d.pods.length]));
    family(
      "kube_horizontalpodautoscaler_status_current_replicas",
      "gauge",
      deployments.map((d) => [{ namespace: d.namespace, horizontalpodautoscaler: d.name }, d.availableReplicas]),
    );
    family(
      "kube_horizontalpodautoscaler_status_desired_replicas",
      "gauge",
      deployments.map((d) => [{ namespace: d.namespace, horizontalpodautoscaler: d.name }, d.availableReplicas]),
    );
    family(
      "kube_horizontalpodautoscaler_spec_min_replicas",
      "gauge",
      deployments.map((d) => [{ namespace: d.namespace, horizontalpodautoscaler: d.name }, d.pods.length]),
    );
    family(
      "kube_horizontalpodautoscaler_spec_max_replicas",
      "gauge",
      deployments.map((d) => [{ namespace: d.namespace, horizontalpodautoscaler: d.name }, d.maxReplicas]),
    );
    // The HPA's Pods metric (requests per second per pod) against its average-value target.
    const hpaMetric = (d: KsmDeployment) => ({ namespace: d.namespace, horizontalpodautoscaler: d.name, metric_name: d.autoscalingMetric, metric_target_type: "average" });
    family("kube_horizontalpodautoscaler_status_target_metric", "gauge", deployments.map((d) => [hpaMetric(d), d.autoscalingCurrent]));
    family("kube_horizontalpodautoscaler_spec_target_metric", "gauge", deployments.map((d) => [hpaMetric(d), d.autoscalingTarget]));
    const pods = deployments.flatMap((d) => d.pods.map((p) => ({ ...p, namespace: d.namespace })));
    family("kube_pod_info", "gauge", pods.map((p) => [{ namespace: p.namespace, pod: p.name, node: p.node, created_by_kind: "ReplicaSet" }, 1]));
    family(
      "kube_pod_status_phase",
      "gauge",
      pods.flatMap((p) => (["Pending", "Running", "Succeeded", "Failed", "Unknown"] as const).map((phase): [Record<string, string>, number] => [{ namespace: p.namespace, pod: p.name, phase }, phase === "Running" ? 1 : 0])),
    );
    family("kube_pod_container_status_restarts_total", "counter", pods.map((p) => [{ namespace: p.namespace, pod: p.name, container: p.container }, 0]));
    for (const kind of ["requests", "limits"]) {
      family(
        `kube_pod_container_resource_${kind}`,
        "gauge",
        pods.flatMap((p) => [
          [{ namespace: p.namespace, pod: p.name, container: p.container, node: p.node, resource: "cpu", unit: "core" }, 2],
          [{ namespace: p.namespace, pod: p.name, container: p.container, node: p.node, resource: "nvidia_com_gpu", unit: "integer" }, 1],
        ]),
      );
    }
    return `${out.join("\n")}\n`;
  }
}

/* ---------- Thanos compactor ---------- */

/** The Thanos compactor's own metrics, enough for the Thanos rules to see a healthy singleton. */
export class ThanosCompactor extends MetricsTarget {
  constructor(labels: TargetLabels) {
    super(labels, false);
  }

  protected async render(): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return [
      "# HELP thanos_compact_halted Set to 1 if the compactor halted due to an unexpected error.",
      "# TYPE thanos_compact_halted gauge",
      "thanos_compact_halted 0",
      "# HELP thanos_objstore_bucket_last_successful_upload_time Second timestamp of the last successful upload to the bucket.",
      "# TYPE thanos_objstore_bucket_last_successful_upload_time gauge",
      `thanos_objstore_bucket_last_successful_upload_time{bucket="gpu-inference-thanos"} ${now - 600}`,
      // The long-term storage dashboard's compactor panels: a loop completes every second, nothing fails.
      ...thanosCounters([
        ["thanos_compact_iterations_total", "", now - this.startedAt],
        ["thanos_compact_group_compactions_total", '{resolution="0"}', 12],
        ["thanos_compact_group_compactions_failures_total", '{resolution="0"}', 0],
        ["thanos_compact_downsample_total", '{resolution="300000"}', 3],
        ["thanos_compact_downsample_failures_total", '{resolution="300000"}', 0],
        ["thanos_compact_blocks_marked_total", '{marker="deletion-mark.json",reason=""}', 4],
        ["thanos_compact_blocks_cleaned_total", "", 2],
        ["thanos_compact_block_cleanup_failures_total", "", 0],
      ]),
      "",
    ].join("\n");
  }

  private readonly startedAt = Math.floor(Date.now() / 1000);
}

/** Counter families in the text format, one sample each: [name, labels, value]. */
function thanosCounters(samples: readonly (readonly [string, string, number])[]): string[] {
  return samples.flatMap(([name, labels, value]) => [`# TYPE ${name} counter`, `${name}${labels} ${value}`]);
}

/** A classic histogram with every observation in its lowest bucket, `count` so far. */
function thanosHistogram(name: string, labels: Readonly<Record<string, string>>, bounds: readonly number[], count: number): string[] {
  const l = (extra: Record<string, string>) => `{${Object.entries({ ...labels, ...extra }).map(([k, v]) => `${k}="${v}"`).join(",")}}`;
  return [
    `# TYPE ${name} histogram`,
    ...bounds.map((le) => `${name}_bucket${l({ le: String(le) })} ${count}`),
    `${name}_bucket${l({ le: "+Inf" })} ${count}`,
    `${name}_sum${l({})} ${count * bounds[0]}`,
    `${name}_count${l({})} ${count}`,
  ];
}

/**
 * The other Thanos components as the long-term storage dashboard reads them, healthy: a sidecar
 * that ships blocks, Query connected to two sidecars and the store gateway and answering fast,
 * a store gateway serving blocks. Counters grow with each scrape so rates have data.
 */
export class ThanosComponent extends MetricsTarget {
  private readonly startedAt = Date.now();

  constructor(
    labels: TargetLabels,
    private readonly component: "sidecar" | "query" | "store",
  ) {
    super(labels, false);
  }

  protected async render(): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const n = Math.floor((Date.now() - this.startedAt) / 1000) + 1;
    const bucket = '{bucket="gpu-inference-thanos",operation="get"}';
    const lines: string[] = [];
    if (this.component === "sidecar") {
      lines.push(
        "# TYPE thanos_sidecar_prometheus_up gauge",
        "thanos_sidecar_prometheus_up 1",
        "# TYPE thanos_objstore_bucket_last_successful_upload_time gauge",
        `thanos_objstore_bucket_last_successful_upload_time{bucket="gpu-inference-thanos"} ${now - 1800}`,
        ...thanosCounters([
          ["thanos_shipper_uploads_total", "", 6],
          ["thanos_shipper_upload_failures_total", "", 0],
          ["thanos_objstore_bucket_operation_failures_total", bucket, 0],
        ]),
      );
    }
    if (this.component === "store") {
      lines.push(
        "# TYPE thanos_bucket_store_blocks_loaded gauge",
        "thanos_bucket_store_blocks_loaded 24",
        ...thanosCounters([
          ["thanos_objstore_bucket_operations_total", bucket, 10 * n],
          ["thanos_objstore_bucket_operation_failures_total", bucket, 0],
        ]),
        ...thanosHistogram("thanos_bucket_store_series_blocks_queried", { tenant: "default-tenant" }, [1, 2, 4], n),
        ...thanosHistogram("thanos_bucket_store_series_result_series", { tenant: "default-tenant" }, [100, 200, 400], n),
        ...thanosHistogram("thanos_bucket_store_series_get_all_duration_seconds", { tenant: "default-tenant" }, [0.01, 0.1, 0.3], n),
      );
    }
    if (this.component === "query") {
      const replica = (i: number) => `{cluster=\\"reference\\", prometheus_replica=\\"prometheus-kube-prometheus-stack-prometheus-${i}\\"}`;
      lines.push(
        "# TYPE thanos_store_nodes_grpc_connections gauge",
        ...[0, 1].map((i) => `thanos_store_nodes_grpc_connections{external_labels="${replica(i)}",store_type="sidecar"} 1`),
        'thanos_store_nodes_grpc_connections{external_labels="{}",store_type="store"} 1',
        ...thanosCounters(
          ["query", "query_range"].flatMap((handler) => [
            ["http_requests_total", `{code="200",handler="${handler}",method="get"}`, 5 * n] as const,
            ["http_requests_total", `{code="503",handler="${handler}",method="get"}`, 0] as const,
          ]),
        ),
        ...["query", "query_range"].flatMap((handler) =>
          thanosHistogram("http_request_duration_seconds", { code: "200", handler, method: "get" }, [0.05, 0.1, 0.5], 5 * n),
        ),
      );
    }
    return [...lines, ""].join("\n");
  }
}
