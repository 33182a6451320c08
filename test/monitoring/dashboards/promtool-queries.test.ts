import { execFileSync, spawnSync } from "child_process";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { stringify } from "yaml";
import { dashboardQueries, DashboardQuery } from "../../../lib/monitoring/dashboards/dashboard-queries";
import { DEFAULT_SERVICE, dashboardFixture, THANOS_MONITORING, TRITON_SERVICE } from "./fixture";

/**
 * The dashboards' queries through Prometheus's own engine (promtool 2.42, as scripts/test.sh
 * installs it): every query, variables substituted, passes `promtool check rules` (parse and
 * type check), and the key raw-series panels return the expected values on series labelled as
 * on a cluster (`promtool test rules`). Never skipped: without promtool it fails and says why.
 */

const PROMTOOL = process.env.PROMTOOL ?? "promtool";

function promtool(cwd: string, ...args: string[]): string {
  const probe = spawnSync(PROMTOOL, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error(`promtool is required and was not found as '${PROMTOOL}': install the Debian package 'prometheus' or set PROMTOOL`);
  }
  try {
    return execFileSync(PROMTOOL, args, { cwd, encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(" ")} failed:\n${err.stdout ?? ""}${err.stderr ?? ""}`);
  }
}

// With long-term storage, so the Thanos dashboard's queries run too.
const { dashboards } = dashboardFixture([DEFAULT_SERVICE, TRITON_SERVICE], {}, THANOS_MONITORING);
// As a person would open them: every variable on "All", a 5m rate interval.
const queries = dashboardQueries(dashboards.dashboards(), { __rate_interval: "5m" });

/** `name{k="v", ...}` in promtool's series notation, values escaped. */
function series(name: string, labels: Record<string, string>): string {
  return `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ")}}`;
}

function query(uid: string, panel: string, refId = "A"): string {
  const q = queries.find((x: DashboardQuery) => x.dashboardUid === uid && x.panelTitle === panel && x.refId === refId);
  if (!q) throw new Error(`no query ${uid} / ${panel} / ${refId}`);
  return q.expr;
}

describe("dashboard queries on promtool", () => {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-queries-"));

  test("every query parses and type-checks in Prometheus (promtool check rules)", () => {
    const rules = queries.map((q, i) => ({ record: `dashboard_query_${i}`, expr: q.expr }));
    writeFileSync(join(dir, "queries.rules.yaml"), stringify({ groups: [{ name: "dashboard-queries", rules }] }));
    expect(promtool(dir, "check", "rules", "queries.rules.yaml")).toContain(`SUCCESS: ${queries.length} rules found`);
  });

  test("QPS by status, scrape targets, GPUs per pool and idle GPUs return the expected samples", () => {
    const server = { namespace: "inference", service: "llm", job: "llm", endpoint: "http" };
    const gpu = { Hostname: "ip-10-0-1-5", modelName: "NVIDIA A10G", UUID: "GPU-1", device: "nvidia0" };
    const tests = {
      rule_files: [],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: [
            // 60 requests a minute succeed, 6 fail: 1/s and 0.1/s.
            { series: series("inference_requests_total", { ...server, pod: "llm-7d9f-abcde", status: "ok" }), values: "0+60x20" },
            { series: series("inference_requests_total", { ...server, pod: "llm-7d9f-abcde", status: "error" }), values: "0+6x20" },
            { series: series("up", { ...server, pod: "llm-7d9f-abcde" }), values: "1x20" },
            { series: series("up", { ...server, pod: "llm-7d9f-fghij" }), values: "0x20" },
            // Two GPUs on one a10g node: GPU 0 held by the server and idle, GPU 1 held and busy.
            { series: series("DCGM_FI_DEV_GPU_UTIL", { ...gpu, gpu: "0", namespace: "inference", pod: "llm-7d9f-abcde", container: "server" }), values: "0x40" },
            { series: series("DCGM_FI_DEV_GPU_UTIL", { ...gpu, gpu: "1", namespace: "inference", pod: "llm-7d9f-fghij", container: "server" }), values: "55x40" },
            ...["llm-7d9f-abcde", "llm-7d9f-fghij"].flatMap((pod) => [
              {
                series: series("kube_pod_container_resource_requests", { namespace: "inference", pod, container: "server", node: "ip-10-0-1-5", resource: "nvidia_com_gpu", unit: "integer" }),
                values: "1x40",
              },
              { series: series("kube_pod_status_phase", { namespace: "inference", pod, phase: "Running" }), values: "1x40" },
            ]),
            { series: series("kube_node_status_allocatable", { node: "ip-10-0-1-5", resource: "nvidia_com_gpu", unit: "integer" }), values: "2x40" },
            { series: series("kube_node_labels", { node: "ip-10-0-1-5", label_gpu_platform_io_pool: "a10g" }), values: "1x40" },
          ],
          promql_expr_test: [
            {
              expr: query("inference-inference-llm", "QPS by status"),
              eval_time: "10m",
              exp_samples: [
                { labels: "{status=\"ok\"}", value: 1 },
                { labels: "{status=\"error\"}", value: 0.1 },
              ],
            },
            {
              expr: query("inference-inference-llm", "Scrape targets"),
              eval_time: "10m",
              exp_samples: [
                { labels: series("up", { ...server, pod: "llm-7d9f-abcde" }), value: 1 },
                { labels: series("up", { ...server, pod: "llm-7d9f-fghij" }), value: 0 },
              ],
            },
            {
              expr: query("gpu-fleet", "GPUs allocatable vs requested per pool", "A"),
              eval_time: "35m",
              exp_samples: [{ labels: "{pool=\"a10g\"}", value: 2 }],
            },
            {
              expr: query("gpu-fleet", "GPUs allocatable vs requested per pool", "B"),
              eval_time: "35m",
              exp_samples: [{ labels: "{pool=\"a10g\"}", value: 2 }],
            },
            { expr: query("gpu-fleet", "Idle GPUs"), eval_time: "35m", exp_samples: [{ labels: "{}", value: 1 }] },
          ],
        },
      ],
    };
    writeFileSync(join(dir, "queries.test.yaml"), stringify(tests));
    expect(promtool(dir, "test", "rules", "queries.test.yaml")).toContain("SUCCESS");
  });

  test("GPUs per pool through Thanos: two clusters with the same node name in different pools do not collide", () => {
    // Both clusters use the default VPC CIDR, so both have a node ip-10-0-1-5; read together
    // through Thanos each series carries its cluster's external label. Joined on node alone, the
    // pool side would hold two series for one node: "many-to-many matching not allowed".
    // Each cluster runs a pod llm-0 (a StatefulSet's name repeats too) requesting one GPU there.
    const node = (cluster: string, pool: string, gpus: number) => [
      { series: series("kube_node_status_allocatable", { cluster, node: "ip-10-0-1-5", resource: "nvidia_com_gpu", unit: "integer" }), values: `${gpus}x40` },
      { series: series("kube_node_labels", { cluster, node: "ip-10-0-1-5", label_gpu_platform_io_pool: pool }), values: "1x40" },
      {
        series: series("kube_pod_container_resource_requests", { cluster, namespace: "inference", pod: "llm-0", container: "server", node: "ip-10-0-1-5", resource: "nvidia_com_gpu", unit: "integer" }),
        values: "1x40",
      },
      { series: series("kube_pod_status_phase", { cluster, namespace: "inference", pod: "llm-0", phase: "Running" }), values: "1x40" },
    ];
    const tests = {
      rule_files: [],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: [...node("prod", "a10g", 2), ...node("staging", "l4", 4)],
          promql_expr_test: [
            {
              expr: query("gpu-fleet", "GPUs allocatable vs requested per pool", "A"),
              eval_time: "10m",
              exp_samples: [
                { labels: '{pool="a10g"}', value: 2 },
                { labels: '{pool="l4"}', value: 4 },
              ],
            },
            {
              // The cluster variable on one cluster: only its node, joined with its own pool.
              expr: query("gpu-fleet", "GPUs allocatable vs requested per pool", "A").replaceAll('cluster=~".*"', 'cluster=~"staging"'),
              eval_time: "10m",
              exp_samples: [{ labels: '{pool="l4"}', value: 4 }],
            },
            {
              expr: query("gpu-fleet", "GPUs allocatable vs requested per pool", "B"),
              eval_time: "10m",
              exp_samples: [
                { labels: '{pool="a10g"}', value: 1 },
                { labels: '{pool="l4"}', value: 1 },
              ],
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, "clusters.test.yaml"), stringify(tests));
    expect(promtool(dir, "test", "rules", "clusters.test.yaml")).toContain("SUCCESS");
  });

  test("long-term storage: uploads and last upload per Prometheus replica, compactor halted and last run, endpoints connected", () => {
    // Labels as on a cluster: the target labels of each component's ServiceMonitor, and the
    // cluster external label every series carries when read through Thanos Query.
    const target = (job: string, pod: string, container: string) => ({
      cluster: "prod",
      namespace: "monitoring",
      job,
      service: job,
      endpoint: "http",
      pod,
      container,
      instance: `${pod}:10902`,
    });
    const sidecar = (replica: number) =>
      target("kube-prometheus-stack-thanos-discovery", `prometheus-kube-prometheus-stack-prometheus-${replica}`, "thanos-sidecar");
    const compactor = target("thanos-compact", "thanos-compact-0", "thanos");
    const queryPod = (pod: string) => target("thanos-query", pod, "thanos");
    const sidecarLabels = (replica: number) => `{pod="prometheus-kube-prometheus-stack-prometheus-${replica}"}`;
    const externalLabels = (replica: number) => `{cluster="prod", prometheus_replica="prometheus-kube-prometheus-stack-prometheus-${replica}"}`;
    const tests = {
      rule_files: [],
      evaluation_interval: "1m",
      tests: [
        {
          // Replica 0 ships a block every 30 minutes, last at 2h30m; replica 1 has shipped nothing.
          interval: "30m",
          input_series: [
            { series: series("thanos_shipper_uploads_total", sidecar(0)), values: "0+1x12" },
            { series: series("thanos_shipper_uploads_total", sidecar(1)), values: "5x12" },
            { series: series("thanos_objstore_bucket_last_successful_upload_time", { ...sidecar(0), bucket: "thanos-blocks" }), values: "9000x12" },
            { series: series("thanos_objstore_bucket_last_successful_upload_time", { ...sidecar(1), bucket: "thanos-blocks" }), values: "0x12" },
          ],
          promql_expr_test: [
            {
              expr: query("long-term-storage", "Blocks uploaded per hour"),
              eval_time: "3h",
              exp_samples: [
                { labels: sidecarLabels(0), value: 2 },
                { labels: sidecarLabels(1), value: 0 },
              ],
            },
            {
              expr: query("long-term-storage", "Time since last upload"),
              eval_time: "3h",
              exp_samples: [
                { labels: sidecarLabels(0), value: 1800 },
                { labels: sidecarLabels(1), value: 10800 },
              ],
            },
          ],
        },
        {
          interval: "1m",
          input_series: [
            // Loops complete every minute for an hour, then none (stuck); it halts at 50m.
            { series: series("thanos_compact_iterations_total", compactor), values: "1+1x60 61x60" },
            { series: series("thanos_compact_halted", compactor), values: "0x50 1x70" },
            // Query pod a reaches both sidecars and the store gateway; pod b one sidecar and no store gateway.
            ...[0, 1].map((replica) => ({
              series: series("thanos_store_nodes_grpc_connections", { ...queryPod("thanos-query-a"), external_labels: externalLabels(replica), store_type: "sidecar" }),
              values: "1x120",
            })),
            { series: series("thanos_store_nodes_grpc_connections", { ...queryPod("thanos-query-a"), external_labels: "{}", store_type: "store" }), values: "1x120" },
            { series: series("thanos_store_nodes_grpc_connections", { ...queryPod("thanos-query-b"), external_labels: externalLabels(0), store_type: "sidecar" }), values: "1x120" },
            { series: series("up", queryPod("thanos-query-a")), values: "1x120" },
            { series: series("up", queryPod("thanos-query-b")), values: "1x120" },
          ],
          promql_expr_test: [
            { expr: query("long-term-storage", "Compactor halted"), eval_time: "100m", exp_samples: [{ labels: "{}", value: 1 }] },
            // The last 5-minute step whose 15 minutes saw a loop complete is 70m: 30 minutes ago.
            { expr: query("long-term-storage", "Time since last successful run"), eval_time: "100m", exp_samples: [{ labels: "{}", value: 1800 }] },
            { expr: query("long-term-storage", "Sidecars connected"), eval_time: "100m", exp_samples: [{ labels: "{}", value: 1 }] },
            // Pod b has no store series at all: counted as 0 because it is up.
            { expr: query("long-term-storage", "Store gateways connected"), eval_time: "100m", exp_samples: [{ labels: "{}", value: 0 }] },
          ],
        },
      ],
    };
    writeFileSync(join(dir, "thanos-queries.test.yaml"), stringify(tests));
    expect(promtool(dir, "test", "rules", "thanos-queries.test.yaml")).toContain("SUCCESS");
  });
});
