import { IConstruct } from "constructs";
import { PlatformConfigError } from "../../core/errors";
import { checkUnique } from "../../core/validate";
import { DCGM_METRICS as D } from "./dcgm-metrics";
import { checkBelow, checkPercent, checkPositive, checkWindow } from "./private/checks";
import { ANY_POOL, durationText, KSM_POOL_LABEL, noneOf, nodePools, num, oneOf, POOL_LABEL, series } from "./private/queries";
import { alertRule, recordingRule } from "./private/rule-builders";
import { AlertRule, Rule, RuleGroup, Severity } from "./rule-types";

/** Per-pool changes to the GPU pack; `poolName` must be one of the platform's GPU pools. */
export interface GpuPoolRuleOverride {
  readonly poolName: string;
  /** @default - GpuRuleOptions.memoryWarningPercent */
  readonly memoryWarningPercent?: number;
  /** @default - GpuRuleOptions.memoryCriticalPercent */
  readonly memoryCriticalPercent?: number;
  /**
   * Share of GPU memory this pool's model servers take on purpose at startup, e.g. 90 for vLLM
   * with `gpu_memory_utilization=0.9`. The leak prediction skips the pool (flat, near-full memory
   * is its normal state), and both memory thresholds must lie above this share.
   * @default - memory is not preallocated
   */
  readonly preallocatedPercent?: number;
  /** @default - GpuRuleOptions.memoryWarningFor */
  readonly memoryWarningFor?: string;
  /** @default - GpuRuleOptions.memoryCriticalFor */
  readonly memoryCriticalFor?: string;
  /** Memory pressure and leak alerts for this pool. @default true */
  readonly memoryAlerts?: boolean;
  /**
   * Sustained power draw, in watts, that raises a warning. The default DCGM counters carry no
   * power limit (DCGM_FI_DEV_POWER_MGMT_LIMIT is not exported), so the threshold is absolute, and
   * per pool because board power differs by GPU model (T4 70 W, L4 72 W, A10G 300 W).
   * @default - no power alert for this pool
   */
  readonly powerWarningWatts?: number;
}

export interface GpuRuleOptions {
  /** GPU memory used, in percent of used + free, that raises a warning. @default 80 */
  readonly memoryWarningPercent?: number;
  /** @default 95 */
  readonly memoryCriticalPercent?: number;
  /** How long memory must stay above the warning threshold. @default "5m" */
  readonly memoryFor?: string;
  /**
   * `for` of the memory warning alone, e.g. "30m" for "warning at 80 % sustained".
   * @default - memoryFor
   */
  readonly memoryWarningFor?: string;
  /**
   * Memory use, in percent, that pages at once (after `memoryCriticalFor`) whatever its history.
   * Between the critical threshold and this, the critical alert also needs steady growth: a
   * server that preallocates up to near-full and stays flat gets the warning only.
   * @default 98
   */
  readonly memoryExhaustedPercent?: number;
  /** How long the critical memory condition must hold. @default "1m" */
  readonly memoryCriticalFor?: string;
  /** The leak warning fires when the growth seen over `leakWindow` would exhaust memory within this many hours. @default 24 */
  readonly leakHorizonHours?: number;
  /** Window of the leak warning's linear prediction. @default "6h" */
  readonly leakWindow?: string;
  /** @default "30m" */
  readonly leakFor?: string;
  /** The leak page fires when the growth of the last `leakCriticalWindow` would exhaust memory within this many minutes. @default 60 */
  readonly leakCriticalHorizonMinutes?: number;
  /** Window of the leak page's linear prediction; memory must also have grown in each of its halves. @default "10m" */
  readonly leakCriticalWindow?: string;
  /** @default "5m" */
  readonly leakCriticalFor?: string;
  /** @default 85 */
  readonly temperatureWarningCelsius?: number;
  /** @default 90 */
  readonly temperatureCriticalCelsius?: number;
  /** @default "5m" */
  readonly temperatureFor?: string;
  /** Graphics engine activity, in percent, averaged over 5m, that counts as saturated. @default 90 */
  readonly saturationPercent?: number;
  /** @default "30m" */
  readonly saturationFor?: string;
  /** @default "15m" */
  readonly powerFor?: string;
  /** XID codes whose recovery is a GPU reset or node reboot: critical instead of warning. @default DEFAULT_FATAL_XIDS */
  readonly fatalXids?: readonly number[];
  /**
   * A Ready GPU node older than 10 minutes (time for its exporter to start) without DCGM metrics
   * this long alerts. Prometheus marks the series stale at the first failed scrape, so the clock
   * starts when the exporter dies. @default "5m"
   */
  readonly metricsMissingFor?: string;
  /** @default "10m" */
  readonly allocatableFor?: string;
  /** @default - no overrides: every pool gets the thresholds above */
  readonly pools?: readonly GpuPoolRuleOverride[];
}

/**
 * XIDs whose recovery action in NVIDIA's XID catalog is a GPU reset or a node reboot: 48 double-bit
 * ECC, 62 micro-controller halt, 64 row-remapper failure, 74 NVLink, 79 fallen off the bus, 95
 * uncontained ECC, 119/120 GSP timeout/error. Application faults (13, 31, 43) and contained ECC
 * (94) stay warnings.
 */
export const DEFAULT_FATAL_XIDS: readonly number[] = [48, 62, 64, 74, 79, 95, 119, 120];

/** Recorded GPU memory ratio per GPU, with the node's pool in `pool` when kube-state-metrics knows it. */
export const GPU_MEMORY_RATIO_RECORD = "gpu:dcgm_fb_used:ratio";

/** The leak warning's steady-growth check: memory grew in each half of this window. */
const LEAK_GROWTH_SECONDS = 3600;

/** A GPU node this young may still be starting its DCGM exporter (image pull, DCGM start). */
const NODE_STARTUP_GRACE_SECONDS = 600;

interface ResolvedPool {
  readonly name: string;
  readonly warning: number;
  readonly critical: number;
  readonly warningFor: string;
  readonly criticalFor: string;
  readonly memoryAlerts: boolean;
  readonly preallocated: boolean;
  readonly powerWatts?: number;
}

/**
 * Which GPU, with its pool and workload. The exporter sets pod/namespace only on the series of a
 * GPU that a pod holds; DcgmExporter's ServiceMonitor drops the exporter pod's own target labels,
 * so a series without `pod` is a GPU allocated to no pod.
 */
const GPU_WHERE =
  "GPU {{ $labels.gpu }} ({{ $labels.modelName }}) on {{ $labels.Hostname }}{{ with $labels.pool }} in pool {{ . }}{{ end }}" +
  "{{ with $labels.pod }}, used by {{ $labels.namespace }}/{{ . }}{{ else }}, allocated to no pod{{ end }}";

/**
 * DCGM names the node `Hostname` (the exporter reads NODE_NAME, which the chart sets from
 * spec.nodeName); Alertmanager's node-down inhibition matches on `node`, so every alert on DCGM
 * series copies it. A templated label, so the expressions stay as they are.
 */
const NODE_FROM_HOSTNAME: Readonly<Record<string, string>> = { node: "{{ $labels.Hostname }}" };

/**
 * GPU health and capacity rules from DCGM and kube-state-metrics, one group named "gpu". Per-pool
 * thresholds work on the recorded memory ratio, which carries the node's pool from
 * kube_node_labels; GPUs whose pool is unknown get the pack-wide thresholds, never none.
 */
export function gpuRuleGroups(
  scope: IConstruct | string,
  gpuPools: readonly { readonly poolName: string }[],
  options: GpuRuleOptions = {},
): RuleGroup[] {
  const warning = options.memoryWarningPercent ?? 80;
  const critical = options.memoryCriticalPercent ?? 95;
  const memoryFor = options.memoryFor ?? "5m";
  const exhausted = options.memoryExhaustedPercent ?? 98;
  const memoryWarningFor = options.memoryWarningFor ?? memoryFor;
  const memoryCriticalFor = options.memoryCriticalFor ?? "1m";
  const leakHorizonHours = options.leakHorizonHours ?? 24;
  const leakWindow = options.leakWindow ?? "6h";
  const leakFor = options.leakFor ?? "30m";
  const leakCriticalHorizonMinutes = options.leakCriticalHorizonMinutes ?? 60;
  const leakCriticalWindow = options.leakCriticalWindow ?? "10m";
  const leakCriticalFor = options.leakCriticalFor ?? "5m";
  const tempWarning = options.temperatureWarningCelsius ?? 85;
  const tempCritical = options.temperatureCriticalCelsius ?? 90;
  const temperatureFor = options.temperatureFor ?? "5m";
  const saturationPercent = options.saturationPercent ?? 90;
  const saturationFor = options.saturationFor ?? "30m";
  const powerFor = options.powerFor ?? "15m";
  const fatalXids = options.fatalXids ?? DEFAULT_FATAL_XIDS;
  const metricsMissingFor = options.metricsMissingFor ?? "5m";
  const allocatableFor = options.allocatableFor ?? "10m";

  checkPercent(scope, "gpu.memoryWarningPercent", warning);
  checkPercent(scope, "gpu.memoryCriticalPercent", critical);
  checkBelow(scope, "gpu.memoryWarningPercent", warning, "gpu.memoryCriticalPercent", critical);
  checkPercent(scope, "gpu.memoryExhaustedPercent", exhausted);
  checkPositive(scope, "gpu.leakHorizonHours", leakHorizonHours);
  checkWindow(scope, "gpu.leakWindow", leakWindow);
  checkPositive(scope, "gpu.leakCriticalHorizonMinutes", leakCriticalHorizonMinutes);
  const criticalWindowSeconds = checkWindow(scope, "gpu.leakCriticalWindow", leakCriticalWindow);
  if (checkWindow(scope, "gpu.leakCriticalFor", leakCriticalFor) >= leakCriticalHorizonMinutes * 60) {
    throw new PlatformConfigError(scope, "gpu.leakCriticalFor", leakCriticalFor, `must be shorter than gpu.leakCriticalHorizonMinutes (${num(leakCriticalHorizonMinutes)}m), or the page comes after the memory is gone`);
  }
  checkPositive(scope, "gpu.temperatureWarningCelsius", tempWarning);
  checkPositive(scope, "gpu.temperatureCriticalCelsius", tempCritical);
  checkBelow(scope, "gpu.temperatureWarningCelsius", tempWarning, "gpu.temperatureCriticalCelsius", tempCritical);
  checkPercent(scope, "gpu.saturationPercent", saturationPercent);
  for (const [prop, value] of Object.entries({ memoryFor, memoryWarningFor, memoryCriticalFor, leakFor, temperatureFor, saturationFor, powerFor, metricsMissingFor, allocatableFor })) {
    checkWindow(scope, `gpu.${prop}`, value);
  }
  fatalXids.forEach((xid, i) => {
    if (!Number.isInteger(xid) || xid <= 0) throw new PlatformConfigError(scope, `gpu.fatalXids[${i}]`, xid, "must be a positive integer XID code");
  });
  const pools = resolvePools(scope, gpuPools, options.pools ?? [], { warning, critical, warningFor: memoryWarningFor, criticalFor: memoryCriticalFor });

  const ratio = `(${D.fbUsed} / (${D.fbUsed} + ${D.fbFree}))`;
  const rules: Rule[] = [
    // The pool comes from the node's labels; `or ignoring (pool)` keeps GPUs whose node has no
    // pool label (or while kube-state-metrics is down), so memory alerts never go blind.
    recordingRule(
      GPU_MEMORY_RATIO_RECORD,
      `${ratio}\n* on (Hostname) group_left (${POOL_LABEL})\n${nodePools("Hostname", ANY_POOL)}\nor ignoring (${POOL_LABEL})\n${ratio}`,
    ),
    ...memoryPressure("warning", pools, { percent: warning, for: memoryWarningFor }, (p) => ({ percent: p.warning, for: p.warningFor })),
    ...memoryPressure("critical", pools, { percent: critical, for: memoryCriticalFor }, (p) => ({ percent: p.critical, for: p.criticalFor }), exhausted),
    leakPredicted(pools, { severity: "warning", window: leakWindow, horizonSeconds: leakHorizonHours * 3600, growthSeconds: LEAK_GROWTH_SECONDS, for: leakFor }),
    leakPredicted(pools, {
      severity: "critical",
      window: leakCriticalWindow,
      horizonSeconds: leakCriticalHorizonMinutes * 60,
      growthSeconds: criticalWindowSeconds,
      for: leakCriticalFor,
    }),
    ...xidAlerts(fatalXids),
    alertRule({
      alert: "GpuRowRemapFailure",
      expr: `${D.rowRemapFailure} > 0`,
      severity: "critical",
      labels: NODE_FROM_HOSTNAME,
      summary: "GPU memory row remapping failed: the GPU needs replacing.",
      description: `${GPU_WHERE}: row remapping failed (DCGM_FI_DEV_ROW_REMAP_FAILURE = {{ $value }}). Drain the node and replace the GPU.`,
    }),
    alertRule({
      alert: "GpuUncorrectableRowsRemapped",
      expr: `increase(${D.uncorrectableRemappedRows}[1h]) > 0`,
      severity: "warning",
      labels: NODE_FROM_HOSTNAME,
      summary: "GPU memory rows were remapped after uncorrectable ECC errors: a GPU reset is pending.",
      description: `${GPU_WHERE}: {{ printf "%.0f" $value }} rows remapped after uncorrectable errors in the last hour; the remapping takes effect at the next GPU reset. Drain the node and reset the GPU.`,
    }),
    ...[
      { severity: "warning" as const, celsius: tempWarning },
      { severity: "critical" as const, celsius: tempCritical },
    ].map(({ severity, celsius }) =>
      alertRule({
        alert: "GpuTemperatureHigh",
        expr: `${D.gpuTemp} > ${num(celsius)}`,
        for: temperatureFor,
        severity,
        labels: NODE_FROM_HOSTNAME,
        summary: `GPU temperature above ${num(celsius)} °C.`,
        description: `${GPU_WHERE}: {{ $value }} °C (threshold ${num(celsius)} °C); it throttles and may shut down when hotter.`,
      }),
    ),
    ...powerAlert(pools, powerFor),
    alertRule({
      alert: "GpuSaturated",
      // GR_ENGINE_ACTIVE is the accurate signal; GPU_UTIL only counts for GPUs without profiling
      // metrics, since it reads 100% whenever any kernel runs.
      expr: `avg_over_time(${D.grEngineActive}[5m]) > ${num(saturationPercent / 100)}\nor\n(avg_over_time(${D.gpuUtil}[5m]) / 100 > ${num(saturationPercent / 100)} unless ${D.grEngineActive})`,
      for: saturationFor,
      severity: "warning",
      labels: NODE_FROM_HOSTNAME,
      summary: `GPU busy above ${num(saturationPercent)}% for ${saturationFor}: the pool is at capacity.`,
      description: `${GPU_WHERE}: {{ $value | humanizePercentage }} busy; requests queue behind it. Add replicas or nodes to the pool.`,
    }),
    alertRule({
      alert: "GpuMetricsMissing",
      // absent() cannot name the node that went quiet: compare the GPU nodes kube-state-metrics
      // knows with the Hostnames DCGM reports instead. Only Ready nodes: a NotReady one has its own alert.
      expr:
        `(time() - max by (node) (kube_node_created) > ${NODE_STARTUP_GRACE_SECONDS})\n* on (node) group_left (${POOL_LABEL})\n${nodePools("node", ANY_POOL)}\n` +
        `and on (node) (kube_node_status_condition{condition="Ready", status="true"} == 1)\n` +
        `unless on (node)\nlabel_replace(max by (Hostname) (${D.gpuTemp}), "node", "$1", "Hostname", "(.+)")`,
      for: metricsMissingFor,
      severity: "warning",
      summary: "A Ready GPU node reports no DCGM metrics: its GPUs are unwatched.",
      description: `GPU node {{ $labels.node }} (pool {{ $labels.pool }}, up {{ $value | humanizeDuration }}) has no DCGM exporter metrics. Check the dcgm-exporter pod on it (tolerations, node selector, crash loop).`,
    }),
    alertRule({
      alert: "GpuNodePoolUnknown",
      expr: `max by (node) (kube_node_status_capacity{resource="nvidia_com_gpu"}) > 0\nunless on (node)\n${series("kube_node_labels", ANY_POOL)}`,
      for: "30m",
      severity: "warning",
      summary: "A GPU node has no pool label in kube-state-metrics: per-pool thresholds and the missing-metrics check skip it.",
      description: `Node {{ $labels.node }} has {{ $value }} GPUs but kube_node_labels shows no ${KSM_POOL_LABEL}. Label the node gpu-platform.io/pool, or start kube-state-metrics with --metric-labels-allowlist=nodes=[gpu-platform.io/pool].`,
    }),
    alertRule({
      alert: "GpuAllocatableBelowCapacity",
      // The device plugin withdraws GPUs it finds unhealthy (e.g. after an XID) from allocatable.
      expr: `max by (node) (kube_node_status_capacity{resource="nvidia_com_gpu"})\n- max by (node) (kube_node_status_allocatable{resource="nvidia_com_gpu"})\n> 0`,
      for: allocatableFor,
      severity: "warning",
      summary: "The device plugin marked GPUs of a node unhealthy: fewer GPUs can be scheduled.",
      description: `Node {{ $labels.node }} has {{ $value }} GPUs that are installed but not allocatable. Check the nvidia-device-plugin logs and the node's XID errors.`,
    }),
  ];
  return [{ name: "gpu", rules }];
}

function resolvePools(
  scope: IConstruct | string,
  gpuPools: readonly { readonly poolName: string }[],
  overrides: readonly GpuPoolRuleOverride[],
  defaults: { readonly warning: number; readonly critical: number; readonly warningFor: string; readonly criticalFor: string },
): ResolvedPool[] {
  const { warning, critical } = defaults;
  const known = gpuPools.map((p) => p.poolName);
  checkUnique(scope, "gpuPools[*].poolName", known);
  checkUnique(
    scope,
    "gpu.pools[*].poolName",
    overrides.map((o) => o.poolName),
  );
  overrides.forEach((o, i) => {
    const prop = `gpu.pools[${i}]`;
    if (!known.includes(o.poolName)) {
      throw new PlatformConfigError(scope, `${prop}.poolName`, o.poolName, `must name one of the GPU pools (${known.join(", ") || "none"})`);
    }
    const w = o.memoryWarningPercent ?? warning;
    const c = o.memoryCriticalPercent ?? critical;
    checkPercent(scope, `${prop}.memoryWarningPercent`, w);
    checkPercent(scope, `${prop}.memoryCriticalPercent`, c);
    checkBelow(scope, `${prop}.memoryWarningPercent`, w, `${prop}.memoryCriticalPercent`, c);
    if (o.preallocatedPercent !== undefined) {
      checkPercent(scope, `${prop}.preallocatedPercent`, o.preallocatedPercent);
      if (o.memoryAlerts !== false) {
        checkBelow(scope, `${prop}.preallocatedPercent`, o.preallocatedPercent, `${prop}.memoryWarningPercent`, w);
      }
    }
    if (o.powerWarningWatts !== undefined) checkPositive(scope, `${prop}.powerWarningWatts`, o.powerWarningWatts);
    if (o.memoryWarningFor !== undefined) checkWindow(scope, `${prop}.memoryWarningFor`, o.memoryWarningFor);
    if (o.memoryCriticalFor !== undefined) checkWindow(scope, `${prop}.memoryCriticalFor`, o.memoryCriticalFor);
  });
  return known.map((name) => {
    const o = overrides.find((x) => x.poolName === name);
    return {
      name,
      warning: o?.memoryWarningPercent ?? warning,
      critical: o?.memoryCriticalPercent ?? critical,
      warningFor: o?.memoryWarningFor ?? defaults.warningFor,
      criticalFor: o?.memoryCriticalFor ?? defaults.criticalFor,
      memoryAlerts: o?.memoryAlerts ?? true,
      preallocated: o?.preallocatedPercent !== undefined,
      powerWatts: o?.powerWarningWatts,
    };
  });
}

/** Pool names grouped by a threshold, in pool order; pools without a threshold are left out. */
function poolsByThreshold(pools: readonly ResolvedPool[], thresholdOf: (p: ResolvedPool) => number | undefined): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const pool of pools) {
    const t = thresholdOf(pool);
    if (t !== undefined) groups.set(t, [...(groups.get(t) ?? []), pool.name]);
  }
  return groups;
}

/**
 * The memory alert of one severity: one rule over every pool that keeps the pack's `for`, with a
 * clause per overridden threshold and a default clause for every other GPU (unlisted pools, no
 * pool label); and one rule per pool with its own `for` (`for` belongs to a rule), labelled with
 * its pool so the two never look like duplicates. With `exhaustedPercent` (the critical alert),
 * a clause below that level also needs steady growth.
 */
function memoryPressure(
  severity: Severity,
  pools: readonly ResolvedPool[],
  pack: { readonly percent: number; readonly for: string },
  ofPool: (p: ResolvedPool) => { readonly percent: number; readonly for: string },
  exhaustedPercent?: number,
): AlertRule[] {
  const clause = (selected: string, percent: number): string => {
    const above = `${selected} > ${num(percent / 100)}`;
    if (exhaustedPercent === undefined || percent >= exhaustedPercent) return above;
    return `${above}\nand (\n${selected} >= ${num(exhaustedPercent / 100)}\nor\n${steadyGrowth(selected, 600)}\n)`;
  };
  const alerting = pools.filter((p) => p.memoryAlerts);
  const ownFor = alerting.filter((p) => ofPool(p).for !== pack.for);
  const shared = alerting.filter((p) => ofPool(p).for === pack.for);
  const special = pools.filter((p) => !p.memoryAlerts || ownFor.includes(p) || ofPool(p).percent !== pack.percent).map((p) => p.name);
  const clauses = [clause(series(GPU_MEMORY_RATIO_RECORD, ...(special.length ? [noneOf(POOL_LABEL, special)] : [])), pack.percent)];
  const overridden = poolsByThreshold(shared, (p) => (ofPool(p).percent !== pack.percent ? ofPool(p).percent : undefined));
  for (const [percent, names] of overridden) {
    clauses.push(clause(series(GPU_MEMORY_RATIO_RECORD, oneOf(POOL_LABEL, names)), percent));
  }
  const rule = (expr: string, forDuration: string, labels: Readonly<Record<string, string>>): AlertRule =>
    alertRule({
      alert: "GpuMemoryPressure",
      // `and` binds tighter than `or`: each clause stays whole.
      expr,
      for: forDuration,
      severity,
      labels,
      summary: severity === "critical" ? "GPU memory nearly exhausted: the next allocation may fail with CUDA out of memory." : "GPU memory use is high.",
      description:
        severity === "critical" && exhaustedPercent !== undefined
          ? `${GPU_WHERE}: memory {{ $value | humanizePercentage }} full. Pages at ${num(exhaustedPercent)}% at once, and above the critical threshold only while still growing: a model server that preallocates near-full memory and stays flat gets the warning, not a page.`
          : `${GPU_WHERE}: memory {{ $value | humanizePercentage }} full.`,
    });
  return [
    rule(clauses.join("\nor\n"), pack.for, NODE_FROM_HOSTNAME),
    ...ownFor.map((p) =>
      rule(clause(series(GPU_MEMORY_RATIO_RECORD, { label: POOL_LABEL, op: "=", value: p.name }), ofPool(p).percent), ofPool(p).for, {
        ...NODE_FROM_HOSTNAME,
        [POOL_LABEL]: p.name,
      }),
    ),
  ];
}

/**
 * `expr` grew in each half of the last `seconds`: a leak does, the one-time step of a model
 * loading (or preallocating) at startup falls in one half only, so it never passes.
 */
function steadyGrowth(expr: string, seconds: number): string {
  const half = durationText(seconds / 2);
  return `(${expr} > ${expr} offset ${half}\nand\n${expr} offset ${half} > ${expr} offset ${durationText(seconds)})`;
}

interface LeakPrediction {
  readonly severity: Severity;
  /** Window of the linear fit. */
  readonly window: string;
  /** How far ahead the fit must exhaust memory. */
  readonly horizonSeconds: number;
  /** Memory must have grown in each half of this window. */
  readonly growthSeconds: number;
  readonly for: string;
}

/**
 * A leak, found while there is time to act. Two predictions of the same shape: the warning fits
 * hours of history and looks a day ahead (a slow leak, hours before exhaustion); the page fits the
 * last minutes and looks an hour ahead (a leak that exhausts memory soon, paged with about
 * `horizon - for` to spare). Both also need steady growth (memory grew in each half of a window),
 * so a past step such as a model load or a preallocation never counts, and both skip pools that
 * preallocate on purpose.
 */
function leakPredicted(pools: readonly ResolvedPool[], leak: LeakPrediction): AlertRule {
  const skipped = pools.filter((p) => p.preallocated || !p.memoryAlerts).map((p) => p.name);
  const parts = [`predict_linear(${D.fbUsed}[${leak.window}], ${num(leak.horizonSeconds)}) > (${D.fbUsed} + ${D.fbFree})`, steadyGrowth(D.fbUsed, leak.growthSeconds)];
  if (skipped.length) parts.push(`ignoring (${POOL_LABEL}) ${series(GPU_MEMORY_RATIO_RECORD, noneOf(POOL_LABEL, skipped))}`);
  // "24h" and "60m" read better in a page than "1d" and "1h".
  const horizon = leak.horizonSeconds % 3600 === 0 && leak.horizonSeconds > 3600 ? `${leak.horizonSeconds / 3600}h` : `${Math.round(leak.horizonSeconds / 60)}m`;
  return alertRule({
    alert: "GpuMemoryLeakPredicted",
    expr: parts.join("\nand "),
    for: leak.for,
    severity: leak.severity,
    labels: NODE_FROM_HOSTNAME,
    summary:
      leak.severity === "critical"
        ? `GPU memory is growing fast enough to run out within ${horizon}.`
        : `GPU memory has grown steadily and will run out within ${horizon} at this rate.`,
    description: `${GPU_WHERE}: predicted to need {{ printf "%.0f" $value }} MiB within ${horizon} at the growth of the last ${leak.window}, more than it has; memory is still growing. Look for a leak before the workload fails with CUDA out of memory.`,
  });
}

/** XID_ERRORS holds the last XID code, not a count: a new code is a change to a non-zero value. */
function xidAlerts(fatalXids: readonly number[]): AlertRule[] {
  const fatal = `(${fatalXids.map((x) => `${D.xidErrors} == ${x}`).join(" or ")})`;
  return [
    alertRule({
      alert: "GpuXidFatal",
      expr: fatal,
      severity: "critical",
      labels: NODE_FROM_HOSTNAME,
      summary: "GPU reported an XID error that needs a GPU reset or node reboot.",
      description: `${GPU_WHERE}: XID {{ $value }}. Drain the node, then reset the GPU or reboot the node.`,
    }),
    alertRule({
      alert: "GpuXidError",
      // Fires while a new code is within the window; a repeat of the same code is not visible in this gauge.
      expr: `(${D.xidErrors} != 0 and changes(${D.xidErrors}[5m]) > 0)\nunless ${fatal}`,
      severity: "warning",
      labels: NODE_FROM_HOSTNAME,
      summary: "GPU reported a new XID error.",
      description: `${GPU_WHERE}: XID {{ $value }}; most codes of this kind point at the application (13, 31: illegal memory access). Check the workload's logs.`,
    }),
  ];
}

function powerAlert(pools: readonly ResolvedPool[], forDuration: string): AlertRule[] {
  const byWatts = poolsByThreshold(pools, (p) => p.powerWatts);
  if (byWatts.size === 0) return [];
  const clauses = [...byWatts].map(
    ([watts, names]) => `${D.powerUsage}\n* on (Hostname) group_left (${POOL_LABEL}) ${nodePools("Hostname", oneOf(KSM_POOL_LABEL, names))}\n> ${num(watts)}`,
  );
  return [
    alertRule({
      alert: "GpuPowerHigh",
      expr: clauses.join("\nor\n"),
      for: forDuration,
      severity: "warning",
      labels: NODE_FROM_HOSTNAME,
      summary: "GPU power draw above the pool's threshold.",
      description: `${GPU_WHERE}: drawing {{ $value }} W; at its power limit the GPU throttles its clocks.`,
    }),
  ];
}
