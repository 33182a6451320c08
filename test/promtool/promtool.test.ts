import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { parse } from "yaml";
import { MonitoredService } from "../../lib/contracts/monitoring-catalog";
import { buildPlatformRules, HEARTBEAT_LABEL, isAlertRule, renderRuleFiles, RuleGroup } from "../../lib/monitoring/rules";
import { FASTAPI_CONTRACT, FIXTURE_OPTIONS, INFERENCE_SERVER, PIPELINE_CONTRACT, TRITON_CONTRACT, VLLM_CONTRACT } from "../monitoring/rules/fixtures";

/**
 * Renders the fixture's rules and runs promtool 2.42 on them: `check rules` on every file, and
 * `test rules` on the hand-written unit tests beside this file. It never skips: without promtool
 * it fails and says how to get it.
 */

const run = promisify(execFile);
const PROMTOOL = process.env.PROMTOOL ?? "promtool";
const UNIT_TESTS = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith(".test.yaml"))
  .sort();

interface AlertCase {
  readonly alertname: string;
  readonly exp_alerts?: readonly unknown[];
}
interface UnitTestFile {
  readonly rule_files: readonly string[];
  readonly tests: readonly { readonly name?: string; readonly interval?: string; readonly alert_rule_test?: readonly AlertCase[] }[];
}

function requirePromtool(): void {
  const probe = spawnSync(PROMTOOL, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `promtool is required and was not found as '${PROMTOOL}' (${probe.error?.message ?? probe.stderr}). ` +
        "Install the Debian package 'prometheus' (promtool 2.42) or set PROMTOOL to its path; scripts/test.sh installs it.",
    );
  }
}

async function promtool(cwd: string, ...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(PROMTOOL, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
    return stdout + stderr;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`promtool ${args.join(" ")} failed:\n${err.stdout ?? ""}${err.stderr ?? err.message}`);
  }
}

function writeRules(dir: string, groups: readonly RuleGroup[]): string[] {
  return renderRuleFiles(groups).map((file) => {
    fs.writeFileSync(path.join(dir, file.fileName), file.yaml);
    return file.fileName;
  });
}

function readUnitTests(): Map<string, UnitTestFile> {
  return new Map(UNIT_TESTS.map((f) => [f, parse(fs.readFileSync(path.join(__dirname, f), "utf8")) as UnitTestFile]));
}

describe("promtool on the rendered fixture rules", () => {
  let dir: string;
  let groups: RuleGroup[];
  let ruleFiles: string[];

  beforeAll(() => {
    requirePromtool();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "promtool-rules-"));
    groups = buildPlatformRules(FIXTURE_OPTIONS);
    ruleFiles = writeRules(dir, groups);
    for (const f of UNIT_TESTS) fs.copyFileSync(path.join(__dirname, f), path.join(dir, f));
  });

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("check rules accepts every file, with no duplicate-rule warning", async () => {
    // --lint-fatal: promtool 2.42 only prints its duplicate-rules lint unless told to fail on it.
    const output = await promtool(dir, "check", "rules", "--lint=all", "--lint-fatal", ...ruleFiles);
    for (const group of groups) expect(output).toContain(`SUCCESS: ${group.rules.length} rules found`);
    expect(output.match(/SUCCESS/g)).toHaveLength(ruleFiles.length);
  });

  test("test rules passes every unit test file", async () => {
    // One promtool per file, in parallel: the files are independent.
    const outputs = await Promise.all(UNIT_TESTS.map((f) => promtool(dir, "test", "rules", f)));
    for (const output of outputs) expect(output).toContain("SUCCESS");
  }, 60_000);

  test("every unit test file loads only rendered rule files and sets its interval", () => {
    for (const [file, unit] of readUnitTests()) {
      for (const rf of unit.rule_files) expect({ file, ruleFile: rf, rendered: ruleFiles.includes(rf) }).toEqual({ file, ruleFile: rf, rendered: true });
      // promtool 2.42 silently loads no data for a test without `interval`.
      for (const t of unit.tests) expect({ file, test: t.name, interval: typeof t.interval }).toEqual({ file, test: t.name, interval: "string" });
    }
  });

  test("every alert has a case where it fires and one where it stays silent", () => {
    const firing = new Set<string>();
    const silent = new Set<string>();
    for (const unit of readUnitTests().values()) {
      for (const t of unit.tests) {
        for (const c of t.alert_rule_test ?? []) (c.exp_alerts?.length ? firing : silent).add(c.alertname);
      }
    }
    const alerts = groups.flatMap((g) => g.rules.filter(isAlertRule));
    const names = [...new Set(alerts.map((a) => a.alert))];
    // An always-firing heartbeat has no silent case.
    const heartbeats = new Set(alerts.filter((a) => a.labels[HEARTBEAT_LABEL.name] === HEARTBEAT_LABEL.value).map((a) => a.alert));
    expect(names.filter((n) => !firing.has(n))).toEqual([]);
    expect(names.filter((n) => !silent.has(n) && !heartbeats.has(n))).toEqual([]);
    // And no test asserts on an alert that no longer exists.
    expect([...firing, ...silent].filter((n) => !names.includes(n))).toEqual([]);
  });
});

describe("promtool on the presets", () => {
  test("FastAPI, Triton, vLLM and prometheus_client pipeline services render rules that check rules accepts", async () => {
    requirePromtool();
    const services: MonitoredService[] = [
      { ...INFERENCE_SERVER, selector: { namespace: "web", service: "face-swap" }, deployment: "face-swap", contract: FASTAPI_CONTRACT },
      // Triton has no histogram: no latency SLO, availability only.
      { ...INFERENCE_SERVER, selector: { namespace: "llm", service: "triton" }, deployment: "triton", contract: TRITON_CONTRACT, slos: { availability: 0.999 } },
      { ...INFERENCE_SERVER, selector: { namespace: "llm", service: "vllm" }, deployment: "vllm", contract: VLLM_CONTRACT },
      { ...INFERENCE_SERVER, selector: { namespace: "avatar", service: "talking-head" }, deployment: "talking-head", contract: PIPELINE_CONTRACT },
    ];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "promtool-presets-"));
    try {
      const files = writeRules(dir, buildPlatformRules({ ...FIXTURE_OPTIONS, services }));
      const output = await promtool(dir, "check", "rules", "--lint=all", "--lint-fatal", ...files);
      expect(output.match(/SUCCESS/g)).toHaveLength(files.length);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
