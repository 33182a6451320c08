import { parse } from "yaml";
import { Json, JsonObject, ValueChange, compareStrings, isArray, isObject } from "./model";
import { PlanEntry } from "./resources";
import { HELM_RELEASE_TYPE, block, parseRelease } from "./helm";
import { canonical, structuralChanges } from "./structural-diff";

/** One Alertmanager configuration found in the plan, by where it lives. */
export interface AlertmanagerConfigRecord {
  readonly stack: string;
  /** `helm_release kube-prometheus-stack` or `secret monitoring/alertmanager-x`. */
  readonly source: string;
  readonly config: JsonObject;
}

export interface NamedChange {
  readonly kind: "added" | "removed" | "changed";
  readonly name: string;
  readonly changes: readonly ValueChange[];
}

export interface AlertmanagerChange {
  readonly stack: string;
  readonly source: string;
  readonly routes: readonly NamedChange[];
  readonly receivers: readonly NamedChange[];
  readonly inhibitions: readonly NamedChange[];
  /** global, templates, time intervals. */
  readonly other: readonly ValueChange[];
}

/** Alertmanager configurations: kube-prometheus-stack values `alertmanager.config`, and `alertmanager.yaml` in Secrets or ConfigMaps. */
export function collectAlertmanagerConfigs(entries: readonly PlanEntry[]): AlertmanagerConfigRecord[] {
  const out: AlertmanagerConfigRecord[] = [];
  for (const e of entries) {
    if (e.mode !== "resource") continue;
    if (e.type === HELM_RELEASE_TYPE) {
      const am = parseRelease(e).values.alertmanager;
      if (isObject(am) && isObject(am.config)) out.push({ stack: e.stack, source: `helm_release ${String(e.body.name ?? e.id)}`, config: am.config });
    } else if (/^kubernetes_(secret|config_map)(_v1)?$/.test(e.type)) {
      const data = e.body.data ?? e.body.string_data;
      const text = isObject(data) ? data["alertmanager.yaml"] : undefined;
      if (typeof text !== "string") continue;
      try {
        const config = parse(text) as Json;
        const meta = block(e.body, "metadata");
        if (isObject(config)) out.push({ stack: e.stack, source: `${e.type} ${String(meta?.namespace ?? "")}/${String(meta?.name ?? e.id)}`, config });
      } catch {
        // Not YAML (a reference or an encoded value): nothing the review can read.
      }
    }
  }
  return out;
}

/** Each route of the tree by its position: the matchers of every route from the root down to it. */
export function flattenRoutes(route: Json | undefined): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  const walk = (r: Json, path: string): void => {
    if (!isObject(r)) return;
    const { routes, ...own } = r;
    let name = path;
    for (let n = 2; out.has(name); n++) name = `${path} #${n}`;
    out.set(name, own);
    for (const child of isArray(routes) ? routes : []) walk(child, `${name} > ${matchersOf(child)}`);
  };
  walk(route ?? null, "root");
  return out;
}

function matchersOf(route: Json): string {
  if (!isObject(route)) return "?";
  const parts: string[] = [];
  for (const k of ["matchers", "object_matchers"]) {
    const v = route[k];
    for (const m of isArray(v) ? v : []) parts.push(isArray(m) ? m.map(String).join("") : String(m));
  }
  for (const [k, op] of [["match", "="], ["match_re", "=~"]] as const) {
    const v = route[k];
    if (isObject(v)) for (const [label, value] of Object.entries(v)) parts.push(`${label}${op}${JSON.stringify(value)}`);
  }
  return parts.length > 0 ? `{${parts.join(", ")}}` : `(receiver ${String(route.receiver ?? "?")})`;
}

function diffNamed(before: Map<string, Json>, after: Map<string, Json>): NamedChange[] {
  const out: NamedChange[] = [];
  for (const [name, v] of before) {
    const next = after.get(name);
    if (next === undefined) out.push({ kind: "removed", name, changes: [] });
    else if (canonical(v) !== canonical(next)) out.push({ kind: "changed", name, changes: structuralChanges(v, next) });
  }
  for (const name of after.keys()) if (!before.has(name)) out.push({ kind: "added", name, changes: [] });
  return out.sort((x, y) => compareStrings(x.name, y.name));
}

function byName(list: Json | undefined): Map<string, Json> {
  return new Map((isArray(list) ? list : []).filter(isObject).map((r, i) => [typeof r.name === "string" ? r.name : `#${i}`, r]));
}

/** Inhibitions have no name: each is known by its matchers and `equal` labels, so a change shows as removed + added. */
function inhibitionsByContent(list: Json | undefined): Map<string, Json> {
  return new Map<string, Json>(
    (isArray(list) ? list : []).map((r): [string, Json] => {
      if (!isObject(r)) return [canonical(r), r];
      const src = [r.source_matchers, r.source_match, r.source_match_re].map(canonical).filter((s) => s !== "undefined");
      const tgt = [r.target_matchers, r.target_match, r.target_match_re].map(canonical).filter((s) => s !== "undefined");
      return [`source ${src.join(" ")} → target ${tgt.join(" ")} equal ${canonical(r.equal ?? [])}`, r];
    }),
  );
}

export function diffAlertmanager(before: readonly AlertmanagerConfigRecord[], after: readonly AlertmanagerConfigRecord[]): AlertmanagerChange[] {
  const id = (r: AlertmanagerConfigRecord): string => `${r.stack}\u0000${r.source}`;
  const b = new Map(before.map((r) => [id(r), r]));
  const a = new Map(after.map((r) => [id(r), r]));
  const out: AlertmanagerChange[] = [];
  for (const k of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const x = b.get(k)?.config ?? {};
    const y = a.get(k)?.config ?? {};
    if (canonical(x) === canonical(y)) continue;
    const { route: _r1, receivers: _v1, inhibit_rules: _i1, ...otherX } = x;
    const { route: _r2, receivers: _v2, inhibit_rules: _i2, ...otherY } = y;
    const rec = (a.get(k) ?? b.get(k))!;
    out.push({
      stack: rec.stack,
      source: rec.source,
      routes: diffNamed(flattenRoutes(x.route), flattenRoutes(y.route)),
      receivers: diffNamed(byName(x.receivers), byName(y.receivers)),
      inhibitions: diffNamed(inhibitionsByContent(x.inhibit_rules), inhibitionsByContent(y.inhibit_rules)),
      other: structuralChanges(otherX, otherY),
    });
  }
  return out;
}
