import { Json, JsonObject, ValueChange, compareStrings, isArray, isObject } from "./model";
import { PlanEntry } from "./resources";
import { block } from "./helm";
import { canonical, structuralChanges } from "./structural-diff";

/** The Grafana sidecar of kube-prometheus-stack loads ConfigMaps carrying this label. */
export const DASHBOARD_LABEL = "grafana_dashboard";

export interface DashboardRecord {
  readonly stack: string;
  /** uid, or the title, or the ConfigMap key when the dashboard has neither. */
  readonly id: string;
  readonly title: string;
  readonly dashboard: JsonObject;
}

export interface PanelChange {
  readonly kind: "added" | "removed" | "changed";
  readonly title: string;
  readonly changes: readonly ValueChange[];
}

export interface DashboardChange {
  readonly kind: "added" | "removed" | "changed";
  readonly stack: string;
  readonly id: string;
  readonly title: string;
  readonly panels: readonly PanelChange[];
  /** Changes outside the panels (variables, time range, title ...). */
  readonly other: readonly ValueChange[];
}

export function isDashboardConfigMap(e: PlanEntry): boolean {
  if (!/^kubernetes_config_map(_v1)?$/.test(e.type)) return false;
  const labels = block(e.body, "metadata")?.labels;
  return isObject(labels) && DASHBOARD_LABEL in labels;
}

/** JSON dashboards in ConfigMaps labelled for the Grafana sidecar. */
export function collectDashboards(entries: readonly PlanEntry[]): DashboardRecord[] {
  const out: DashboardRecord[] = [];
  for (const e of entries) {
    if (e.mode !== "resource" || !isDashboardConfigMap(e) || !isObject(e.body.data)) continue;
    for (const [file, text] of Object.entries(e.body.data).sort(([x], [y]) => compareStrings(x, y))) {
      if (typeof text !== "string") continue;
      let dashboard: Json;
      try {
        dashboard = JSON.parse(text) as Json;
      } catch {
        continue;
      }
      if (!isObject(dashboard)) continue;
      const title = typeof dashboard.title === "string" ? dashboard.title : file;
      const id = typeof dashboard.uid === "string" ? dashboard.uid : title;
      out.push({ stack: e.stack, id, title, dashboard });
    }
  }
  return out;
}

/** Panels by title, rows' nested panels included. */
function panelsOf(dashboard: JsonObject): Map<string, Json> {
  const out = new Map<string, Json>();
  const walk = (list: Json | undefined): void => {
    for (const p of isArray(list) ? list : []) {
      if (!isObject(p)) continue;
      const { panels, ...own } = p;
      const base = typeof p.title === "string" && p.title !== "" ? p.title : `(untitled ${String(p.type ?? "panel")})`;
      let name = base;
      for (let n = 2; out.has(name); n++) name = `${base} #${n}`;
      // Grid positions move whenever a panel is added above: not a change of the panel.
      const { gridPos: _g, id: _i, ...content } = own;
      out.set(name, content);
      walk(panels);
    }
  };
  walk(dashboard.panels);
  for (const row of isArray(dashboard.rows) ? dashboard.rows : []) if (isObject(row)) walk(row.panels);
  return out;
}

export function diffDashboards(before: readonly DashboardRecord[], after: readonly DashboardRecord[]): DashboardChange[] {
  const id = (d: DashboardRecord): string => `${d.stack}\u0000${d.id}`;
  const b = new Map(before.map((d) => [id(d), d]));
  const a = new Map(after.map((d) => [id(d), d]));
  const out: DashboardChange[] = [];
  for (const k of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const x = b.get(k);
    const y = a.get(k);
    const rec = (y ?? x)!;
    const kind = !x ? "added" : !y ? "removed" : "changed";
    if (x && y && canonical(x.dashboard) === canonical(y.dashboard)) continue;
    const px = x ? panelsOf(x.dashboard) : new Map<string, Json>();
    const py = y ? panelsOf(y.dashboard) : new Map<string, Json>();
    const panels: PanelChange[] = [];
    if (kind === "changed") {
      for (const [t, p] of px) {
        const q = py.get(t);
        if (q === undefined) panels.push({ kind: "removed", title: t, changes: [] });
        else if (canonical(p) !== canonical(q)) panels.push({ kind: "changed", title: t, changes: structuralChanges(p, q) });
      }
      for (const t of py.keys()) if (!px.has(t)) panels.push({ kind: "added", title: t, changes: [] });
    }
    const strip = (d: JsonObject | undefined): JsonObject => {
      if (!d) return {};
      const { panels: _p, rows: _r, version: _v, id: _i, ...rest } = d;
      return rest;
    };
    out.push({
      kind,
      stack: rec.stack,
      id: rec.id,
      title: rec.title,
      panels: panels.sort((p, q) => compareStrings(p.title, q.title)),
      other: kind === "changed" ? structuralChanges(strip(x?.dashboard), strip(y?.dashboard)) : [],
    });
  }
  return out;
}
