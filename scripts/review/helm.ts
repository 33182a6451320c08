import { parse } from "yaml";
import { Json, JsonObject, PathSegment, ValueChange, isArray, isObject } from "./model";
import { PlanEntry } from "./resources";
import { mergeValues, structuralChanges } from "./structural-diff";

/**
 * Values subtrees that dedicated sections report (rules, Alertmanager configuration), so the
 * values diff does not list them a second time.
 */
export const VALUES_REPORTED_ELSEWHERE: readonly (readonly PathSegment[])[] = [["additionalPrometheusRulesMap"], ["alertmanager", "config"]];

export const HELM_RELEASE_TYPE = "helm_release";

export interface ParsedRelease {
  readonly entry: PlanEntry;
  readonly chart: string;
  readonly version?: string;
  /** The merged values (Helm merges the `values` documents in order). */
  readonly values: JsonObject;
  /** Why the values could not be read, when they could not. */
  readonly valuesError?: string;
}

export interface HelmReleaseChange {
  readonly kind: "added" | "removed" | "changed";
  readonly before?: ParsedRelease;
  readonly after?: ParsedRelease;
  readonly versionChanged: boolean;
  readonly majorBump: boolean;
  readonly valueChanges: readonly ValueChange[];
}

const parsed = new WeakMap<PlanEntry, ParsedRelease>();

/** The release's chart, version and merged values (parsed once per entry: rules, routing and values all read them). */
export function parseRelease(entry: PlanEntry): ParsedRelease {
  const known = parsed.get(entry);
  if (known) return known;
  const docs: Json[] = [];
  let valuesError: string | undefined;
  const values = entry.body.values;
  for (const [i, doc] of (isArray(values) ? values : []).entries()) {
    if (typeof doc !== "string") continue;
    try {
      docs.push(parse(doc, { maxAliasCount: 100 }) as Json);
    } catch (e) {
      valuesError = `values[${i}] is not valid YAML: ${(e as Error).message.split("\n")[0]}`;
    }
  }
  const release: ParsedRelease = {
    entry,
    chart: typeof entry.body.chart === "string" ? entry.body.chart : "(unknown chart)",
    ...(typeof entry.body.version === "string" && { version: entry.body.version }),
    values: mergeValues(docs),
    ...(valuesError !== undefined && { valuesError }),
  };
  parsed.set(entry, release);
  return release;
}

/** True when `after` is a new major version (for 0.x, a new minor, as semver reads it). */
export function isMajorBump(before: string | undefined, after: string | undefined): boolean {
  const parse = (v: string | undefined): number[] | undefined => {
    const m = /^v?(\d+)\.(\d+)/.exec(v ?? "");
    return m ? [Number(m[1]), Number(m[2])] : undefined;
  };
  const b = parse(before);
  const a = parse(after);
  if (!a || !b) return false;
  if (a[0] !== b[0]) return a[0] > b[0];
  return a[0] === 0 && a[1] > b[1];
}

export function diffRelease(before: PlanEntry | undefined, after: PlanEntry | undefined): HelmReleaseChange | undefined {
  const b = before && parseRelease(before);
  const a = after && parseRelease(after);
  const kind = !b ? "added" : !a ? "removed" : "changed";
  const valueChanges = structuralChanges(b?.values ?? {}, a?.values ?? {}, VALUES_REPORTED_ELSEWHERE);
  const versionChanged = b?.version !== a?.version && kind === "changed";
  if (kind === "changed" && !versionChanged && valueChanges.length === 0 && b!.chart === a!.chart) return undefined;
  return {
    kind,
    ...(b && { before: b }),
    ...(a && { after: a }),
    versionChanged,
    majorBump: kind === "changed" && isMajorBump(b!.version, a!.version),
    valueChanges: kind === "changed" ? valueChanges : [],
  };
}

/** Object values of a resource body's block, whether cdktf wrote it as an object or a one-element list. */
export function block(body: JsonObject, name: string): JsonObject | undefined {
  const v = body[name];
  if (isArray(v)) return isObject(v[0]) ? v[0] : undefined;
  return isObject(v) ? v : undefined;
}
