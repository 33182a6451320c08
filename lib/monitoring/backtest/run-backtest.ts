import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { parsePrometheusDuration } from "../../core/validate";
import { toYaml } from "../../core/yaml";
import { renderRuleFiles } from "../rules/render-rule-files";
import { RuleGroup } from "../rules/rule-types";
import { Expectation, ExpectedSeverity, Scenario } from "./scenario";
import { InputSeries, Sample, scenarioSeries, ServicePlacement, Trace } from "./series";

/**
 * Replays scenarios through rule files with `promtool test rules`. Each scenario is one test of a
 * unit-test file (its own storage), and many share one promtool run. promtool writes the `ALERTS`
 * series of every evaluation into the test's storage, so one PromQL query at the end of the trace
 * reads when each alert first fired:
 *   min by (alertname, severity) (min_over_time(timestamp(ALERTS{alertstate="firing"})[<range>:<eval>]))
 * The test expects no samples, so promtool prints the samples it got: that output is parsed, each
 * sample labelled with its scenario. A sentinel query per scenario proves the scenario ran, so a
 * silent scenario is told apart from one promtool skipped.
 */

export interface RuleSet {
  /** Shown in the report ("platform", "naive"). */
  readonly name: string;
  readonly groups: readonly RuleGroup[];
}

export interface BacktestOptions {
  readonly scenarios: readonly Scenario[];
  readonly ruleSets: readonly RuleSet[];
  readonly placement: ServicePlacement;
  /** The scrape and (global) evaluation interval of the app. @default "15s" */
  readonly scrapeInterval?: string;
  /** @default "promtool" on PATH, or $PROMTOOL */
  readonly promtool?: string;
  /** promtool processes at once. @default - the number of CPUs */
  readonly parallelism?: number;
  /** Scenarios per promtool run. @default - spread evenly over `parallelism` runs per rule set */
  readonly batchSize?: number;
}

/** When one alert (name and severity) first fired. */
export interface FiredAlert {
  readonly alertname: string;
  readonly severity: string;
  /** Seconds from the onset to the first firing after it, worst evaluation phase included. */
  readonly afterOnsetSeconds?: number;
  /** True when it also fired before the onset (on healthy data). */
  readonly firedBeforeOnset: boolean;
}

export interface ExpectationResult {
  readonly expectation: Expectation;
  readonly passed: boolean;
  /** What was measured, in words ("critical GpuXidFatal at 0m30s (budget 2m)"). */
  readonly detail: string;
  /** Detection time or lead time in seconds, when something fired. */
  readonly measuredSeconds?: number;
}

export interface ScenarioResult {
  readonly scenario: Scenario;
  readonly ruleSet: string;
  readonly fired: readonly FiredAlert[];
  readonly expectations: readonly ExpectationResult[];
  readonly passed: boolean;
}

export interface BacktestReport {
  readonly results: readonly ScenarioResult[];
  readonly wallSeconds: number;
}

const SCENARIO_LABEL = "backtest_scenario";
const WINDOW_LABEL = "backtest_window";

/** Runs every scenario against every rule set. Throws when promtool fails for any other reason than the expected output. */
export async function runBacktest(options: BacktestOptions): Promise<BacktestReport> {
  const started = Date.now();
  const scrapeInterval = options.scrapeInterval ?? "15s";
  const scrapeSeconds = parsePrometheusDuration("backtest", "scrapeInterval", scrapeInterval);
  const parallelism = Math.max(1, options.parallelism ?? os.cpus().length);
  const promtool = options.promtool ?? process.env.PROMTOOL ?? "promtool";
  const traces = options.scenarios.map((s) => traceOf(s, scrapeSeconds));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "backtest-"));
  try {
    // Series once per scenario, shared by the rule sets.
    const inputs = options.scenarios.map((s, i) => renderInputSeries(scenarioSeries(s, traces[i], options.placement, (prop, v) => parsePrometheusDuration(`scenario '${s.name}'`, prop, v))));
    // Run time grows with trace length: longest first onto the least loaded of `parallelism`
    // files per rule set, so the promtool runs finish together.
    const bins = options.batchSize
      ? chunks(range(0, options.scenarios.length), options.batchSize)
      : balance(traces.map((t) => t.durationSeconds), parallelism);
    const jobs: { readonly ruleSet: RuleSet; readonly file: string; readonly indices: number[] }[] = [];
    for (const ruleSet of options.ruleSets) {
      const setDir = path.join(dir, ruleSet.name);
      fs.mkdirSync(setDir);
      const ruleFiles = renderRuleFiles(ruleSet.groups).map((f) => {
        fs.writeFileSync(path.join(setDir, f.fileName), f.yaml);
        return f.fileName;
      });
      bins.forEach((indices, b) => {
        const file = path.join(setDir, `scenarios-${b}.test.yaml`);
        fs.writeFileSync(file, unitTestFile(ruleFiles, scrapeInterval, indices.map((i) => ({ index: i, trace: traces[i], series: inputs[i], name: options.scenarios[i].name }))));
        jobs.push({ ruleSet, file, indices });
      });
    }
    const outputs = await mapLimit(jobs, parallelism, (job) => runPromtool(promtool, job.file));
    const results: ScenarioResult[] = [];
    for (const ruleSet of options.ruleSets) {
      const byScenario = new Map<number, ScenarioResult>();
      jobs.forEach((job, j) => {
        if (job.ruleSet !== ruleSet) return;
        const samples = parseGot(outputs[j]);
        for (const i of job.indices) {
          const mine = samples.filter((s) => s.labels[SCENARIO_LABEL] === String(i));
          if (!mine.some((s) => s.labels[WINDOW_LABEL] === "sentinel")) {
            throw new Error(`promtool did not evaluate scenario '${options.scenarios[i].name}' (rule set ${ruleSet.name}); its output:\n${outputs[j].slice(0, 4000)}`);
          }
          byScenario.set(i, judge(options.scenarios[i], traces[i], ruleSet.name, mine, scrapeSeconds));
        }
      });
      // In the suite's order, whichever file a scenario ran in.
      results.push(...range(0, options.scenarios.length).map((i) => byScenario.get(i)!));
    }
    return { results, wallSeconds: (Date.now() - started) / 1000 };
  } finally {
    if (process.env.BACKTEST_KEEP) console.error(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

function traceOf(s: Scenario, scrapeSeconds: number): Trace {
  const where = `scenario '${s.name}'`;
  return {
    scrapeSeconds,
    onsetSeconds: parsePrometheusDuration(where, "onset", s.onset),
    durationSeconds: parsePrometheusDuration(where, "duration", s.duration),
  };
}

interface RenderedSeries {
  readonly series: string;
  readonly values: string;
}

function renderInputSeries(series: readonly InputSeries[]): RenderedSeries[] {
  return series.map((s) => ({
    series: `${s.metric}{${Object.entries(s.labels)
      .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`)
      .join(", ")}}`,
    values: compressSamples(s.samples),
  }));
}

/** promtool's expanding notation: runs of a constant step as `a+bxn`, missing samples as `_`. */
export function compressSamples(samples: readonly Sample[]): string {
  let end = samples.length;
  while (end > 0 && samples[end - 1] === undefined) end--;
  const out: string[] = [];
  let i = 0;
  while (i < end) {
    const v = samples[i];
    if (v === undefined || v === "stale") {
      let j = i;
      while (j < end && samples[j] === v) j++;
      out.push(v === "stale" ? Array(j - i).fill("stale").join(" ") : `_x${j - i}`);
      i = j;
      continue;
    }
    let j = i + 1;
    const step = typeof samples[j] === "number" ? (samples[j] as number) - v : NaN;
    while (j < end && typeof samples[j] === "number" && Math.abs((samples[j] as number) - (samples[j - 1] as number) - step) <= 1e-9 * Math.max(1, Math.abs(samples[j] as number))) j++;
    const n = j - i - 1;
    if (n === 0) out.push(formatNumber(v));
    else out.push(`${formatNumber(v)}${step < 0 ? "-" : "+"}${formatNumber(Math.abs(step))}x${n}`);
    i = j;
  }
  return out.join(" ");
}

function formatNumber(v: number): string {
  const s = String(Number(v.toPrecision(12)));
  return s.includes("e") ? v.toFixed(12).replace(/\.?0+$/, "") : s;
}

interface ScenarioInput {
  readonly index: number;
  readonly name: string;
  readonly trace: Trace;
  readonly series: readonly RenderedSeries[];
}

function unitTestFile(ruleFiles: readonly string[], interval: string, scenarios: readonly ScenarioInput[]): string {
  const firstFiring = (rangeSeconds: number) =>
    `min by (alertname, severity) (min_over_time(timestamp(ALERTS{alertstate="firing"})[${rangeSeconds}s:${interval}]))`;
  const tag = (expr: string, index: number, window: string) =>
    `label_replace(label_replace(${expr}, "${SCENARIO_LABEL}", "${index}", "", ""), "${WINDOW_LABEL}", "${window}", "", "")`;
  return toYaml({
    rule_files: ruleFiles,
    evaluation_interval: interval,
    tests: scenarios.map(({ index, name, trace, series }) => ({
      name,
      interval,
      input_series: series,
      promql_expr_test: [
        { expr: tag(firstFiring(trace.durationSeconds), index, "all"), eval_time: `${trace.durationSeconds}s`, exp_samples: [] },
        { expr: tag(firstFiring(trace.durationSeconds - trace.onsetSeconds), index, "after"), eval_time: `${trace.durationSeconds}s`, exp_samples: [] },
        { expr: tag("vector(1)", index, "sentinel"), eval_time: `${trace.durationSeconds}s`, exp_samples: [] },
      ],
    })),
  });
}

const execFileAsync = promisify(execFile);

/** promtool exits non-zero by design here (every query "fails"); its output is what counts. */
async function runPromtool(promtool: string, file: string): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(promtool, ["test", "rules", path.basename(file)], { cwd: path.dirname(file), maxBuffer: 64 * 1024 * 1024 });
    return stdout + stderr;
  } catch (e) {
    const err = e as { code?: string | number; stdout?: string; stderr?: string; message: string };
    if (err.code === "ENOENT") throw new Error(`promtool not found as '${promtool}': install the Debian package 'prometheus' or set PROMTOOL`);
    return (err.stdout ?? "") + (err.stderr ?? "");
  }
}

interface GotSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The samples of every `got:` line of promtool's failure report. */
export function parseGot(output: string): GotSample[] {
  const samples: GotSample[] = [];
  for (const line of output.split("\n")) {
    const got = /^\s*got:\s*(.*)$/.exec(line);
    if (!got) continue;
    for (const m of got[1].matchAll(/\{([^}]*)\}\s+([-+0-9.eE]+|NaN|[+-]?Inf)/g)) {
      const labels: Record<string, string> = {};
      for (const l of m[1].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
      samples.push({ labels, value: Number(m[2]) });
    }
  }
  return samples;
}

const RANK: Readonly<Record<string, number>> = { warning: 1, critical: 2 };

function atLeast(severity: string, expected: ExpectedSeverity): boolean {
  return (RANK[severity] ?? 0) >= RANK[expected];
}

function judge(scenario: Scenario, trace: Trace, ruleSet: string, samples: readonly GotSample[], evalSeconds: number): ScenarioResult {
  const key = (s: GotSample) => `${s.labels.alertname}\u0000${s.labels.severity ?? ""}`;
  const all = new Map(samples.filter((s) => s.labels[WINDOW_LABEL] === "all").map((s) => [key(s), s]));
  const after = new Map(samples.filter((s) => s.labels[WINDOW_LABEL] === "after").map((s) => [key(s), s]));
  const fired: FiredAlert[] = [...all.values()]
    .filter((s) => s.labels.severity === "warning" || s.labels.severity === "critical")
    .map((s) => {
      const a = after.get(key(s));
      return {
        alertname: s.labels.alertname,
        severity: s.labels.severity,
        afterOnsetSeconds: a ? a.value - trace.onsetSeconds + evalSeconds : undefined,
        firedBeforeOnset: s.value <= trace.onsetSeconds,
      };
    })
    .sort((x, y) => (x.afterOnsetSeconds ?? Infinity) - (y.afterOnsetSeconds ?? Infinity) || x.alertname.localeCompare(y.alertname));
  const where = `scenario '${scenario.name}'`;
  const expectations = scenario.expect.map((e, i): ExpectationResult => {
    // An alert already firing on the healthy data before the onset detects nothing.
    const first = fired.find((f) => atLeast(f.severity, e.severity) && f.afterOnsetSeconds !== undefined && !f.firedBeforeOnset);
    const what = first ? `${first.severity} ${first.alertname} at +${formatSeconds(first.afterOnsetSeconds!)}` : `no ${e.severity === "warning" ? "warning or critical" : "critical"} alert`;
    switch (e.kind) {
      case "fires": {
        const budget = parsePrometheusDuration(where, `expect[${i}].within`, e.within);
        const passed = first !== undefined && first.afterOnsetSeconds! <= budget;
        return { expectation: e, passed, detail: `${what} (budget ${e.within})`, measuredSeconds: first?.afterOnsetSeconds };
      }
      case "quiet": {
        const noisy = fired.filter((f) => atLeast(f.severity, e.severity));
        return {
          expectation: e,
          passed: noisy.length === 0,
          detail: noisy.length === 0 ? `quiet at ${e.severity}` : `${noisy.map((f) => `${f.severity} ${f.alertname}`).join(", ")} fired`,
        };
      }
      case "leadTime": {
        const limit = parsePrometheusDuration(where, `expect[${i}].limitAt`, e.limitAt);
        const minimum = parsePrometheusDuration(where, `expect[${i}].atLeast`, e.atLeast);
        const lead = first ? limit - (trace.onsetSeconds + first.afterOnsetSeconds!) : undefined;
        return {
          expectation: e,
          passed: lead !== undefined && lead >= minimum,
          detail: lead !== undefined ? `${what}, ${formatSeconds(lead)} before the limit (needs ${e.atLeast})` : `${what} before the limit (needs ${e.atLeast})`,
          measuredSeconds: lead,
        };
      }
    }
  });
  return { scenario, ruleSet, fired, expectations, passed: expectations.every((e) => e.passed) };
}

/** "2m15s", "1h05m", "-3m00s". */
export function formatSeconds(seconds: number): string {
  const sign = seconds < 0 ? "-" : "";
  const s = Math.round(Math.abs(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${sign}${h}h${String(m).padStart(2, "0")}m`;
  return `${sign}${m}m${String(r).padStart(2, "0")}s`;
}

/** Indices of `weights` in `bins` groups of about equal total weight (longest processing time first). */
function balance(weights: readonly number[], bins: number): number[][] {
  const groups = Array.from({ length: Math.min(bins, weights.length) }, () => ({ total: 0, indices: [] as number[] }));
  for (const i of range(0, weights.length).sort((a, b) => weights[b] - weights[a])) {
    const lightest = groups.reduce((min, g) => (g.total < min.total ? g : min));
    lightest.total += weights[i];
    lightest.indices.push(i);
  }
  return groups.map((g) => g.indices.sort((a, b) => a - b));
}

function chunks(items: readonly number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
