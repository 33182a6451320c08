import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import { createServer, Server } from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { DCGM_SERVICE_MONITOR_RELABELINGS, DcgmRelabeling } from "../../lib/gpu/dcgm-service-monitor";

/**
 * What the DCGM ServiceMonitor's relabelings do to the series, on a real Prometheus 2.42 scraping
 * a stand-in exporter on loopback. The scrape job is the one prometheus-operator generates for
 * the chart's ServiceMonitor: honor_labels, then the operator's own target labels (namespace,
 * service, pod, container, job, endpoint from the Kubernetes discovery meta labels, given here
 * as static target labels), then the ServiceMonitor's relabelings. A second job without them
 * shows what they fix: an idle GPU said to be used by the exporter pod itself.
 */

const PROMETHEUS = process.env.PROMETHEUS ?? "prometheus";
const WAIT_LIMIT_MS = 20_000;

const EXPORTER_POD = "dcgm-exporter-7xk2p";
/** dcgm-exporter's own labels of GPU `gpu` on node-a. */
const gpuLabels = (gpu: string, bus: string) =>
  `gpu="${gpu}",UUID="GPU-a${gpu}",pci_bus_id="00000000:00:1${bus}.0",device="nvidia${gpu}",modelName="NVIDIA A10G",Hostname="node-a",DCGM_FI_DRIVER_VERSION="570.172.08"`;
/** dcgm-exporter's exposition: pod/namespace/container only on the GPU a pod holds. */
const METRICS = [
  "# TYPE DCGM_FI_DEV_FB_USED gauge",
  `DCGM_FI_DEV_FB_USED{${gpuLabels("0", "E")},container="server",namespace="inference",pod="inference-server-7c9d8f-abcde"} 20400`,
  `DCGM_FI_DEV_FB_USED{${gpuLabels("1", "F")}} 0`,
  "",
].join("\n");

/** The operator's target labels for an endpoint of Service nvidia/dcgm-exporter backed by a Pod. */
const OPERATOR_RELABELINGS = [
  { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
  { source_labels: ["__meta_kubernetes_service_name"], target_label: "service" },
  { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
  { source_labels: ["__meta_kubernetes_pod_container_name"], target_label: "container" },
  { source_labels: ["__meta_kubernetes_service_name"], target_label: "job" },
  { target_label: "endpoint", replacement: "metrics" },
];

/** prometheus-operator's RelabelConfig fields as Prometheus relabel_config keys. */
function toPrometheus(r: DcgmRelabeling): Record<string, unknown> {
  return {
    action: r.action,
    ...(r.sourceLabels ? { source_labels: r.sourceLabels } : {}),
    ...(r.targetLabel ? { target_label: r.targetLabel } : {}),
    ...(r.regex ? { regex: r.regex } : {}),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

type Series = Record<string, string>;

describe("the DCGM ServiceMonitor's relabelings on a real Prometheus", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dcgm-relabel-"));
  const exporter = createServer((_req, res) => res.end(METRICS));
  let prometheus: ChildProcess | undefined;
  let log = "";
  let api = "";
  let instance = "";

  const query = async (q: string): Promise<Series[]> => {
    const body = (await (await fetch(`${api}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: { metric: Series }[] } };
    return body.data.result.map((r) => r.metric);
  };
  const byGpu = (series: Series[]) => Object.fromEntries(series.map((s) => [s.gpu, s]));

  beforeAll(async () => {
    const probe = spawnSync(PROMETHEUS, ["--version"], { encoding: "utf8" });
    if (probe.error || probe.status !== 0) {
      throw new Error(`prometheus is required and was not found as '${PROMETHEUS}': install the Debian package 'prometheus' (scripts/test.sh does) or set PROMETHEUS`);
    }
    instance = `127.0.0.1:${await listen(exporter)}`;
    const target = {
      targets: [instance],
      labels: {
        __meta_kubernetes_namespace: "nvidia",
        __meta_kubernetes_service_name: "dcgm-exporter",
        __meta_kubernetes_pod_name: EXPORTER_POD,
        __meta_kubernetes_pod_container_name: "exporter",
      },
    };
    const job = (name: string, relabelings: readonly Record<string, unknown>[]) => ({
      job_name: name,
      honor_labels: true,
      static_configs: [target],
      relabel_configs: [...OPERATOR_RELABELINGS, ...relabelings, { target_label: "scrape", replacement: name }],
    });
    const config = {
      global: { scrape_interval: "1s", scrape_timeout: "1s" },
      scrape_configs: [job("service-monitor", DCGM_SERVICE_MONITOR_RELABELINGS.map(toPrometheus)), job("without-relabelings", [])],
    };
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    fs.writeFileSync(path.join(dir, "prometheus.yml"), stringify(config));
    prometheus = spawn(
      PROMETHEUS,
      [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    prometheus.stdout?.on("data", (d: Buffer) => (log += d.toString()));
    prometheus.stderr?.on("data", (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      if (prometheus.exitCode !== null) throw new Error(`prometheus exited with ${prometheus.exitCode}: ${log}`);
      const series = await query("DCGM_FI_DEV_FB_USED").catch(() => []);
      if (series.length === 4) break;
      if (Date.now() > deadline) throw new Error(`gave up after ${WAIT_LIMIT_MS} ms waiting for both scrapes (log: ${log})`);
      await sleep(200);
    }
  }, 30_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus?.once("exit", resolve));
      prometheus.kill("SIGTERM");
      const forceKill = setTimeout(() => prometheus?.kill("SIGKILL"), 3_000);
      await exited;
      clearTimeout(forceKill);
    }
    exporter.closeAllConnections();
    await new Promise((resolve) => exporter.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const exporterLabels = (gpu: string, bus: string) => ({
    __name__: "DCGM_FI_DEV_FB_USED",
    gpu,
    UUID: `GPU-a${gpu}`,
    pci_bus_id: `00000000:00:1${bus}.0`,
    device: `nvidia${gpu}`,
    modelName: "NVIDIA A10G",
    Hostname: "node-a",
    DCGM_FI_DRIVER_VERSION: "570.172.08",
  });

  it("keeps the workload's pod/namespace/container on a GPU a pod holds, and names the exporter pod apart", async () => {
    const gpus = byGpu(await query('DCGM_FI_DEV_FB_USED{scrape="service-monitor"}'));
    expect(gpus["0"]).toEqual({
      ...exporterLabels("0", "E"),
      namespace: "inference",
      pod: "inference-server-7c9d8f-abcde",
      container: "server",
      job: "dcgm-exporter",
      instance,
      service: "dcgm-exporter",
      endpoint: "metrics",
      exporter_pod: EXPORTER_POD,
      exporter_namespace: "nvidia",
      scrape: "service-monitor",
    });
  });

  it("leaves an idle GPU without pod/namespace/container", async () => {
    const gpus = byGpu(await query('DCGM_FI_DEV_FB_USED{scrape="service-monitor"}'));
    expect(gpus["1"]).toEqual({
      ...exporterLabels("1", "F"),
      job: "dcgm-exporter",
      instance,
      service: "dcgm-exporter",
      endpoint: "metrics",
      exporter_pod: EXPORTER_POD,
      exporter_namespace: "nvidia",
      scrape: "service-monitor",
    });
  });

  it("without them, honorLabels hands the exporter pod's own labels to the idle GPU", async () => {
    const gpus = byGpu(await query('DCGM_FI_DEV_FB_USED{scrape="without-relabelings"}'));
    expect(gpus["1"]).toMatchObject({ pod: EXPORTER_POD, namespace: "nvidia", container: "exporter" });
    expect(gpus["0"]).toMatchObject({ pod: "inference-server-7c9d8f-abcde", namespace: "inference", container: "server" });
  });

  it("the promtool tests feed DCGM series with exactly these label names", async () => {
    const scraped = byGpu(await query('DCGM_FI_DEV_FB_USED{scrape="service-monitor"}'));
    const names = (s: Series) =>
      Object.keys(s)
        .filter((k) => k !== "__name__" && k !== "scrape")
        .sort();
    const unitTests = fs.readFileSync(path.join(__dirname, "..", "promtool", "gpu.test.yaml"), "utf8");
    const fed = [...unitTests.matchAll(/series: 'DCGM_FI_[A-Z_]+\{([^}]*)\}'/g)].map((m) =>
      [...m[1].matchAll(/([A-Za-z_][A-Za-z0-9_]*)="/g)].map((l) => l[1]).sort(),
    );
    expect(fed.length).toBeGreaterThan(10);
    const held = new Set([JSON.stringify(names(scraped["0"])), JSON.stringify(names(scraped["1"]))]);
    for (const labels of fed) expect(held).toContain(JSON.stringify(labels));
  });
});
