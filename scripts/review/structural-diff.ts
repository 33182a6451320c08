import diff from "microdiff";
import { Json, JsonObject, PathSegment, ValueChange, isArray, isObject } from "./model";

/**
 * Structural changes between two JSON values, by path (microdiff underneath). Paths listed
 * in `exclude` (prefixes) are left out: their content is reported by a dedicated section.
 */
export function structuralChanges(before: Json, after: Json, exclude: readonly (readonly PathSegment[])[] = []): ValueChange[] {
  if (!(isObject(before) || isArray(before)) || !(isObject(after) || isArray(after)) || isArray(before) !== isArray(after)) {
    return equalJson(before, after) ? [] : [{ path: [], kind: "changed", before, after }];
  }
  const changes = diff(before as Record<string, unknown>, after as Record<string, unknown>).map((d): ValueChange => {
    if (d.type === "CREATE") return { path: d.path, kind: "added", after: d.value as Json };
    if (d.type === "REMOVE") return { path: d.path, kind: "removed", before: d.oldValue as Json };
    return { path: d.path, kind: "changed", before: d.oldValue as Json, after: d.value as Json };
  });
  return changes.filter((c) => !exclude.some((prefix) => startsWith(c.path, prefix)));
}

export function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((seg, i) => path[i] === seg);
}

/** Deep equality of JSON values, key order ignored. */
export function equalJson(a: Json | undefined, b: Json | undefined): boolean {
  return canonical(a) === canonical(b);
}

/** JSON with sorted keys: one text per value. */
export function canonical(value: Json | undefined): string {
  return JSON.stringify(sortKeys(value)) ?? "undefined";
}

function sortKeys(value: Json | undefined): Json | undefined {
  if (isArray(value)) return value.map((v) => sortKeys(v) as Json);
  if (isObject(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys(value[k]) as Json]),
    );
  }
  return value;
}

/** Every leaf of a value with its path, for similarity scores. */
export function leaves(value: Json, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (v: Json, path: string): void => {
    if (isArray(v)) v.forEach((item, i) => walk(item, `${path}[${i}]`));
    else if (isObject(v)) for (const [k, item] of Object.entries(v)) walk(item, `${path}.${k}`);
    else out.set(path, JSON.stringify(v));
  };
  walk(value, prefix);
  return out;
}

/** Share of leaves two values have in common (Dice coefficient): 1 for equal values. */
export function similarity(a: Json, b: Json): number {
  const la = leaves(a);
  const lb = leaves(b);
  if (la.size + lb.size === 0) return 1;
  let same = 0;
  for (const [path, v] of la) if (lb.get(path) === v) same++;
  return (2 * same) / (la.size + lb.size);
}

/** Helm semantics for a list of values documents: later maps merge into earlier ones, anything else replaces. */
export function mergeValues(docs: readonly Json[]): JsonObject {
  let merged: JsonObject = {};
  for (const doc of docs) if (isObject(doc)) merged = mergeObjects(merged, doc);
  return merged;
}

function mergeObjects(base: JsonObject, over: JsonObject): JsonObject {
  const out: Record<string, Json> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k];
    out[k] = isObject(prev) && isObject(v) ? mergeObjects(prev, v) : v;
  }
  return out;
}
