import { execFileSync } from "child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse } from "yaml";
import { exportCli } from "../../lib/monitoring/export-cli";
import { exportMonitoringFiles } from "../../lib/monitoring/export-monitoring-files";
import { clusterStack } from "../support/fixtures";

/** The export of a library user's own app: the documented call and the CLI over its app module. */
const APP_MODULE = join(__dirname, "../support/library-user-app.ts");
/** The app's outdir (not imported: importing the module would run, and synthesize, the app). */
const APP_OUTDIR = join(tmpdir(), "library-user-app.out");

describe("gpu-platform-export over a library user's app", () => {
  rmSync(APP_OUTDIR, { recursive: true, force: true });
  const out = mkdtempSync(join(tmpdir(), "export-app-"));
  const lines: string[] = [];
  const code = exportCli(["--app", APP_MODULE, "--out", out], (l) => lines.push(l), (l) => lines.push(l));

  test("writes the app's own rule groups and Alertmanager config, and synthesizes nothing", () => {
    expect({ code, lines }).toEqual({ code: 0, lines: [`wrote 3 rule files, alertmanager.yaml and 0 dashboards to ${out}`] });
    expect(readdirSync(join(out, "rules")).sort()).toEqual(["gpu.rules.yaml", "inference-vision-phone-detector.rules.yaml", "platform.rules.yaml"]);
    const group = parse(readFileSync(join(out, "rules/inference-vision-phone-detector.rules.yaml"), "utf8")).groups[0];
    expect(group.rules.map((r: { alert?: string }) => r.alert)).toContain("InferenceMetricAboveThreshold");
    expect(parse(readFileSync(join(out, "alertmanager.yaml"), "utf8")).route.receiver).toBeDefined();
    expect(existsSync(join(APP_OUTDIR, "manifest.json"))).toBe(false);
  });

  test("promtool and amtool accept the files", () => {
    const rules = readdirSync(join(out, "rules")).map((f) => join(out, "rules", f));
    expect(execFileSync("promtool", ["check", "rules", ...rules], { encoding: "utf8" }).match(/SUCCESS/g)).toHaveLength(3);
    expect(execFileSync("amtool", ["check-config", join(out, "alertmanager.yaml")], { encoding: "utf8" })).toMatch(/SUCCESS/);
  });

  test("a module that builds no app, and missing options, are one line each", () => {
    const errors: string[] = [];
    expect(exportCli(["--app", join(__dirname, "../support/synth.ts"), "--out", out], () => undefined, (l) => errors.push(l))).toBe(1);
    expect(errors).toEqual([
      `error: export: '--app' must be the module \`cdktf synth\` runs, calling app.synth() on one App with the same cdktf package as this library (it called it on none), got ${JSON.stringify(join(__dirname, "../support/synth.ts"))}`,
    ]);
    expect(exportCli(["--out", out], () => undefined, () => undefined)).toBe(2);
  });

  test("exportMonitoringFiles on a scope without a MonitoringStack says so", () => {
    expect(() => exportMonitoringFiles(clusterStack(), out)).toThrow("test: 'scope' must hold a MonitoringStack: there is nothing to export, got []");
  });
});
