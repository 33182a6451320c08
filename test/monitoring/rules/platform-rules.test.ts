import { HEARTBEAT_LABEL, platformRuleGroups, PlatformRuleOptions } from "../../../lib/monitoring/rules";
import { alert, alertNames, expectConfigError } from "./helpers";

const platform = (options?: PlatformRuleOptions) => platformRuleGroups("PlatformRules", options)[0];

describe("platform rules", () => {
  test("only what kube-prometheus-stack's default rules lack", () => {
    const g = platform();
    expect(g.name).toBe("platform");
    expect(alertNames(g)).toEqual([
      "DeadMansSwitch/info",
      "GpuNodeNotReady/warning",
      "PersistentVolumeUsageHigh/warning",
    ]);
  });

  test("the heartbeat always fires and carries the label Alertmanager routes on", () => {
    expect(HEARTBEAT_LABEL).toEqual({ name: "heartbeat", value: "true" });
    expect(alert(platform(), "DeadMansSwitch")).toMatchObject({ expr: "vector(1)", labels: { severity: "info", heartbeat: "true" } });
    expect(alert(platform(), "DeadMansSwitch").for).toBeUndefined();
  });

  test("GPU nodes NotReady count their lost GPUs, without needing the pool label", () => {
    expect(alert(platform(), "GpuNodeNotReady")).toMatchObject({
      expr: 'max by (node) (kube_node_status_capacity{resource="nvidia_com_gpu"}) > 0\nand on (node)\nkube_node_status_condition{condition="Ready", status="true"} == 0',
      for: "5m",
    });
  });

  test("volumes of the monitoring namespace warn at 80% by default; namespaces and threshold are options", () => {
    const by = "namespace, persistentvolumeclaim";
    expect(alert(platform(), "PersistentVolumeUsageHigh").expr).toBe(
      `max by (${by}) (kubelet_volume_stats_used_bytes{namespace="monitoring"})\n/ on (${by})\nmax by (${by}) (kubelet_volume_stats_capacity_bytes{namespace="monitoring"})\n> 0.8`,
    );
    const custom = alert(platform({ volumeNamespaces: ["monitoring", "thanos"], volumeUsagePercent: 70 }), "PersistentVolumeUsageHigh").expr;
    expect(custom).toContain('kubelet_volume_stats_used_bytes{namespace=~"monitoring|thanos"}');
    expect(custom).toMatch(/\n> 0\.7$/);
  });

  test("option validation", () => {
    expectConfigError(
      () => platform({ volumeUsagePercent: 0 }),
      "PlatformRules: 'platform.volumeUsagePercent' must be a percentage above 0 and at most 100, got 0",
    );
    expectConfigError(
      () => platform({ gpuNodeNotReadyFor: "5 min" }),
      `PlatformRules: 'platform.gpuNodeNotReadyFor' must be a Prometheus duration such as 30s, 5m, 1h or 1h30m, got "5 min"`,
    );
    expectConfigError(
      () => platform({ volumeNamespaces: ["Monitoring"] }),
      `PlatformRules: 'platform.volumeNamespaces[0]' must be a DNS-1123 label (1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit), got "Monitoring"`,
    );
  });
});
