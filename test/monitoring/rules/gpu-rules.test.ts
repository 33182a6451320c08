import { DEFAULT_FATAL_XIDS, GPU_MEMORY_RATIO_RECORD, GpuRuleOptions, gpuRuleGroups, isAlertRule, KSM_NODE_LABELS_ALLOWLIST, KSM_POOL_LABEL } from "../../../lib/monitoring/rules";
import { alert, alertNames, expectConfigError, record } from "./helpers";

const POOLS = [{ poolName: "g5-ondemand" }, { poolName: "g6-spot" }];
const gpu = (options?: GpuRuleOptions) => gpuRuleGroups("PlatformRules", POOLS, options)[0];

describe("GPU rules with defaults", () => {
  const g = gpu();

  test("one group named gpu with every alert", () => {
    expect(g.name).toBe("gpu");
    expect(alertNames(g)).toEqual([
      "GpuMemoryPressure/warning",
      "GpuMemoryPressure/critical",
      "GpuMemoryLeakPredicted/warning",
      "GpuMemoryLeakPredicted/critical",
      "GpuXidFatal/critical",
      "GpuXidError/warning",
      "GpuRowRemapFailure/critical",
      "GpuUncorrectableRowsRemapped/warning",
      "GpuTemperatureHigh/warning",
      "GpuTemperatureHigh/critical",
      "GpuSaturated/warning",
      "GpuMetricsMissing/warning",
      "GpuNodePoolUnknown/warning",
      "GpuAllocatableBelowCapacity/warning",
    ]);
  });

  test("records the memory ratio as used / (used + free), with the pool from kube_node_labels and a fallback without it", () => {
    const ratio = "(DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE))";
    expect(record(g, GPU_MEMORY_RATIO_RECORD).expr).toBe(
      `${ratio}\n* on (Hostname) group_left (pool)\n` +
        'max by (Hostname, pool) (label_replace(label_replace(kube_node_labels{label_gpu_platform_io_pool!=""}, "pool", "$1", "label_gpu_platform_io_pool", "(.+)"), "Hostname", "$1", "node", "(.+)"))\n' +
        `or ignoring (pool)\n${ratio}`,
    );
  });

  test("memory pressure warns at 80% for 5m; pages within 1m at 98%, or above 95% while growing; no pool matcher without overrides", () => {
    const r = "gpu:dcgm_fb_used:ratio";
    expect(alert(g, "GpuMemoryPressure", "warning")).toMatchObject({ expr: `${r} > 0.8`, for: "5m" });
    expect(alert(g, "GpuMemoryPressure", "critical")).toMatchObject({
      expr: `${r} > 0.95\nand (\n${r} >= 0.98\nor\n(${r} > ${r} offset 5m\nand\n${r} offset 5m > ${r} offset 10m)\n)`,
      for: "1m",
    });
    expect(alert(g, "GpuMemoryPressure", "critical").annotations.description).toContain("a model server that preallocates near-full memory and stays flat gets the warning, not a page");
  });

  test("the leak warns on a 24h prediction over 6h for 30m and pages on a 60m prediction over 10m for 5m, both only while memory grew in each half of their growth window", () => {
    const used = "DCGM_FI_DEV_FB_USED";
    expect(alert(g, "GpuMemoryLeakPredicted", "warning")).toMatchObject({
      expr: `predict_linear(${used}[6h], 86400) > (${used} + DCGM_FI_DEV_FB_FREE)\nand (${used} > ${used} offset 30m\nand\n${used} offset 30m > ${used} offset 1h)`,
      for: "30m",
    });
    expect(alert(g, "GpuMemoryLeakPredicted", "critical")).toMatchObject({
      expr: `predict_linear(${used}[10m], 3600) > (${used} + DCGM_FI_DEV_FB_FREE)\nand (${used} > ${used} offset 5m\nand\n${used} offset 5m > ${used} offset 10m)`,
      for: "5m",
    });
  });

  test("a node without DCGM metrics alerts after 5m once it is older than 10m", () => {
    expect(alert(g, "GpuMetricsMissing")).toMatchObject({ for: "5m" });
    expect(alert(g, "GpuMetricsMissing").expr).toMatch(/^\(time\(\) - max by \(node\) \(kube_node_created\) > 600\)\n/);
  });

  test("XID_ERRORS is the last code: fatal codes page while set, other codes warn when they change", () => {
    const fatal = `(${DEFAULT_FATAL_XIDS.map((x) => `DCGM_FI_DEV_XID_ERRORS == ${x}`).join(" or ")})`;
    expect(DEFAULT_FATAL_XIDS).toEqual([48, 62, 64, 74, 79, 95, 119, 120]);
    expect(alert(g, "GpuXidFatal").expr).toBe(fatal);
    expect(alert(g, "GpuXidError").expr).toBe(`(DCGM_FI_DEV_XID_ERRORS != 0 and changes(DCGM_FI_DEV_XID_ERRORS[5m]) > 0)\nunless ${fatal}`);
  });

  test("temperature 85/90 °C, saturation 90% for 30m with the GPU_UTIL fallback only where profiling is missing", () => {
    expect(alert(g, "GpuTemperatureHigh", "warning").expr).toBe("DCGM_FI_DEV_GPU_TEMP > 85");
    expect(alert(g, "GpuTemperatureHigh", "critical").expr).toBe("DCGM_FI_DEV_GPU_TEMP > 90");
    expect(alert(g, "GpuSaturated")).toMatchObject({
      expr: "avg_over_time(DCGM_FI_PROF_GR_ENGINE_ACTIVE[5m]) > 0.9\nor\n(avg_over_time(DCGM_FI_DEV_GPU_UTIL[5m]) / 100 > 0.9 unless DCGM_FI_PROF_GR_ENGINE_ACTIVE)",
      for: "30m",
    });
  });

  test("no power alert unless a pool sets a threshold: the default counters carry no power limit", () => {
    expect(g.rules.some((r) => "alert" in r && r.alert === "GpuPowerHigh")).toBe(false);
  });

  test("alerts on DCGM series name the node as `node` (DCGM's Hostname), for the node-down inhibition; node alerts keep theirs", () => {
    const alerts = g.rules.filter(isAlertRule);
    const onDcgm = alerts.filter((a) => /DCGM_FI_|gpu:dcgm_fb_used:ratio/.test(a.expr) && !a.expr.includes("kube_node_created"));
    expect(onDcgm.map((a) => a.alert)).toEqual([
      "GpuMemoryPressure",
      "GpuMemoryPressure",
      "GpuMemoryLeakPredicted",
      "GpuMemoryLeakPredicted",
      "GpuXidFatal",
      "GpuXidError",
      "GpuRowRemapFailure",
      "GpuUncorrectableRowsRemapped",
      "GpuTemperatureHigh",
      "GpuTemperatureHigh",
      "GpuSaturated",
    ]);
    for (const a of onDcgm) expect({ alert: a.alert, node: a.labels.node }).toEqual({ alert: a.alert, node: "{{ $labels.Hostname }}" });
    // These select by node already: a templated node label would overwrite it with "" (no Hostname).
    for (const a of alerts.filter((x) => !onDcgm.includes(x))) expect({ alert: a.alert, node: a.labels.node }).toEqual({ alert: a.alert, node: undefined });
    expect(alert(g, "GpuMemoryPressure", "warning").annotations.description).toContain("{{ with $labels.pod }}, used by {{ $labels.namespace }}/{{ . }}{{ else }}, allocated to no pod{{ end }}");
  });

  test("the kube-state-metrics allowlist matches the label the rules read", () => {
    expect(KSM_NODE_LABELS_ALLOWLIST).toBe("nodes=[gpu-platform.io/pool]");
    expect(KSM_POOL_LABEL).toBe("label_gpu_platform_io_pool");
  });
});

describe("GPU rules with overrides", () => {
  const g = gpu({
    memoryWarningPercent: 75,
    memoryFor: "10m",
    leakHorizonHours: 12,
    leakCriticalWindow: "20m",
    leakCriticalHorizonMinutes: 90,
    temperatureWarningCelsius: 80,
    saturationPercent: 95,
    fatalXids: [79],
    pools: [
      { poolName: "g6-spot", preallocatedPercent: 90, memoryWarningPercent: 95, memoryCriticalPercent: 98, powerWarningWatts: 70 },
      { poolName: "g5-ondemand", powerWarningWatts: 280 },
    ],
  });

  test("per-pool memory thresholds, and the defaults for every other GPU", () => {
    expect(alert(g, "GpuMemoryPressure", "warning")).toMatchObject({
      expr: 'gpu:dcgm_fb_used:ratio{pool!="g6-spot"} > 0.75\nor\ngpu:dcgm_fb_used:ratio{pool="g6-spot"} > 0.95',
      for: "10m",
    });
    // g6-spot's critical threshold is already the exhausted level: no growth clause there.
    const other = 'gpu:dcgm_fb_used:ratio{pool!="g6-spot"}';
    expect(alert(g, "GpuMemoryPressure", "critical").expr).toBe(
      `${other} > 0.95\nand (\n${other} >= 0.98\nor\n(${other} > ${other} offset 5m\nand\n${other} offset 5m > ${other} offset 10m)\n)\nor\ngpu:dcgm_fb_used:ratio{pool="g6-spot"} > 0.98`,
    );
  });

  test("both leak predictions skip the preallocating pool and use their horizons", () => {
    const used = "DCGM_FI_DEV_FB_USED";
    expect(alert(g, "GpuMemoryLeakPredicted", "warning").expr).toBe(
      `predict_linear(${used}[6h], 43200) > (${used} + DCGM_FI_DEV_FB_FREE)\n` +
        `and (${used} > ${used} offset 30m\nand\n${used} offset 30m > ${used} offset 1h)\n` +
        'and ignoring (pool) gpu:dcgm_fb_used:ratio{pool!="g6-spot"}',
    );
    expect(alert(g, "GpuMemoryLeakPredicted", "critical").expr).toBe(
      `predict_linear(${used}[20m], 5400) > (${used} + DCGM_FI_DEV_FB_FREE)\n` +
        `and (${used} > ${used} offset 10m\nand\n${used} offset 10m > ${used} offset 20m)\n` +
        'and ignoring (pool) gpu:dcgm_fb_used:ratio{pool!="g6-spot"}',
    );
    expect(alert(g, "GpuMemoryLeakPredicted", "critical").annotations.summary).toBe("GPU memory is growing fast enough to run out within 90m.");
  });

  test("power thresholds per pool, joined to the pool through kube_node_labels", () => {
    const join = (pool: string) =>
      `max by (Hostname, pool) (label_replace(label_replace(kube_node_labels{label_gpu_platform_io_pool="${pool}"}, "pool", "$1", "label_gpu_platform_io_pool", "(.+)"), "Hostname", "$1", "node", "(.+)"))`;
    expect(alert(g, "GpuPowerHigh")).toMatchObject({
      expr:
        `DCGM_FI_DEV_POWER_USAGE\n* on (Hostname) group_left (pool) ${join("g5-ondemand")}\n> 280\nor\n` +
        `DCGM_FI_DEV_POWER_USAGE\n* on (Hostname) group_left (pool) ${join("g6-spot")}\n> 70`,
      for: "15m",
    });
  });

  test("temperature, saturation and fatal XIDs follow their options", () => {
    expect(alert(g, "GpuTemperatureHigh", "warning").expr).toBe("DCGM_FI_DEV_GPU_TEMP > 80");
    expect(alert(g, "GpuSaturated").expr).toContain("> 0.95");
    expect(alert(g, "GpuXidFatal").expr).toBe("(DCGM_FI_DEV_XID_ERRORS == 79)");
  });

  test("pools sharing a threshold share a clause; a pool without memory alerts has none", () => {
    const h = gpuRuleGroups("PlatformRules", [...POOLS, { poolName: "p4d" }], {
      pools: [
        { poolName: "g5-ondemand", memoryWarningPercent: 90 },
        { poolName: "p4d", memoryWarningPercent: 90 },
        { poolName: "g6-spot", memoryAlerts: false },
      ],
    })[0];
    expect(alert(h, "GpuMemoryPressure", "warning").expr).toBe(
      'gpu:dcgm_fb_used:ratio{pool!~"g5-ondemand|g6-spot|p4d"} > 0.8\nor\ngpu:dcgm_fb_used:ratio{pool=~"g5-ondemand|p4d"} > 0.9',
    );
    expect(alert(h, "GpuMemoryLeakPredicted", "warning").expr).toContain('gpu:dcgm_fb_used:ratio{pool!="g6-spot"}');
  });
});

describe("GPU option validation", () => {
  test("warning at or above critical", () => {
    expectConfigError(
      () => gpu({ memoryWarningPercent: 95 }),
      "PlatformRules: 'gpu.memoryWarningPercent' must be below 'gpu.memoryCriticalPercent' (95), got 95",
    );
    expectConfigError(
      () => gpu({ temperatureWarningCelsius: 92 }),
      "PlatformRules: 'gpu.temperatureWarningCelsius' must be below 'gpu.temperatureCriticalCelsius' (90), got 92",
    );
    expectConfigError(
      () => gpu({ pools: [{ poolName: "g5-ondemand", memoryCriticalPercent: 70 }] }),
      "PlatformRules: 'gpu.pools[0].memoryWarningPercent' must be below 'gpu.pools[0].memoryCriticalPercent' (70), got 80",
    );
  });

  test("percentages outside 0..100", () => {
    expectConfigError(() => gpu({ memoryCriticalPercent: 120 }), "PlatformRules: 'gpu.memoryCriticalPercent' must be a percentage above 0 and at most 100, got 120");
    expectConfigError(() => gpu({ saturationPercent: 0 }), "PlatformRules: 'gpu.saturationPercent' must be a percentage above 0 and at most 100, got 0");
  });

  test("a preallocated share at or above the pool's warning threshold would warn forever", () => {
    expectConfigError(
      () => gpu({ pools: [{ poolName: "g6-spot", preallocatedPercent: 90 }] }),
      "PlatformRules: 'gpu.pools[0].preallocatedPercent' must be below 'gpu.pools[0].memoryWarningPercent' (80), got 90",
    );
    expect(() => gpu({ pools: [{ poolName: "g6-spot", preallocatedPercent: 90, memoryAlerts: false }] })).not.toThrow();
  });

  test("an override for a pool that does not exist, or twice for one pool", () => {
    expectConfigError(
      () => gpu({ pools: [{ poolName: "g6-sopt", memoryWarningPercent: 90 }] }),
      `PlatformRules: 'gpu.pools[0].poolName' must name one of the GPU pools (g5-ondemand, g6-spot), got "g6-sopt"`,
    );
    expectConfigError(
      () => gpu({ pools: [{ poolName: "g6-spot" }, { poolName: "g6-spot" }] }),
      `PlatformRules: 'gpu.pools[*].poolName' must hold unique names; this one appears more than once, got "g6-spot"`,
    );
  });

  test("a leak page whose for outlasts its horizon would come after the memory is gone", () => {
    expectConfigError(
      () => gpu({ leakCriticalHorizonMinutes: 5 }),
      `PlatformRules: 'gpu.leakCriticalFor' must be shorter than gpu.leakCriticalHorizonMinutes (5m), or the page comes after the memory is gone, got "5m"`,
    );
    expectConfigError(() => gpu({ memoryExhaustedPercent: 101 }), "PlatformRules: 'gpu.memoryExhaustedPercent' must be a percentage above 0 and at most 100, got 101");
  });

  test("durations, XID codes and watts", () => {
    expectConfigError(() => gpu({ memoryFor: "five" }), `PlatformRules: 'gpu.memoryFor' must be a Prometheus duration such as 30s, 5m, 1h or 1h30m, got "five"`);
    expectConfigError(() => gpu({ fatalXids: [79, 7.5] }), "PlatformRules: 'gpu.fatalXids[1]' must be a positive integer XID code, got 7.5");
    expectConfigError(
      () => gpu({ pools: [{ poolName: "g5-ondemand", powerWarningWatts: -1 }] }),
      "PlatformRules: 'gpu.pools[0].powerWarningWatts' must be a number above 0, got -1",
    );
  });
});

describe("GPU memory durations per severity and per pool", () => {
  const memory = (options: GpuRuleOptions) => gpu(options).rules.filter(isAlertRule).filter((r) => r.alert === "GpuMemoryPressure");

  test("critical at 95% at once, warning at 80% sustained: one `for` per severity", () => {
    expect(memory({ memoryWarningFor: "30m", memoryCriticalFor: "1m" }).map((r) => [r.labels.severity, r.for])).toEqual([
      ["warning", "30m"],
      ["critical", "1m"],
    ]);
    // memoryFor is the warning's default; the critical keeps its own (1m).
    expect(memory({ memoryFor: "10m", memoryCriticalFor: "1m" }).map((r) => r.for)).toEqual(["10m", "1m"]);
  });

  test("a pool with its own duration gets its own rule, labelled with the pool; the shared rule leaves it out", () => {
    const rules = memory({ pools: [{ poolName: "g6-spot", memoryCriticalFor: "2m", memoryCriticalPercent: 97 }] });
    expect(rules.map((r) => [r.labels.severity, r.for, r.labels.pool])).toEqual([
      ["warning", "5m", undefined],
      ["critical", "1m", undefined],
      ["critical", "2m", "g6-spot"],
    ]);
    // Below the exhausted level (98%) the page also needs steady growth, in the pool's own rule too.
    expect(rules[1].expr.startsWith(`${GPU_MEMORY_RATIO_RECORD}{pool!="g6-spot"} > 0.95\nand (\n${GPU_MEMORY_RATIO_RECORD}{pool!="g6-spot"} >= 0.98\nor\n`)).toBe(true);
    expect(rules[2].expr.startsWith(`${GPU_MEMORY_RATIO_RECORD}{pool="g6-spot"} > 0.97\nand (\n${GPU_MEMORY_RATIO_RECORD}{pool="g6-spot"} >= 0.98\nor\n`)).toBe(true);
    // The warning keeps the pack's duration, so g6-spot stays in the shared warning rule.
    expect(rules[0].expr).toBe(`${GPU_MEMORY_RATIO_RECORD} > 0.8`);
  });

  test("durations are checked under their option names", () => {
    expectConfigError(() => gpu({ memoryCriticalFor: "now" }), `PlatformRules: 'gpu.memoryCriticalFor' must be a Prometheus duration such as 30s, 5m, 1h or 1h30m, got "now"`);
    expectConfigError(
      () => gpu({ pools: [{ poolName: "g6-spot", memoryWarningFor: "0s" }] }),
      `PlatformRules: 'gpu.pools[0].memoryWarningFor' must be a Prometheus duration longer than 0s, got "0s"`,
    );
  });
});
