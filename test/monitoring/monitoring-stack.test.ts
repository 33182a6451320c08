import { execFileSync } from "child_process";
import { mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { Testing } from "cdktf";
import { parse } from "yaml";
import { MonitoringCatalog } from "../../lib/contracts/monitoring-catalog";
import { monitoringLabelContract } from "../../lib/contracts/monitoring-labels";
import { DcgmExporter } from "../../lib/gpu/dcgm-exporter";
import { GpuPool } from "../../lib/gpu/gpu-pool";
import { MonitoringStack, MonitoringStackProps } from "../../lib/monitoring/monitoring-stack";
import { exportMonitoring } from "../../scripts/export";
import { resourceAt, synthDefaultApp } from "../support/synth";
import { clusterStack } from "../support/fixtures";

const pool = GpuPool.fromExisting({ poolName: "a10g" });

function monitoring(overrides: Partial<MonitoringStackProps> = {}) {
  const stack = clusterStack();
  const m = new MonitoringStack(stack, "monitoring", {
    clusterName: "test-cluster",
    catalog: new MonitoringCatalog(monitoringLabelContract()),
    gpuPools: [pool],
    systemNodeLabels: { "gpu-platform.io/role": "system" },
    storageClass: "gp3-encrypted",
    ...overrides,
  });
  return { stack, m };
}

describe("MonitoringStack in the default app", () => {
  const { platform } = synthDefaultApp();
  const release = resourceAt(platform, "helm_release", "monitoring/chart/release");
  const values = parse((release.values as string[])[0]);
  const spec = values.prometheus.prometheusSpec;

  test("Prometheus: 2 replicas on gp3 volumes, 15s scrape, retention by time and size, cluster and replica labels", () => {
    // 7 days locally: the default app ships blocks to Thanos (15 days without it).
    expect(spec).toMatchObject({ replicas: 2, scrapeInterval: "15s", evaluationInterval: "15s", retention: "7d", retentionSize: "45GiB" });
    expect(spec.storageSpec.volumeClaimTemplate.spec).toEqual({ storageClassName: "gp3-encrypted", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "50Gi" } } });
    expect(spec.externalLabels.cluster).toMatch(/cross-stack-reference-input-cluster/);
    expect(spec.replicaExternalLabelName).toBe("prometheus_replica");
  });

  test("selectors are the label contract the ServiceMonitors and rules carry", () => {
    const contract = monitoringLabelContract();
    expect(release.name).toBe(contract.releaseName);
    expect(spec.serviceMonitorSelector).toEqual({ matchLabels: contract.serviceMonitorLabels });
    expect(spec.ruleSelector).toEqual({ matchLabels: contract.ruleLabels });
    const dcgm = parse((resourceAt(platform, "helm_release", "gpu/dcgm-exporter/chart/release").values as string[])[0]);
    expect(dcgm.serviceMonitor.additionalLabels).toEqual(spec.serviceMonitorSelector.matchLabels);
  });

  test("the inference service's ServiceMonitor is delivered through chart values (plans on an empty cluster)", () => {
    expect(values.prometheus.additionalServiceMonitors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "cluster-autoscaler", namespaceSelector: { matchNames: ["kube-system"] }, endpoints: [{ port: "http", path: "/metrics" }] }),
        expect.objectContaining({ name: "inference-server", namespaceSelector: { matchNames: ["inference"] }, endpoints: [{ port: "metrics", path: "/metrics" }] }),
      ]),
    );
    // The rest are the Thanos components'.
    expect(values.prometheus.additionalServiceMonitors.map((m: { name: string }) => m.name).sort()).toEqual([
      "cluster-autoscaler",
      "inference-server",
      "thanos-compact",
      "thanos-query",
      "thanos-query-frontend",
      "thanos-store",
    ]);
    expect(platform.resource!.kubernetes_manifest).toBeUndefined();
  });

  test("rule groups EKS cannot serve are off", () => {
    expect(values.defaultRules.rules).toMatchObject({ etcd: false, kubeControllerManager: false, kubeSchedulerAlerting: false, kubeSchedulerRecording: false });
    expect([values.kubeEtcd, values.kubeControllerManager, values.kubeScheduler]).toEqual([{ enabled: false }, { enabled: false }, { enabled: false }]);
  });

  test("our rule groups are in additionalPrometheusRulesMap: GPU, the inference server and its SLOs, platform, Thanos", () => {
    expect(Object.keys(values.additionalPrometheusRulesMap).sort()).toEqual([
      "gpu",
      "inference-inference-inference-server",
      "platform",
      "slo-inference-inference-server",
      "thanos",
    ]);
    const slo = JSON.stringify(values.additionalPrometheusRulesMap["slo-inference-inference-server"]);
    // 99.5% availability: the fast page burns 14.4x the 0.5% budget.
    expect(slo).toMatch(/> \(14\.4 \* 0\.005/);
  });

  test("Alertmanager: 3 replicas, persistent, hard anti-affinity; no channel configured means no secret to mount", () => {
    expect(values.alertmanager.alertmanagerSpec).toMatchObject({ replicas: 3, podAntiAffinity: "hard", secrets: [] });
    expect(values.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName).toBe("gp3-encrypted");
    expect(values.alertmanager.config.receivers.map((r: { name: string }) => r.name)).toEqual(["pager", "chat", "heartbeat", "null"]);
  });

  test("Grafana reads its admin password from a generated secret; no literal password in the plan", () => {
    expect(values.grafana.admin).toEqual({ existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
    const secret = resourceAt(platform, "kubernetes_secret_v1", "monitoring/grafana-admin/secret");
    expect((secret.data as Record<string, string>)["admin-password"]).toMatch(/^\$\{random_password\..+\.result\}$/);
    expect(values.grafana.sidecar.dashboards.enabled).toBe(true);
    expect(JSON.stringify(values)).not.toMatch(/adminPassword/);
  });

  test("node-exporter tolerates the GPU taint; everything else runs on the system pool with resources", () => {
    expect(values["prometheus-node-exporter"].tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }]);
    for (const component of [spec, values.alertmanager.alertmanagerSpec, values.grafana, values["kube-state-metrics"], values.prometheusOperator]) {
      expect(component.nodeSelector).toEqual({ "gpu-platform.io/role": "system" });
      expect(component.resources.requests.memory).toBeDefined();
      expect(component.resources.limits.memory).toBeDefined();
    }
    expect(values["kube-state-metrics"].metricLabelsAllowlist).toEqual(["nodes=[gpu-platform.io/pool]"]);
  });
});

describe("Grafana's dashboard sidecar reads only the platform's namespaces", () => {
  const valuesOf = (m: ReturnType<typeof monitoring>) => {
    const doc = JSON.parse(Testing.synth(m.stack)) as { resource: { helm_release: Record<string, { values: string[] }> } };
    return parse(Object.values(doc.resource.helm_release)[0].values[0]).grafana.sidecar.dashboards;
  };

  test("default: the monitoring namespace, not ALL", () => {
    expect(valuesOf(monitoring())).toMatchObject({ enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: "monitoring" });
  });

  test("more namespaces by name", () => {
    expect(valuesOf(monitoring({ dashboardNamespaces: ["monitoring", "inference"] })).searchNamespace).toBe("monitoring,inference");
  });

  test.each([
    [["ALL"], `test/monitoring: 'dashboardNamespaces[0]' must name namespaces: the sidecar's "ALL" would let any namespace's ConfigMaps change the dashboards, got "ALL"`],
    [[], "test/monitoring: 'dashboardNamespaces' must list at least one namespace (the monitoring namespace holds the platform's dashboards), got []"],
    [["Team_A"], "test/monitoring: 'dashboardNamespaces[0]' must be"],
  ])("%j is refused", (namespaces, message) => {
    expect(() => monitoring({ dashboardNamespaces: namespaces })).toThrow(message);
  });

  test("a dashboard ConfigMap in a namespace the sidecar does not read fails synth, naming both", () => {
    const { stack } = monitoring({ dashboardNamespaces: ["monitoring", "team-a"] });
    const dashboards = (namespace: string, id: string) =>
      new ConfigMapV1(stack, id, { metadata: { name: "team-dashboards", namespace, labels: { grafana_dashboard: "1" } }, data: { "x.json": "{}" } });
    dashboards("team-a", "read");
    new ConfigMapV1(stack, "plain", { metadata: { name: "settings", namespace: "team-b" }, data: { a: "b" } });
    expect(() => Testing.synth(stack, true)).not.toThrow();
    dashboards("team-b", "unread");
    expect(() => Testing.synth(stack, true)).toThrow(
      "test/unread: ConfigMap 'team-dashboards' carries the dashboard label grafana_dashboard in namespace 'team-b', but Grafana's sidecar reads only monitoring, team-a: move it there or add 'team-b' to dashboardNamespaces",
    );
  });
});

describe("MonitoringStack validation", () => {
  test("a ServiceMonitor labelled for another Prometheus fails the synth", () => {
    const { stack } = monitoring();
    new DcgmExporter(stack, "dcgm", { pools: [pool], monitoringLabels: monitoringLabelContract("other-prometheus") });
    expect(() => Testing.synth(stack, true)).toThrow(
      `test/dcgm: ServiceMonitor 'dcgm-exporter' has labels {"release":"other-prometheus"}, but Prometheus selects ServiceMonitors by {"release":"kube-prometheus-stack"}, so it would never be scraped`,
    );
  });

  test("retention size that leaves no headroom on the volume", () => {
    expect(() => monitoring({ prometheus: { retentionSize: "48GiB", volumeSize: "50Gi" } })).toThrow(
      "test/monitoring: 'prometheus.retentionSize' must leave 10% of the volume (50Gi) free for the WAL and compaction, got \"48GiB\"",
    );
  });

  test("GB in a retention size means GiB, as Prometheus reads it", () => {
    // 46GB is 46 GiB to Prometheus: more than 90% of a 50Gi volume.
    expect(() => monitoring({ prometheus: { retentionSize: "46GB", volumeSize: "50Gi" } })).toThrow(
      "test/monitoring: 'prometheus.retentionSize' must leave 10% of the volume (50Gi) free for the WAL and compaction, got \"46GB\"",
    );
    expect(() => monitoring({ prometheus: { retentionSize: "45GB", volumeSize: "50Gi" } })).not.toThrow();
  });

  test("bad sizes, intervals and replica counts", () => {
    expect(() => monitoring({ prometheus: { retentionSize: "45G" } })).toThrow("'prometheus.retentionSize' must be a Prometheus byte size such as 45GiB, got \"45G\"");
    expect(() => monitoring({ prometheus: { volumeSize: "50GB" } })).toThrow("'prometheus.volumeSize' must be a Kubernetes quantity such as 50Gi, got \"50GB\"");
    expect(() => monitoring({ prometheus: { scrapeInterval: "1s" } })).toThrow("'prometheus.scrapeInterval' must be between 5s and 2m, got \"1s\"");
    expect(() => monitoring({ prometheus: { retention: "two weeks" } })).toThrow("'prometheus.retention' must be a Prometheus duration");
    expect(() => monitoring({ alertmanager: { replicas: 0 } })).toThrow("'alertmanager.replicas' must be an integer between 1 and 10, got 0");
  });

  test("a user rule of the wrong PromQL type fails the synth, naming the group and the alert", () => {
    const { stack } = monitoring({
      rules: {
        userRules: [
          {
            name: "team-a",
            rules: [
              {
                alert: "CpuBusy",
                expr: "rate(container_cpu_usage_seconds_total) > 0",
                labels: { severity: "warning" },
                annotations: { summary: "CPU busy.", description: "{{ $value }} CPU seconds per second." },
              },
            ],
          },
        ],
      },
    });
    expect(() => Testing.synth(stack, true)).toThrow(
      `test/monitoring: 'userRules["team-a"].rules["CpuBusy"].expr' must be valid PromQL: expected type matrix in call to function "rate", got vector at characters 6-38 (container_cpu_usage_seconds_total), got "rate(container_cpu_usage_seconds_total) > 0"`,
    );
  });

  test("overrides reach the chart", () => {
    const { m } = monitoring({ prometheus: { replicas: 3, retention: "30d", retentionSize: "180GiB", volumeSize: "200Gi", scrapeInterval: "10s" } });
    expect(m.helm.values.prometheus.prometheusSpec).toMatchObject({ replicas: 3, retention: "30d", retentionSize: "180GiB", scrapeInterval: "10s" });
    expect(m.helm.values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe("200Gi");
  });
});

describe("npm run export", () => {
  const out = mkdtempSync(join(tmpdir(), "export-"));
  const files = exportMonitoring(out, {});

  test("writes one rule file per group and an Alertmanager config", () => {
    expect(files.ruleFiles.map((f) => f.slice(out.length + 1)).sort()).toEqual(
      expect.arrayContaining(["rules/gpu.rules.yaml", "rules/platform.rules.yaml", "rules/thanos.rules.yaml"]),
    );
    expect(parse(readFileSync(files.alertmanagerFile, "utf8")).route.receiver).toBeDefined();
  });

  test("promtool check rules accepts every exported file", () => {
    const output = execFileSync("promtool", ["check", "rules", ...files.ruleFiles], { encoding: "utf8" });
    expect(output.match(/SUCCESS/g)).toHaveLength(files.ruleFiles.length);
  });

  test("amtool check-config accepts the exported Alertmanager config", () => {
    expect(execFileSync("amtool", ["check-config", files.alertmanagerFile], { encoding: "utf8" })).toMatch(/SUCCESS/);
  });
});
