#!/usr/bin/env node
/**
 * `gpu-platform-export --app dist/main.js --out monitoring/`: the monitoring files (rules,
 * Alertmanager configuration, dashboards) of any cdktf app that uses this library, for promtool, amtool
 * and review. `--app` is the module your cdktf.json's `app` command runs.
 */
import { resolve } from "path";
import { PlatformConfigError } from "../core/errors";
import { exportAppMonitoringFiles } from "./export-monitoring-files";

export function exportCli(argv: readonly string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): number {
  const option = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const app = option("--app");
  const dir = option("--out");
  if (!app || !dir) {
    err("usage: gpu-platform-export --app <module cdktf synth runs, e.g. dist/main.js> --out <directory>");
    return 2;
  }
  try {
    const files = exportAppMonitoringFiles(app, resolve(dir));
    out(`wrote ${files.ruleFiles.length} rule files, alertmanager.yaml and ${files.dashboardFiles.length} dashboards to ${dir}`);
    return 0;
  } catch (e) {
    err(`error: ${e instanceof PlatformConfigError || e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    return 1;
  }
}

if (require.main === module) process.exitCode = exportCli(process.argv.slice(2));
