/**
 * `npm run export -- --out DIR`: writes the default app's Prometheus rules (GPU, inference, SLO,
 * platform and, with long-term storage, Thanos) as plain rule
 * files (DIR/rules/<group>.rules.yaml) and its Alertmanager configuration
 * (DIR/alertmanager.yaml), for promtool, amtool and review, and its Grafana dashboards
 * (DIR/dashboards/<uid>.json, importable into any Grafana as they are: the datasource is named by
 * uid, no `__inputs` to fill). Reads the same configuration as
 * `cdktf synth` (GPU_PLATFORM_CONFIG, GPU_PLATFORM_* variables).
 */
import { mkdirSync, rmSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import { Testing } from "cdktf";
import { renderRuleFiles } from "../lib/monitoring/rules/render-rule-files";
import { buildApp } from "../stacks/app";
import { loadConfig } from "../stacks/config";

export interface ExportedFiles {
  readonly ruleFiles: string[];
  readonly alertmanagerFile: string;
  readonly dashboardFiles: string[];
}

/** Builds the default app in memory (nothing synthesized to disk) and writes its monitoring config. */
export function exportMonitoring(outDir: string, env: Readonly<Record<string, string | undefined>> = process.env): ExportedFiles {
  const { platform } = buildApp(loadConfig(env), Testing.app());
  const rulesDir = join(outDir, "rules");
  rmSync(rulesDir, { recursive: true, force: true });
  mkdirSync(rulesDir, { recursive: true });
  const files = renderRuleFiles(platform.monitoring.ruleGroups());
  const written = files.map((f) => {
    const path = join(rulesDir, f.fileName);
    writeFileSync(path, unresolvedFree(f.fileName, f.yaml));
    return path;
  });
  const alertmanagerFile = join(outDir, "alertmanager.yaml");
  writeFileSync(alertmanagerFile, unresolvedFree("alertmanager.yaml", platform.monitoring.routing.yaml));
  const dashboardsDir = join(outDir, "dashboards");
  rmSync(dashboardsDir, { recursive: true, force: true });
  mkdirSync(dashboardsDir, { recursive: true });
  // render() runs the same checks as synth: unknown metrics or labels, duplicate uids.
  platform.dashboards.render();
  const dashboardFiles = Object.entries(platform.dashboards.files()).map(([name, json]) => {
    const path = join(dashboardsDir, name);
    writeFileSync(path, unresolvedFree(name, json));
    return path;
  });
  return { ruleFiles: written, alertmanagerFile, dashboardFiles };
}

/** A file for promtool or amtool cannot hold a Terraform reference: fail rather than write one. */
function unresolvedFree(name: string, text: string): string {
  const token = /\$\{[^}]*\}/.exec(text);
  if (token) throw new Error(`${name} holds the Terraform reference ${token[0]}, which only resolves at apply; export needs literal values`);
  return text;
}

function main(argv: string[]): void {
  const i = argv.indexOf("--out");
  const out = i >= 0 ? argv[i + 1] : undefined;
  if (!out) {
    console.error("usage: npm run export -- --out DIR");
    process.exit(2);
  }
  const files = exportMonitoring(resolve(out));
  console.log(`wrote ${files.ruleFiles.length} rule files to ${join(out, "rules")} and ${join(out, "alertmanager.yaml")}`);
  console.log(`wrote ${files.dashboardFiles.length} dashboards to ${join(out, "dashboards")}`);
}

if (require.main === module) main(process.argv.slice(2));
