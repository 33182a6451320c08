import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isAlertRule, RuleGroup } from "../../lib/monitoring/rules";
import { App } from "cdktf";
import { warningLines } from "../../stacks/cli";
import { PlatformStack } from "../../stacks/platform-stack";
import { loadConfig } from "../../stacks/config";
import { resourceAt, resourcesOf, synthDefaultApp } from "../support/synth";

/**
 * The configuration examples of the README, read from the README itself (so they cannot drift),
 * loaded through the same file reader as `cdktf synth` and synthesized with every check.
 */
const README = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8");
const EXAMPLE = /<!-- config-example: ([a-z0-9-]+) -->\n```yaml\n([\s\S]*?)```/g;
const examples = new Map([...README.matchAll(EXAMPLE)].map((m) => [m[1], m[2]]));

function load(name: string) {
  const text = examples.get(name);
  if (text === undefined) throw new Error(`README has no config example '${name}'`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "readme-example-"));
  try {
    const file = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(file, text);
    return loadConfig({ GPU_PLATFORM_CONFIG: file });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function alerts(groups: readonly RuleGroup[], group: string) {
  const g = groups.find((x) => x.name === group);
  if (!g) throw new Error(`no rule group ${group}`);
  return g.rules.filter(isAlertRule);
}

function ruleGroupsOf(app: App): RuleGroup[] {
  return (app.node.findChild("platform") as PlatformStack).monitoring.ruleGroups();
}

const synthesized = new Map<string, ReturnType<typeof synthDefaultApp>>();
function synth(name: string) {
  if (!synthesized.has(name)) synthesized.set(name, synthDefaultApp(load(name)));
  return synthesized.get(name)!;
}

describe("README configuration examples", () => {
  test("the README holds the five kinds of server and the three-service app", () => {
    expect([...examples.keys()].sort()).toEqual(["egress", "face-swap-api", "face-swap-fleet", "face-swap-resources", "phone-detector", "talking-head", "three-services"]);
  });

  test.each([...examples.keys()].filter((name) => name !== "egress"))("%s synthesizes with one Deployment and HPA per service", (name) => {
    const config = load(name);
    const { platform } = synth(name);
    for (const service of config.services!) {
      expect(resourceAt(platform, "kubernetes_deployment_v1", `${service.name}/deployment`)).toBeDefined();
      expect(resourceAt(platform, "kubernetes_horizontal_pod_autoscaler_v2", `${service.name}/hpa`)).toBeDefined();
    }
    const servers = Object.values(resourcesOf(platform, "kubernetes_deployment_v1")).filter(
      (d) => (d.metadata as { labels?: Record<string, string> }).labels?.["app.kubernetes.io/component"] === "inference-server",
    );
    expect(servers).toHaveLength(config.services!.length);
  });

  test("talking-head: no outcome, so no error alerts and a warning naming the service; latency alerts follow its 10 s objective", () => {
    const { app } = synth("talking-head");
    const rules = alerts(ruleGroupsOf(app), "inference-inference-talking-head");
    const names = rules.map((r) => r.alert);
    expect(names).not.toContain("InferenceErrorRatioHigh");
    expect(names).not.toContain("InferenceErrorRateHigh");
    expect(rules.find((r) => r.alert === "InferenceLatencyHigh")!.expr).toMatch(/\) > 10\nand\n/);
    // The page sits at twice the objective's threshold.
    expect(rules.find((r) => r.alert === "InferenceSlowUnderLoad")!.expr).toMatch(/\) > 20\nand\n/);
    const domain = rules.filter((r) => r.alert === "InferenceMetricAboveThreshold").map((r) => [r.labels.metric, r.labels.severity, r.for]);
    expect(domain).toEqual([
      ["linly_talker_gpu_memory_used_bytes", "warning", "5m"],
      ["linly_talker_gpu_memory_used_bytes", "critical", "1m"],
      ["linly_talker_active_tasks", "warning", "5m"],
    ]);
    // A GPU-bound pipeline scales on its own pods' GPU utilisation, served by the adapter.
    const adapter = (synth("talking-head").platform.resource!.helm_release as Record<string, { name: string; values: string[] }>);
    expect(Object.values(adapter).find((r) => r.name === "prometheus-adapter")!.values[0]).toContain("as: talking_head_gpu_utilization_percent");
    expect(warningLines(app)).toContain(
      "warning: platform/talking-head: InferenceService 'talking-head': its request counter has no outcome (metrics 'prometheus_client'), so it gets no error-ratio alert and no availability SLO; declare a status label or an error counter to be alerted on failures.",
    );
  });

  test("face-swap-fleet: errors from the separate counter, with the absolute floor beside the ratio", () => {
    const rules = alerts(ruleGroupsOf(synth("face-swap-fleet").app), "inference-inference-face-swap-fleet");
    // The ratio reads a short window (four scrapes, at least 1m); the floor reads 5m.
    expect(rules.find((r) => r.alert === "InferenceErrorRatioHigh")!.expr).toContain(
      'sum by (namespace, service)(rate(facefusion_request_errors_total{namespace="inference", service="face-swap-fleet"}[1m]))',
    );
    expect(rules.find((r) => r.alert === "InferenceErrorRateHigh")!.expr).toBe(
      'sum by (namespace, service)(rate(facefusion_request_errors_total{namespace="inference", service="face-swap-fleet"}[5m])) > 0.1',
    );
  });
});

describe("domain metrics declared by a service reach its dashboard", () => {
  test("the talking-head dashboard has a panel per declared metric, in its unit", () => {
    const platform = synth("talking-head").app.node.findChild("platform") as PlatformStack;
    const dashboard = platform.dashboards.render().find((d) => d.title?.includes("talking-head"))!;
    const panels = JSON.stringify(dashboard);
    expect(panels).toContain('"title":"GPU memory used by the pipeline"');
    expect(panels).toContain('"title":"Active tasks"');
    expect(panels).toContain('linly_talker_gpu_memory_used_bytes{namespace=\\"inference\\", service=\\"talking-head\\"');
    // No outcome, no error ratio recorded: no error panels either.
    expect(panels).not.toContain("Error ratio");
  });

  test("egress: the database CIDR and the feature store namespace are in the server's egress policy, beside DNS and HTTPS", () => {
    const policies = synth("egress").platform.resource!.kubernetes_network_policy_v1 as Record<string, { metadata: { name: string }; spec: { egress?: { ports: { port: string }[] }[] } }>;
    const egress = Object.values(policies).find((p) => p.metadata.name === "inference-server-egress")!.spec.egress!;
    expect(egress.map((r) => r.ports.map((p) => p.port).join(","))).toEqual(["53,53", "443", "5432", "6379"]);
  });
});
