import { execFileSync, spawnSync } from "child_process";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { stringify } from "yaml";
import { dashboardQueries, DashboardQuery } from "../../../lib/monitoring/dashboards/dashboard-queries";
import { DEFAULT_SERVICE, dashboardFixture, TRITON_SERVICE } from "./fixture";

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

const { dashboards } = dashboardFixture([DEFAULT_SERVICE, TRITON_SERVICE]);
// As a person would open them: every variable on "All", a 5m rate interval.
const queries = dashboardQueries(dashboards.dashboards(), { __rate_interval: "5m" });

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
    const series = (name: string, labels: Record<string, string>) =>
      `${name}{${Object.entries(labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(", ")}}`;
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
});
