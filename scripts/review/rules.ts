import { Json, JsonObject, ValueChange, compareStrings, isArray, isObject } from "./model";
import { PlanEntry } from "./resources";
import { HELM_RELEASE_TYPE, block, parseRelease } from "./helm";
import { canonical, structuralChanges } from "./structural-diff";

/** One alerting or recording rule, where it is defined. */
export interface RuleRecord {
  readonly stack: string;
  readonly group: string;
  readonly kind: "alert" | "record";
  readonly name: string;
  readonly severity?: string;
  readonly rule: JsonObject;
  /** Stable identity across the two sides: stack, group, name, severity (and a counter for repeats). */
  readonly key: string;
}

export interface RuleChange {
  readonly kind: "added" | "removed" | "changed";
  readonly before?: RuleRecord;
  readonly after?: RuleRecord;
  /** expr, for, labels.x, annotations.x ... */
  readonly changes: readonly ValueChange[];
}

/**
 * Every rule of an app: groups in kube-prometheus-stack's `additionalPrometheusRulesMap` of
 * any Helm release, and `PrometheusRule` manifests.
 */
export function collectRules(entries: readonly PlanEntry[]): RuleRecord[] {
  const out: RuleRecord[] = [];
  const seen = new Map<string, number>();
  const add = (stack: string, groups: Json | undefined): void => {
    for (const g of isArray(groups) ? groups : []) {
      if (!isObject(g) || typeof g.name !== "string") continue;
      for (const r of isArray(g.rules) ? g.rules : []) {
        if (!isObject(r)) continue;
        const kind = typeof r.alert === "string" ? "alert" : typeof r.record === "string" ? "record" : undefined;
        if (!kind) continue;
        const name = String(r[kind]);
        const labels = isObject(r.labels) ? r.labels : {};
        const severity = typeof labels.severity === "string" ? labels.severity : undefined;
        const base = `${stack}\u0000${g.name}\u0000${kind}:${name}\u0000${severity ?? ""}`;
        const n = (seen.get(base) ?? 0) + 1;
        seen.set(base, n);
        out.push({ stack, group: g.name, kind, name, ...(severity !== undefined && { severity }), rule: r, key: `${base}\u0000${n}` });
      }
    }
  };
  for (const e of entries) {
    if (e.mode !== "resource") continue;
    if (e.type === HELM_RELEASE_TYPE) {
      const map = parseRelease(e).values.additionalPrometheusRulesMap;
      if (isObject(map)) for (const name of Object.keys(map).sort()) add(e.stack, isObject(map[name]) ? (map[name] as JsonObject).groups : undefined);
    } else if (e.type === "kubernetes_manifest") {
      const manifest = block(e.body, "manifest");
      if (manifest?.kind === "PrometheusRule" && isObject(manifest.spec)) add(e.stack, manifest.spec.groups);
    }
  }
  return out;
}

export function diffRules(before: readonly RuleRecord[], after: readonly RuleRecord[]): RuleChange[] {
  const b = new Map(before.map((r) => [r.key, r]));
  const a = new Map(after.map((r) => [r.key, r]));
  const out: RuleChange[] = [];
  for (const [k, r] of b) {
    const next = a.get(k);
    if (!next) out.push({ kind: "removed", before: r, changes: [] });
    else if (canonical(r.rule) !== canonical(next.rule)) out.push({ kind: "changed", before: r, after: next, changes: structuralChanges(r.rule, next.rule) });
  }
  for (const [k, r] of a) if (!b.has(k)) out.push({ kind: "added", after: r, changes: [] });
  return out.sort((x, y) => compareStrings(ruleSortKey(x), ruleSortKey(y)));
}

const ruleSortKey = (c: RuleChange): string => (c.after ?? c.before)!.key;
