import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { createServer, Server } from "http";
import { AddressInfo } from "net";
import { tmpdir } from "os";
import { basename, join } from "path";
import { parse } from "yaml";
import { toYaml } from "../../../lib/core/yaml";
import { GrafanaDashboard } from "../../../lib/monitoring/dashboards";
import { exportMonitoring } from "../../../scripts/export";
import { DcgmExporter, Gpu, HEALTHY_GPU, IDLE_GPU, HEALTHY_MODEL_SERVER, KsmDeployment, KsmNode, KubeStateMetrics, MetricsTarget, ModelServerPod, ThanosComponent, ThanosCompactor } from "./exporters";
import { requireBinary } from "./binaries";
import { freePort, ServerProcess, WebhookSink } from "./servers";
import { AlertmanagerFile, compressAlertmanagerFile, compressDuration, formatDurationMs, compressRuleFile, E2E_TIME_PROFILE, RuleFile, TimeProfile } from "./time-profile";

/**
 * The whole alerting path on loopback, as the end-to-end tests and `npm run demo` run it:
 * reference exporters -> Prometheus 3 with the default app's exported rules -> Alertmanager 0.3x
 * with its exported routing -> a webhook sink standing in for every receiver. Durations follow
 * the test profile (time-profile.ts); nothing else of the exported files changes.
 */

/** The default app's inference service (stacks/platform-stack.ts), as its ServiceMonitor labels it. */
export const SERVICE = { namespace: "inference", name: "inference-server", container: "inference-server" } as const;

/** Three single-replica GPU nodes of the default pools, one holding a second, idle GPU. */
export const NODES = {
  a: "ip-10-0-11-21.us-west-2.compute.internal",
  b: "ip-10-0-42-7.us-west-2.compute.internal",
  c: "ip-10-0-77-130.us-west-2.compute.internal",
} as const;
export const PODS = {
  a: `${SERVICE.name}-7c9d8f5b6d-x2kqp`,
  b: `${SERVICE.name}-7c9d8f5b6d-m7wzn`,
  c: `${SERVICE.name}-7c9d8f5b6d-r4t9s`,
} as const;
type Slot = keyof typeof NODES;
const SLOTS: readonly Slot[] = ["a", "b", "c"];
const POOL: Readonly<Record<Slot, string>> = { a: "g5-ondemand", b: "g5-ondemand", c: "g6-spot" };

export class ReferenceCluster {
  public readonly pods: Readonly<Record<Slot, ModelServerPod>>;
  public readonly dcgm: Readonly<Record<Slot, DcgmExporter>>;
  public readonly ksm: KubeStateMetrics;
  public readonly thanosCompactor = new ThanosCompactor({
    job: "thanos-compact",
    namespace: "monitoring",
    service: "thanos-compact",
    pod: "thanos-compact-0",
    container: "thanos-compact",
    endpoint: "http",
  });
  /** The sidecar of one Prometheus replica, Query and the store gateway, as the long-term storage dashboard reads them. */
  public readonly thanos: readonly ThanosComponent[] = [
    new ThanosComponent(
      {
        job: "kube-prometheus-stack-thanos-discovery",
        namespace: "monitoring",
        service: "kube-prometheus-stack-thanos-discovery",
        pod: "prometheus-kube-prometheus-stack-prometheus-0",
        container: "thanos-sidecar",
        endpoint: "http",
      },
      "sidecar",
    ),
    new ThanosComponent({ job: "thanos-query", namespace: "monitoring", service: "thanos-query", pod: "thanos-query-5f7d9c-k2x8p", container: "thanos", endpoint: "http" }, "query"),
    new ThanosComponent({ job: "thanos-store", namespace: "monitoring", service: "thanos-store", pod: "thanos-store-0", container: "thanos", endpoint: "http" }, "store"),
  ];

  constructor() {
    this.pods = Object.fromEntries(
      SLOTS.map((s) => [
        s,
        new ModelServerPod({ job: SERVICE.name, namespace: SERVICE.namespace, service: SERVICE.name, pod: PODS[s], container: SERVICE.container, endpoint: "metrics" }),
      ]),
    ) as Record<Slot, ModelServerPod>;
    this.dcgm = Object.fromEntries(
      SLOTS.map((s, i) => {
        const workload = { namespace: SERVICE.namespace, pod: PODS[s], container: SERVICE.container };
        // Pod c holds its GPU without using it (a replica that gets no work): the fleet's idle-GPU panel shows it.
        const baseline = s === "c" ? { ...HEALTHY_GPU, utilisationPercent: 0 } : HEALTHY_GPU;
        const gpus: Gpu[] = [{ index: 0, uuid: `GPU-${i}0e1c0de-0000-4000-8000-00000000000${i}`, workload, baseline, state: { ...baseline } }];
        // Node a has a second GPU no pod requested: its series keep the exporter's own pod labels.
        if (s === "a") gpus.push({ index: 1, uuid: "GPU-1d1e0000-0000-4000-8000-0000000000a1", baseline: IDLE_GPU, state: { ...IDLE_GPU } });
        const labels = { job: "nvidia-dcgm-exporter", namespace: "nvidia", service: "nvidia-dcgm-exporter", pod: `nvidia-dcgm-exporter-${s}8k2f`, container: "exporter", endpoint: "metrics" };
        return [s, new DcgmExporter(labels, NODES[s], gpus)];
      }),
    ) as Record<Slot, DcgmExporter>;
    const nodes: KsmNode[] = SLOTS.map((s) => ({ name: NODES[s], pool: POOL[s], gpus: this.dcgm[s].gpus.length, ready: true }));
    const deployment: KsmDeployment = {
      namespace: SERVICE.namespace,
      name: SERVICE.name,
      pods: SLOTS.map((s) => ({ name: PODS[s], node: NODES[s], container: SERVICE.container })),
      availableReplicas: 3,
      maxReplicas: 6,
      autoscalingMetric: "inference_requests_per_second",
      autoscalingCurrent: 2,
      autoscalingTarget: 10,
    };
    this.ksm = new KubeStateMetrics(
      {
        job: "kube-state-metrics",
        namespace: "monitoring",
        service: "kube-prometheus-stack-kube-state-metrics",
        pod: "kube-prometheus-stack-kube-state-metrics-6d9f7c-q8m2x",
        container: "kube-state-metrics",
        endpoint: "http",
      },
      nodes,
      [deployment],
    );
  }

  public get targets(): MetricsTarget[] {
    return [...Object.values(this.pods), ...Object.values(this.dcgm), this.ksm, this.thanosCompactor, ...this.thanos];
  }

  /** Back to healthy: every exporter running, every pod and GPU healthy. */
  public async recover(): Promise<void> {
    for (const pod of Object.values(this.pods)) pod.behaviour = HEALTHY_MODEL_SERVER;
    for (const exporter of Object.values(this.dcgm)) {
      exporter.servingGpuMetrics = true;
      for (const gpu of exporter.gpus) Object.assign(gpu.state, gpu.baseline);
    }
    await Promise.all(this.targets.map((t) => t.start()));
  }
}

/* ---------- faults ---------- */

/** An alert a fault must raise, as Alertmanager delivers it. */
export interface ExpectedAlert {
  readonly alertname: string;
  readonly severity: "critical" | "warning";
  readonly receiver: string;
  /** Labels that pin the alert to the faulty object. */
  readonly labels: Readonly<Record<string, string>>;
}

export interface Fault {
  readonly name: string;
  readonly description: string;
  readonly expect: ExpectedAlert;
  /** The alert ends by itself once the event leaves its window (an XID), not on recovery. @default false */
  readonly selfResolving?: boolean;
  inject(cluster: ReferenceCluster): Promise<void> | void;
}

const serviceLabels = { namespace: SERVICE.namespace, service: SERVICE.name };

/** The faults the tests inject concurrently, each on its own service signal, pod, node or GPU. */
export const FAULTS: readonly Fault[] = [
  {
    name: "error-spike",
    description: "half of the service's requests fail",
    expect: { alertname: "InferenceErrorRatioHigh", severity: "critical", receiver: "pager", labels: serviceLabels },
    inject: (c) => Object.values(c.pods).forEach((p) => (p.behaviour = { ...p.behaviour, errorRatio: 0.5 })),
  },
  {
    name: "latency-rise",
    description: "every request of the service takes 2 s",
    expect: { alertname: "InferenceLatencyHigh", severity: "warning", receiver: "chat", labels: serviceLabels },
    inject: (c) => Object.values(c.pods).forEach((p) => (p.behaviour = { ...p.behaviour, latencySeconds: 2 })),
  },
  {
    name: "gpu-memory-warning",
    description: `GPU 0 of ${NODES.a} climbs to 88 % memory`,
    expect: { alertname: "GpuMemoryPressure", severity: "warning", receiver: "chat", labels: { Hostname: NODES.a, gpu: "0" } },
    inject: (c) => void (c.dcgm.a.gpus[0].state.memoryRatio = 0.88),
  },
  {
    name: "gpu-memory-critical",
    // 99 %: a flat 97 % only warns (it looks like a server preallocating near-full memory); 98 % and above pages at once.
    description: `GPU 0 of ${NODES.b} jumps to 99 % memory (its warning must be inhibited)`,
    expect: { alertname: "GpuMemoryPressure", severity: "critical", receiver: "pager", labels: { Hostname: NODES.b, gpu: "0" } },
    inject: (c) => void (c.dcgm.b.gpus[0].state.memoryRatio = 0.99),
  },
  {
    name: "xid-error",
    description: `GPU 1 of ${NODES.a} reports XID 13 (graphics engine exception)`,
    expect: { alertname: "GpuXidError", severity: "warning", receiver: "chat", labels: { Hostname: NODES.a, gpu: "1" } },
    // The gauge holds the last XID code; the alert marks a new code while it is within its 5m window.
    selfResolving: true,
    inject: (c) => void (c.dcgm.a.gpus[1].state.xid = 13),
  },
  {
    name: "exporter-killed",
    description: `the model server's exporter in pod ${PODS.c} is killed`,
    expect: { alertname: "InferenceTargetDown", severity: "warning", receiver: "chat", labels: serviceLabels },
    inject: (c) => c.pods.c.stop(),
  },
  {
    name: "thanos-compactor-down",
    description: "the Thanos compactor (the bucket's singleton) is gone",
    // absent() over a comparison keeps no labels: the rule states where and what.
    expect: { alertname: "ThanosCompactIsDown", severity: "critical", receiver: "pager", labels: { namespace: "monitoring", job: "thanos-compact" } },
    inject: (c) => c.thanosCompactor.stop(),
  },
  {
    name: "dcgm-metrics-gone",
    description: `the DCGM exporter on ${NODES.c} answers but serves no GPU metrics`,
    expect: { alertname: "GpuMetricsMissing", severity: "warning", receiver: "chat", labels: { node: NODES.c } },
    inject: (c) => void (c.dcgm.c.servingGpuMetrics = false),
  },
];

/* ---------- the stack ---------- */

export interface LocalStackOptions {
  readonly profile?: TimeProfile;
  /** Ports to try first (the demo's familiar ones); a taken port falls back to a free one. */
  readonly preferredPorts?: { readonly prometheus?: number; readonly alertmanager?: number; readonly sink?: number; readonly control?: number };
  /** Serve the fault-injection HTTP API (the demo). @default false */
  readonly control?: boolean;
}

export interface RuleFiles {
  /** Exported file name to its content after the profile. */
  readonly [fileName: string]: RuleFile;
}

export class LocalStack {
  public readonly cluster = new ReferenceCluster();
  public readonly sink = new WebhookSink();
  public readonly profile: TimeProfile;
  /** The rule files Prometheus loads: exported, then under the profile. */
  public rules: RuleFiles = {};
  /** The dashboards `npm run export` wrote, as Grafana would import them. */
  public dashboards: GrafanaDashboard[] = [];
  /** The Alertmanager configuration it loads: exported, then under the profile, receivers at the sink. */
  public alertmanagerFile: AlertmanagerFile = { route: {}, receivers: [] };
  public prometheus: ServerProcess | undefined;
  public alertmanager: ServerProcess | undefined;
  public controlUrl: string | undefined;
  private control: Server | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), "gpu-platform-e2e-"));

  constructor(private readonly options: LocalStackOptions = {}) {
    this.profile = options.profile ?? E2E_TIME_PROFILE;
  }

  /** Starts everything; on any failure stops what already started and rethrows. */
  public async start(): Promise<void> {
    const prometheusBin = requireBinary("prometheus");
    const alertmanagerBin = requireBinary("alertmanager");
    try {
      const files = this.exportWithProfile();
      const ports = this.options.preferredPorts ?? {};
      await this.sink.start(ports.sink);
      this.alertmanagerFile = compressAlertmanagerFile(files.exportedAlertmanager, this.profile, (receiver) => this.sink.urlFor(receiver));
      writeFileSync(files.alertmanager, toYaml(this.alertmanagerFile));
      await Promise.all(this.cluster.targets.map((t) => t.start()));

      this.alertmanager = await ServerProcess.start(
        "Alertmanager",
        alertmanagerBin,
        (port) => [
          `--config.file=${files.alertmanager}`,
          `--storage.path=${join(this.dir, "alertmanager-data")}`,
          `--web.listen-address=127.0.0.1:${port}`,
          "--cluster.listen-address=",
          "--log.level=warn",
        ],
        { readyPath: "/-/ready", preferredPort: ports.alertmanager },
      );
      writeFileSync(files.prometheus, toYaml(this.prometheusConfig(files.rulesDir, new URL(this.alertmanager.url).host)));
      this.prometheus = await ServerProcess.start(
        "Prometheus",
        prometheusBin,
        (port) => [
          `--config.file=${files.prometheus}`,
          `--storage.tsdb.path=${join(this.dir, "prometheus-data")}`,
          `--web.listen-address=127.0.0.1:${port}`,
          // Firing alerts are re-sent every minute by default; under the profile, every minute / factor.
          `--rules.alert.resend-delay=${compressDuration("1m", this.profile, 1_000)}`,
          "--log.level=warn",
        ],
        { readyPath: "/-/ready", preferredPort: ports.prometheus },
      );
      if (this.options.control) await this.startControl(ports.control);
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  /** Stops every server and exporter and removes the temp folder; safe to call twice. */
  public async stop(): Promise<void> {
    await Promise.all([this.prometheus?.stop(), this.alertmanager?.stop()]);
    await Promise.all(this.cluster.targets.map((t) => t.stop()));
    if (this.control) {
      this.control.closeAllConnections();
      await new Promise((ok) => this.control?.close(ok));
      this.control = undefined;
    }
    await this.sink.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** `npm run export` into the temp folder, then the profile applied to copies of its files. */
  private exportWithProfile() {
    const exported = exportMonitoring(join(this.dir, "export"), {});
    const rulesDir = join(this.dir, "rules");
    mkdirSync(rulesDir);
    const rules: Record<string, RuleFile> = {};
    for (const file of exported.ruleFiles) {
      const compressed = compressRuleFile(parse(readFileSync(file, "utf8")) as RuleFile, this.profile);
      rules[basename(file)] = compressed;
      writeFileSync(join(rulesDir, basename(file)), toYaml(compressed));
    }
    this.rules = rules;
    this.dashboards = exported.dashboardFiles.map((file) => JSON.parse(readFileSync(file, "utf8")) as GrafanaDashboard);
    return {
      rulesDir,
      exportedAlertmanager: parse(readFileSync(exported.alertmanagerFile, "utf8")) as AlertmanagerFile,
      alertmanager: join(this.dir, "alertmanager.yaml"),
      prometheus: join(this.dir, "prometheus.yaml"),
    };
  }

  /** Static targets with the labels the ServiceMonitors would attach (honor_labels where the chart sets it). */
  private prometheusConfig(rulesDir: string, alertmanagerHost: string): object {
    const p = this.profile;
    const job = (name: string, targets: readonly MetricsTarget[]) => ({
      job_name: name,
      honor_labels: targets[0].honorLabels,
      static_configs: targets.map((t) => ({ targets: [t.address], labels: { ...t.labels } })),
    });
    return {
      global: {
        scrape_interval: formatDurationMs(p.scrapeIntervalSeconds * 1_000),
        scrape_timeout: formatDurationMs(p.scrapeIntervalSeconds * 1_000),
        evaluation_interval: formatDurationMs(p.evaluationIntervalSeconds * 1_000),
      },
      rule_files: [join(rulesDir, "*.yaml")],
      alerting: { alertmanagers: [{ static_configs: [{ targets: [alertmanagerHost] }] }] },
      scrape_configs: [
        job("serviceMonitor/inference/inference-server/0", Object.values(this.cluster.pods)),
        job("serviceMonitor/nvidia/nvidia-dcgm-exporter/0", Object.values(this.cluster.dcgm)),
        job("serviceMonitor/monitoring/kube-prometheus-stack-kube-state-metrics/0", [this.cluster.ksm]),
        job("serviceMonitor/monitoring/thanos-compact/0", [this.cluster.thanosCompactor]),
        ...this.cluster.thanos.map((t) => job(`serviceMonitor/monitoring/${t.labels.service}/0`, [t])),
      ],
    };
  }

  /** POST /faults/<name> injects a fault, POST /recover heals everything, GET / lists them. */
  private async startControl(preferredPort?: number): Promise<void> {
    const server = createServer((req, res) => {
      const reply = (status: number, text: string) => res.writeHead(status, { "content-type": "text/plain" }).end(`${text}\n`);
      const url = req.url ?? "/";
      if (req.method === "GET" && url === "/") {
        reply(200, FAULTS.map((f) => `${f.name}: ${f.description}`).join("\n"));
      } else if (req.method === "POST" && url === "/recover") {
        this.cluster.recover().then(() => reply(200, "recovered"), (e: Error) => reply(500, e.message));
      } else if (req.method === "POST" && url.startsWith("/faults/")) {
        const fault = FAULTS.find((f) => f.name === url.slice("/faults/".length));
        if (!fault) return reply(404, `no such fault; known: ${FAULTS.map((f) => f.name).join(", ")}`);
        Promise.resolve(fault.inject(this.cluster)).then(
          () => reply(200, `injected ${fault.name}: expect ${fault.expect.alertname} (${fault.expect.severity}) at ${fault.expect.receiver}`),
          (e: Error) => reply(500, e.message),
        );
      } else {
        reply(404, "GET /, POST /faults/<name>, POST /recover");
      }
      return undefined;
    });
    const port = await freePort(preferredPort);
    await new Promise<void>((ok) => server.listen(port, "127.0.0.1", () => ok()));
    this.control = server;
    this.controlUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
}
