import { mkdirSync, rmSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import { App } from "cdktf";
import { IConstruct } from "constructs";
import { PlatformConfigError } from "../core/errors";
import { GrafanaDashboards } from "./dashboards/grafana-dashboards";
import { MonitoringStack } from "./monitoring-stack";
import { renderRuleFiles } from "./rules/render-rule-files";

/** One file an export writes, relative to the export directory. */
export interface ExportedFile {
  /** Path below the export directory, "/"-separated. */
  readonly path: string;
  readonly content: string;
}

/** What `exportMonitoringFiles` wrote. */
export interface ExportedMonitoringFiles {
  /** Absolute paths of the Prometheus rule files (`<dir>/rules/<group>.rules.yaml`). */
  readonly ruleFiles: readonly string[];
  /** Absolute path of `<dir>/alertmanager.yaml`. */
  readonly alertmanagerFile: string;
  /** Absolute paths of the Grafana dashboards (`<dir>/dashboards/<uid>.json`), importable as they are. */
  readonly dashboardFiles: readonly string[];
  /** Every file written, absolute paths. */
  readonly files: readonly string[];
}

/**
 * The files of one MonitoringStack and the dashboards delivered beside it, as promtool, amtool,
 * Grafana and a reviewer read them. A new kind of file is one more entry here, so
 * `exportMonitoringFiles`, `npm run export` and the CLI write them all.
 */
export function monitoringFiles(monitoring: MonitoringStack, dashboards: readonly GrafanaDashboards[] = []): ExportedFile[] {
  return [
    ...renderRuleFiles(monitoring.ruleGroups()).map((f) => ({ path: `rules/${f.fileName}`, content: f.yaml })),
    { path: "alertmanager.yaml", content: monitoring.routing.yaml },
    ...dashboards.flatMap((d) => {
      // render() runs the synth checks: unknown metrics or labels, duplicate uids.
      d.render();
      return Object.entries(d.files()).map(([name, json]) => ({ path: `dashboards/${name}`, content: json }));
    }),
  ];
}

/**
 * Writes the monitoring configuration of a cdktf app (or one stack of it, or one MonitoringStack)
 * into `dir`: `rules/<group>.rules.yaml` for every rule group, `alertmanager.yaml`, and
 * `dashboards/<uid>.json` for the app's GrafanaDashboards. `rules/` and `dashboards/` are emptied
 * first so a removed group or dashboard leaves no stale file.
 * Build the app first (do not synthesize it): the services register their rules while it is built.
 * Fails when the scope holds no MonitoringStack or several, and when a file holds a Terraform
 * reference that only resolves at apply (a file for promtool cannot).
 */
export function exportMonitoringFiles(scope: IConstruct, dir: string): ExportedMonitoringFiles {
  const stacks = scope instanceof MonitoringStack ? [scope] : scope.node.findAll().filter((c): c is MonitoringStack => c instanceof MonitoringStack);
  if (stacks.length !== 1) {
    throw new PlatformConfigError(
      scope,
      "scope",
      stacks.map((s) => s.node.path),
      stacks.length === 0
        ? "must hold a MonitoringStack: there is nothing to export"
        : "must hold exactly one MonitoringStack; pass the one to export",
    );
  }
  const dashboards = scope.node.root.node.findAll().filter((c): c is GrafanaDashboards => c instanceof GrafanaDashboards);
  const files = monitoringFiles(stacks[0], dashboards);
  for (const folder of ["rules", "dashboards"]) rmSync(join(dir, folder), { recursive: true, force: true });
  const written = files.map((f) => {
    const path = join(dir, ...f.path.split("/"));
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, unresolvedFree(f.path, f.content));
    return path;
  });
  return {
    ruleFiles: written.filter((_, i) => files[i].path.startsWith("rules/")),
    alertmanagerFile: join(dir, "alertmanager.yaml"),
    dashboardFiles: written.filter((_, i) => files[i].path.startsWith("dashboards/")),
    files: written,
  };
}

/**
 * Loads a cdktf app module (the JavaScript file `cdktf synth` runs as the app's `app` command) and
 * returns the App it built, without synthesizing: `App.synth` is replaced by a capture while the
 * module loads. The module must resolve the same `cdktf` package as this library.
 */
export function loadCdktfApp(modulePath: string): App {
  const apps: App[] = [];
  const original = App.prototype.synth;
  App.prototype.synth = function capture(this: App) {
    apps.push(this);
  };
  try {
    require(resolve(modulePath));
  } finally {
    App.prototype.synth = original;
  }
  if (apps.length !== 1) {
    throw new PlatformConfigError(
      "export",
      "--app",
      modulePath,
      `must be the module \`cdktf synth\` runs, calling app.synth() on one App with the same cdktf package as this library (it ${apps.length === 0 ? "called it on none" : `called it on ${apps.length}`})`,
    );
  }
  return apps[0];
}

/** `exportMonitoringFiles` over the app that the module at `modulePath` builds. */
export function exportAppMonitoringFiles(modulePath: string, dir: string): ExportedMonitoringFiles {
  return exportMonitoringFiles(loadCdktfApp(modulePath), dir);
}

/** A file for promtool or amtool cannot hold a Terraform reference: fail rather than write one. */
function unresolvedFree(name: string, text: string): string {
  const token = /\$\{[^}]*\}/.exec(text);
  if (token) throw new Error(`${name} holds the Terraform reference ${token[0]}, which only resolves at apply; export needs literal values`);
  return text;
}
