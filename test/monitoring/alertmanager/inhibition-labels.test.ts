import { DEFAULT_NODE_DOWN_ALERTS, InhibitRule, LabelMatcher, platformAlertmanagerConfig } from "../../../lib/monitoring/alertmanager";
import { ExpectedAlert, expectedAlerts } from "../../promtool/expected-alerts";

/**
 * The inhibition rules against the labels the alerts really carry: the firing alerts of the
 * promtool unit tests, whose exact labels promtool checks on cluster-realistic series. An
 * inhibition whose `equal` names a label the alerts lack mutes nothing (or, when both sides lack
 * it, too much), and no unit test of the routing tree alone would notice.
 */

type Labels = Readonly<Record<string, string>>;

/** Alertmanager's matcher semantics: regexes fully anchored, a missing label is "". */
function matches(m: LabelMatcher, labels: Labels): boolean {
  const value = labels[m.label] ?? "";
  switch (m.operator) {
    case "=":
      return value === m.value;
    case "!=":
      return value !== m.value;
    case "=~":
      return new RegExp(`^(?:${m.value})$`).test(value);
    case "!~":
      return !new RegExp(`^(?:${m.value})$`).test(value);
  }
}

function inhibits(rule: InhibitRule, source: Labels, target: Labels): boolean {
  return (
    source !== target &&
    rule.sourceMatchers.every((m) => matches(m, source)) &&
    rule.targetMatchers.every((m) => matches(m, target)) &&
    (rule.equal ?? []).every((l) => (source[l] ?? "") === (target[l] ?? ""))
  );
}

const KSM_TARGET = {
  job: "kube-state-metrics",
  instance: "10.0.0.85:8080",
  endpoint: "http",
  service: "kube-prometheus-stack-kube-state-metrics",
  namespace: "monitoring",
  pod: "kube-prometheus-stack-kube-state-metrics-6d9f7c-x2k4p",
  container: "kube-state-metrics",
};
/**
 * kube-prometheus-stack's own node alerts (kubernetes-mixin), which no promtool test here renders:
 * each keeps the labels of its kube-state-metrics series (`kube_node_status_condition == 0`,
 * `kube_node_spec_taint == 1`), target labels included, plus severity.
 */
const CHART_NODE_ALERTS: Labels[] = [
  { alertname: "KubeNodeNotReady", severity: "warning", node: "node-a", condition: "Ready", status: "true", ...KSM_TARGET },
  { alertname: "KubeNodeUnreachable", severity: "warning", node: "node-a", key: "node.kubernetes.io/unreachable", effect: "NoSchedule", ...KSM_TARGET },
];

const alerts = expectedAlerts();
const config = platformAlertmanagerConfig();
const [severityRule, nodeDownRule] = config.inhibitRules ?? [];
const name = (a: Labels) => `${a.alertname}/${a.severity}/${a.pod ?? a.Hostname ?? a.node ?? "-"}${a.gpu ? `:gpu${a.gpu}` : ""}`;

/** Alerts about one pod or one GPU, from the GPU and inference packs: the ones a node outage explains. */
function podOrGpuAlerts(): ExpectedAlert[] {
  const ofPacks = alerts.filter((a) => a.ruleFiles.some((f) => f === "gpu.rules.yaml" || f.startsWith("inference-")));
  return ofPacks.filter((a) => a.labels.pod !== undefined || a.labels.Hostname !== undefined);
}

describe("inhibition rules match the labels the rules produce on a cluster", () => {
  it("reads the two platform inhibitions: severity first, node-down second", () => {
    expect(config.inhibitRules).toHaveLength(2);
    expect(nodeDownRule.sourceMatchers.map((m) => m.label)).toContain("alertname");
  });

  it("every pod and GPU alert of the GPU and inference packs carries the node it runs on", () => {
    const targets = podOrGpuAlerts();
    // Enough of each kind to mean something: GPU alerts on allocated and idle GPUs, pod alerts.
    expect(new Set(targets.map((a) => a.labels.alertname))).toEqual(
      new Set([
        "GpuMemoryPressure",
        "GpuMemoryLeakPredicted",
        "GpuXidError",
        "GpuXidFatal",
        "GpuRowRemapFailure",
        "GpuUncorrectableRowsRemapped",
        "GpuTemperatureHigh",
        "GpuPowerHigh",
        "GpuSaturated",
        "InferenceQueueBacklog",
        "InferenceModelNotLoaded",
        "InferenceCpuHigh",
        "InferencePodRestarting",
        "InferencePodOOMKilled",
        "InferenceMetricAboveThreshold",
      ]),
    );
    // The one case without node is the documented fallback: kube_pod_info lacks the pod.
    const withoutNode = targets.filter((a) => !a.labels.node).map((a) => `${a.file}: ${a.test}`);
    expect(withoutNode).toEqual(["inference.test.yaml: CPU above 90% of the limit fires at the third sample, without node while kube_pod_info lacks the pod"]);
    for (const a of targets.filter((t) => t.labels.node)) {
      // DCGM's node name and the node label agree, so either side of a join names the same node.
      if (a.labels.Hostname) expect({ alert: name(a.labels), node: a.labels.node }).toEqual({ alert: name(a.labels), node: a.labels.Hostname });
      expect({ alert: name(a.labels), target: nodeDownRule.targetMatchers.every((m) => matches(m, a.labels)) }).toEqual({ alert: name(a.labels), target: true });
    }
  });

  it("every node-down alert is a source naming its node, and mutes exactly the pod and GPU alerts of that node", () => {
    const gpuNodeNotReady = alerts.filter((a) => a.labels.alertname === "GpuNodeNotReady").map((a) => a.labels);
    expect(gpuNodeNotReady.length).toBeGreaterThan(0);
    const sources = [...gpuNodeNotReady, ...CHART_NODE_ALERTS];
    expect(new Set(sources.map((s) => s.alertname))).toEqual(new Set(DEFAULT_NODE_DOWN_ALERTS));
    const targets = podOrGpuAlerts().map((a) => a.labels);
    for (const source of sources) {
      expect({ source: name(source), matches: nodeDownRule.sourceMatchers.every((m) => matches(m, source)) }).toEqual({ source: name(source), matches: true });
      const muted = targets.filter((t) => inhibits(nodeDownRule, source, t));
      // The fixtures' node-a holds GPUs a0/a1 and pod inference-server-7c9d8f-abcde.
      expect(muted.length).toBeGreaterThan(0);
      expect(muted.filter((t) => t.node !== source.node)).toEqual([]);
      expect(targets.filter((t) => t.node === source.node && !muted.includes(t))).toEqual([]);
    }
    // A node-down alert does not mute another one: each says something different about the node.
    for (const s of sources) for (const t of sources) expect(inhibits(nodeDownRule, s, t)).toBe(false);
  });

  it("a critical mutes the warning of the same alert on the same object, never another object's", () => {
    // Critical and warning of one alert that promtool expects at the same moment.
    const moments = new Map<string, ExpectedAlert[]>();
    for (const a of alerts) {
      const key = `${a.file}|${a.test}|${a.evalTime}|${a.labels.alertname}`;
      moments.set(key, [...(moments.get(key) ?? []), a]);
    }
    const pairs: { critical: Labels; warning: Labels; same: boolean }[] = [];
    for (const group of moments.values()) {
      const withoutSeverity = (l: Labels) => JSON.stringify(Object.entries(l).filter(([k]) => k !== "severity").sort());
      for (const c of group.filter((a) => a.labels.severity === "critical")) {
        for (const w of group.filter((a) => a.labels.severity === "warning")) {
          pairs.push({ critical: c.labels, warning: w.labels, same: withoutSeverity(c.labels) === withoutSeverity(w.labels) });
        }
      }
    }
    // GPU memory (GPU a1 next to a0 and c0), GPU temperature, target down, SLO burn.
    expect(pairs.filter((p) => p.same).length).toBeGreaterThanOrEqual(4);
    expect(pairs.filter((p) => !p.same).length).toBeGreaterThanOrEqual(2);
    for (const p of pairs) {
      expect({ critical: name(p.critical), warning: name(p.warning), muted: inhibits(severityRule, p.critical, p.warning) }).toEqual({
        critical: name(p.critical),
        warning: name(p.warning),
        muted: p.same,
      });
    }
  });
});
