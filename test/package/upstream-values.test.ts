import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { IConstruct } from "constructs";
import { parse } from "yaml";
import { PinnedHelmRelease } from "../../lib/platform/pinned-helm-release";
import { buildApp } from "../../stacks/app";
import { DEFAULT_CONFIG } from "../../stacks/config";
import { Testing } from "cdktf";
import { UPSTREAM_DIR, describeWithUpstream } from "../support/upstream";

/**
 * Helm ignores a misspelt values key without a word. This walks the values of every pinned
 * chart the default app installs and checks each key path against the chart's own default
 * values at the pinned version (reference copies beside the project, in ../shared/upstream).
 */
const UPSTREAM = UPSTREAM_DIR;

/**
 * Keys the charts accept but leave out of (or only comment in) their default values.
 * Each entry says where the chart reads it.
 */
const UNDECLARED_BUT_READ: Record<string, string> = {
  // Subcharts whose default values are not among the reference copies; keys from their charts' values.yaml.
  "kube-prometheus-stack:kube-state-metrics.nodeSelector": "prometheus-community/kube-state-metrics values.yaml",
  "kube-prometheus-stack:kube-state-metrics.resources": "prometheus-community/kube-state-metrics values.yaml",
  "kube-prometheus-stack:kube-state-metrics.metricLabelsAllowlist": "prometheus-community/kube-state-metrics values.yaml (--metric-labels-allowlist)",
  "kube-prometheus-stack:prometheus-node-exporter.tolerations": "prometheus-community/prometheus-node-exporter values.yaml",
  "kube-prometheus-stack:prometheus-node-exporter.resources": "prometheus-community/prometheus-node-exporter values.yaml",
  // extraArgs is rendered as `--<key>=<value>` (templates/deployment.yaml); flags from cluster-autoscaler FAQ.md
  // "What are the parameters to CA?", the first four also commented in the chart's values.yaml.
  "cluster-autoscaler:extraArgs.expander": "cluster-autoscaler --expander",
  "cluster-autoscaler:extraArgs.balance-similar-node-groups": "cluster-autoscaler --balance-similar-node-groups",
  "cluster-autoscaler:extraArgs.scale-down-unneeded-time": "cluster-autoscaler --scale-down-unneeded-time",
  "cluster-autoscaler:extraArgs.scale-down-delay-after-add": "cluster-autoscaler --scale-down-delay-after-add",
  "cluster-autoscaler:extraArgs.skip-nodes-with-local-storage": "cluster-autoscaler --skip-nodes-with-local-storage",
  "cluster-autoscaler:extraArgs.aws-use-static-instance-list": "cluster-autoscaler --aws-use-static-instance-list (cloudprovider/aws/README.md)",
};

/** Subcharts whose defaults are among the reference copies: their keys are checked too. */
const SUBCHART_VALUES: Record<string, Record<string, string>> = {
  "kube-prometheus-stack": { grafana: "grafana-12.11.1.values.yaml" },
};

function withSubcharts(chart: string, upstream: Json): Json {
  if (!isMap(upstream)) return upstream;
  const merged: { [k: string]: Json } = { ...upstream };
  for (const [key, file] of Object.entries(SUBCHART_VALUES[chart] ?? {})) {
    const sub = parse(readFileSync(join(UPSTREAM, file), "utf8")) as Json;
    merged[key] = deepMerge(sub, upstream[key]);
  }
  return merged;
}

/** The subchart's defaults overlaid by the parent's: a parent map (grafana.sidecar) must not hide the subchart's keys below it. */
function deepMerge(base: Json | undefined, over: Json | undefined): Json {
  if (!isMap(base) || !isMap(over)) return over === undefined ? (base ?? null) : over;
  const out: { [k: string]: Json } = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

type Json = null | string | number | boolean | Json[] | { [k: string]: Json };

function isMap(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Key paths we set that the chart does not declare. Free-form maps ({} upstream), lists and scalars end the walk. */
function undeclaredKeys(ours: Json, theirs: Json | undefined, path: string, chart: string): string[] {
  if (!isMap(ours)) return [];
  if (!isMap(theirs) || Object.keys(theirs).length === 0) return [];
  return Object.entries(ours).flatMap(([key, value]) => {
    const p = path ? `${path}.${key}` : key;
    if (!(key in theirs)) return UNDECLARED_BUT_READ[`${chart}:${p}`] ? [] : [`${chart}: ${p}`];
    return undeclaredKeys(value, theirs[key], p, chart);
  });
}

function releases(root: IConstruct): PinnedHelmRelease<object>[] {
  return root.node.findAll().filter((c): c is PinnedHelmRelease<object> => c instanceof PinnedHelmRelease);
}

describeWithUpstream("Helm values keys exist in the pinned charts' default values", () => {
  const { platform } = buildApp(DEFAULT_CONFIG, Testing.app());
  const found = releases(platform);

  test("a misspelt key is caught, free-form maps are not walked", () => {
    const dcgm = parse(readFileSync(join(UPSTREAM, "dcgm-exporter-4.8.2.values.yaml"), "utf8")) as Json;
    const ours = { serviceMonitor: { honorLabel: true, additionalLabels: { anything: "goes" } }, nodeSelector: { a: "b" } };
    expect(undeclaredKeys(ours, dcgm, "", "dcgm-exporter")).toEqual(["dcgm-exporter: serviceMonitor.honorLabel"]);
  });

  test("the default app installs pinned charts", () => {
    expect(found.length).toBeGreaterThanOrEqual(2);
  });

  test("Cluster Autoscaler's chart is among the checked releases", () => {
    expect(found.map((r) => r.chart.chart)).toContain("cluster-autoscaler");
  });

  test.each(found.map((r) => [`${r.chart.chart}-${r.chart.version}`, r] as const))("%s", (name, release) => {
    const file = join(UPSTREAM, `${name}.values.yaml`);
    expect(existsSync(file)).toBe(true);
    const upstream = withSubcharts(release.chart.chart, parse(readFileSync(file, "utf8")) as Json);
    expect(undeclaredKeys(release.values as Json, upstream, "", release.chart.chart)).toEqual([]);
  });
});
