import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MonitoredService } from "../../lib/contracts/monitoring-catalog";
import { contractMetricNames } from "../../lib/contracts/metric-contract";
import { DEFAULT_SCENARIOS } from "../../lib/monitoring/backtest/default-scenarios";
import { formatReport, tally } from "../../lib/monitoring/backtest/report";
import { compressSamples, parseGot, ScenarioResult } from "../../lib/monitoring/backtest/run-backtest";
import { scenarioSeries } from "../../lib/monitoring/backtest/series";
import { loadScenarioFile } from "../../lib/monitoring/backtest/scenario-file";
import { parsePrometheusDuration } from "../../lib/core/validate";
import { DCGM_METRICS } from "../../lib/monitoring/rules/dcgm-metrics";
import { backtestDefaultApp, DefaultAppBacktest } from "../../scripts/backtest";
import { FASTAPI_CONTRACT, INFERENCE_SERVER, TRITON_CONTRACT } from "../monitoring/rules/fixtures";

/**
 * `npm run backtest` inside `npm test`: the default suite (the detection budget table) replayed by
 * promtool through the default app's rules must meet every expectation; the naive rule set runs
 * through the same scenarios and must miss the rows it cannot see.
 */

const USER_FILE = path.join(__dirname, "fixtures", "user.scenarios.yaml");

describe("the default app's rules against the detection budgets", () => {
  let run: DefaultAppBacktest;
  const result = (ruleSet: string, name: string): ScenarioResult => {
    const found = run.report.results.find((r) => r.ruleSet === ruleSet && r.scenario.name === name);
    if (!found) throw new Error(`no result for ${ruleSet} / ${name}`);
    return found;
  };

  beforeAll(async () => {
    run = await backtestDefaultApp(loadScenarioFile(USER_FILE));
    // The report is the feature: show it in the test log.
    console.log(formatReport(run.report));
    // About 60 CPU-seconds of promtool: generous for a machine shared with other suites.
  }, 300_000);

  test("every scenario of the default suite and the user's file meets its expectation", () => {
    expect(run.failed).toEqual([]);
    expect(run.report.results.filter((r) => r.ruleSet === "platform").map((r) => r.scenario.name)).toEqual([
      ...DEFAULT_SCENARIOS.map((s) => s.name),
      "KV cache fills during a traffic spike",
    ]);
  });

  test("each row is met by the alert meant for it, within its budget", () => {
    const first = (name: string) => {
      const e = result("platform", name).expectations[0];
      return { passed: e.passed, detail: e.detail.replace(/ at .*/, "") };
    };
    expect(first("GPU memory jumps to 99% and stays")).toEqual({ passed: true, detail: "critical GpuMemoryPressure" });
    expect(first("GPU memory leaks fast (exhaustion within about half an hour)")).toEqual({ passed: true, detail: "critical GpuMemoryLeakPredicted" });
    expect(first("20% of requests fail, sustained")).toEqual({ passed: true, detail: "critical InferenceErrorRatioHigh" });
    expect(first("P95 latency rises several-fold at normal traffic")).toEqual({ passed: true, detail: "critical InferenceSlowUnderLoad" });
    expect(first("a model server's scrape target goes down")).toEqual({ passed: true, detail: "warning InferenceTargetDown" });
    expect(first("XID error needing a reset")).toEqual({ passed: true, detail: "critical GpuXidFatal" });
    expect(first("traffic drops to zero while replicas are up")).toEqual({ passed: true, detail: "warning InferenceTrafficStopped" });
    expect(first("DCGM exporter dies on a GPU node")).toEqual({ passed: true, detail: "warning GpuMetricsMissing" });
    // The preallocating server warns (flat at 93%) but never pages.
    const prealloc = result("platform", "a model server preallocates about 90% of GPU memory and stays flat");
    expect(prealloc.fired.map((f) => `${f.alertname}/${f.severity}`)).toEqual(["GpuMemoryPressure/warning"]);
  });

  test("the naive rules miss what they cannot see and page on what they should not", () => {
    const missed = (name: string) => !result("naive", name).passed;
    expect(missed("XID error needing a reset")).toBe(true);
    expect(missed("DCGM exporter dies on a GPU node")).toBe(true);
    expect(missed("GPU memory leaks fast (exhaustion within about half an hour)")).toBe(true);
    expect(result("naive", "a 90-second burst of errors, then healthy").expectations[0].detail).toBe("critical ErrorRateHigh fired");
    expect(missed("GPU memory jumps to 99% and stays")).toBe(false);
    expect(tally(run.report)).toMatch(/total met\s+15\/15\s+\d+\/15/);
  });
});

describe("scenario files", () => {
  const write = (name: string, text: string): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scenarios-"));
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const scenario = (fields: string) => `scenarios:\n  - name: broken\n    duration: 1h\n    onset: 30m\n${fields}`;
  const fires = "    expect:\n      - { kind: fires, severity: warning, within: 5m }\n";

  test("a user's file loads into typed scenarios", () => {
    expect(loadScenarioFile(USER_FILE)).toEqual([
      {
        name: "KV cache fills during a traffic spike",
        duration: "50m",
        onset: "20m",
        signals: {
          requestRate: [{ at: "20m", value: 15 }],
          gpuMemoryUsed: [
            { at: "20m", value: 0.62 },
            { at: "50m", value: 1, ramp: true },
          ],
        },
        expect: [{ kind: "leadTime", severity: "critical", limitAt: "50m", atLeast: "10m" }],
      },
    ]);
  });

  test("an unknown metric role names the file, the scenario and the field", () => {
    const file = write("roles.yaml", scenario(`    signals:\n      gpuMemory: 0.5\n${fires}`));
    expect(() => loadScenarioFile(file)).toThrow(
      "roles.yaml: scenario 'broken': 'signals.gpuMemory' must be one of the metric roles (requestRate, errorRatio, latencyMedian, latencyP95, podsUp, replicasAvailable, queueDepth, gpuMemoryUsed, gpuTemperature, gpuXid, dcgmExporterUp), got \"gpuMemory\"",
    );
  });

  test("a budget that is not a duration", () => {
    const file = write("budget.yaml", scenario("    signals: {}\n    expect:\n      - { kind: fires, severity: critical, within: five minutes }\n"));
    expect(() => loadScenarioFile(file)).toThrow(
      "budget.yaml: scenario 'broken': 'expect[0].within' must be a Prometheus duration such as 30s, 5m, 1h or 1h30m, got \"five minutes\"",
    );
  });

  test("an expectation of an unknown kind", () => {
    const file = write("kind.yaml", scenario("    signals: {}\n    expect:\n      - { kind: pages, severity: critical }\n"));
    expect(() => loadScenarioFile(file)).toThrow("kind.yaml: scenario 'broken': 'expect[0].kind' must be one of fires, quiet, leadTime, got \"pages\"");
  });

  test("an onset after the end of the trace", () => {
    const file = write("onset.yaml", `scenarios:\n  - name: late\n    duration: 1h\n    onset: 2h\n    signals: {}\n${fires}`);
    expect(() => loadScenarioFile(file)).toThrow("onset.yaml: scenario 'late': 'onset' must lie within the trace (duration 1h), got \"2h\"");
  });

  test("a file without a scenarios list", () => {
    const file = write("empty.yaml", "name: x\n");
    expect(() => loadScenarioFile(file)).toThrow("empty.yaml: 'scenarios' must be a list of scenarios under the top-level key 'scenarios', got undefined");
  });
});

describe("series and promtool plumbing", () => {
  const parse = (prop: string, v: string) => parsePrometheusDuration("test", prop, v);
  const trace = { scrapeSeconds: 15, onsetSeconds: 600, durationSeconds: 1200 };

  test("series follow the service's own metric contract: FastAPI instrumentator names, Triton's separate counters", () => {
    const s = DEFAULT_SCENARIOS[4];
    for (const contract of [FASTAPI_CONTRACT, TRITON_CONTRACT]) {
      const service: MonitoredService = { ...INFERENCE_SERVER, contract };
      const names = new Set(scenarioSeries(s, trace, { service, poolName: "g5-ondemand" }, parse).map((x) => x.metric));
      for (const name of contractMetricNames(contract)) expect({ name, present: names.has(name) }).toEqual({ name, present: true });
      expect(names.has("inference_requests_total")).toBe(false);
      expect(names.has(DCGM_METRICS.fbUsed)).toBe(true);
    }
  });

  test("the fault shows from the first scrape after the onset, and a dead target goes stale once", () => {
    const s = { name: "t", duration: "20m", onset: "10m", signals: { podsUp: [{ at: "10m", value: 2 }] }, expect: [] };
    const up = scenarioSeries(s, trace, { service: INFERENCE_SERVER, poolName: "g5-ondemand" }, parse).filter((x) => x.metric === "up");
    // Sample 40 is at 10m, sample 41 at 10m15s: the first to show the fault.
    expect(up[2].samples.slice(39, 43)).toEqual([1, 1, 0, 0]);
    const queue = scenarioSeries(s, trace, { service: INFERENCE_SERVER, poolName: "g5-ondemand" }, parse).filter((x) => x.metric === "inference_queue_depth");
    expect(queue[2].samples.slice(39, 44)).toEqual([1, 1, "stale", undefined, undefined]);
  });

  test("samples compress into promtool's expanding notation", () => {
    expect(compressSamples([0, 1.5, 3, 4.5, 7, 7, 7, "stale", undefined, undefined, 2, undefined])).toBe("0+1.5x3 7+0x2 stale _x2 2");
    expect(compressSamples([10, 8, 6])).toBe("10-2x2");
  });

  test("promtool's failure report parses into labelled samples", () => {
    const output = [
      '    expr: "label_replace(...)", time: 1h,',
      "        exp: nil",
      '        got: {alertname="A", backtest_scenario="3", severity="critical"} 3.75E+02, {alertname="B", backtest_scenario="3", severity="warning"} 2.25E+02',
    ].join("\n");
    expect(parseGot(output)).toEqual([
      { labels: { alertname: "A", backtest_scenario: "3", severity: "critical" }, value: 375 },
      { labels: { alertname: "B", backtest_scenario: "3", severity: "warning" }, value: 225 },
    ]);
  });
});
