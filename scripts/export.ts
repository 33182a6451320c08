/**
 * `npm run export -- --out DIR [--app MODULE]`: writes a cdktf app's Prometheus rule files
 * (DIR/rules/<group>.rules.yaml: GPU, inference, SLO, platform and, with long-term storage,
 * Thanos), Alertmanager configuration (DIR/alertmanager.yaml) and Grafana dashboards
 * (DIR/dashboards/<uid>.json, importable into any Grafana as they are: the datasource is named by
 * uid, no `__inputs` to fill), for promtool, amtool and review, through the library's
 * `exportMonitoringFiles`.
 * - Without --app: the default app, from the same configuration as `cdktf synth`
 *   (GPU_PLATFORM_CONFIG, GPU_PLATFORM_* variables).
 * - With --app: any cdktf app that uses the library, given as the JavaScript module `cdktf synth`
 *   runs (its `app` command, e.g. `dist/main.js`); the same as the package's `gpu-platform-export`.
 */
import { resolve } from "path";
import { Testing } from "cdktf";
import { exportAppMonitoringFiles, ExportedMonitoringFiles, exportMonitoringFiles } from "../lib/monitoring/export-monitoring-files";
import { buildApp } from "../stacks/app";
import { runCli } from "../stacks/cli";
import { loadConfig } from "../stacks/config";

export type { ExportedMonitoringFiles } from "../lib/monitoring/export-monitoring-files";

/** Builds the default app in memory (nothing synthesized to disk) and writes its monitoring config. */
export function exportMonitoring(outDir: string, env: Readonly<Record<string, string | undefined>> = process.env): ExportedMonitoringFiles {
  const { app } = buildApp(loadConfig(env), Testing.app());
  return exportMonitoringFiles(app, outDir);
}

/** Exports the monitoring files of the app module at `modulePath` (any cdktf app using the library). */
export function exportAppMonitoring(modulePath: string, outDir: string): ExportedMonitoringFiles {
  return exportAppMonitoringFiles(modulePath, outDir);
}

function option(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function main(argv: string[]): void {
  const out = option(argv, "--out");
  const app = option(argv, "--app");
  if (!out) {
    console.error("usage: npm run export -- --out DIR [--app MODULE]");
    process.exit(2);
  }
  runCli(() => {
    const files = app ? exportAppMonitoring(app, resolve(out)) : exportMonitoring(resolve(out));
    console.log(`wrote ${files.ruleFiles.length} rule files, alertmanager.yaml and ${files.dashboardFiles.length} dashboards to ${out}`);
  });
}

if (require.main === module) main(process.argv.slice(2));
