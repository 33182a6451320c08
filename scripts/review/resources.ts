import { Json, JsonObject, SynthesizedApp, TfDocument, ValueChange, compareStrings, isObject, sortedEntries } from "./model";
import { equalJson, similarity, structuralChanges } from "./structural-diff";

/** One resource (or data source, or top-level block such as a provider) of one stack. */
export interface PlanEntry {
  readonly stack: string;
  /** `resource`, `data`, or the top-level block (`provider`, `output`, `terraform`, ...). */
  readonly mode: string;
  readonly type: string;
  readonly id: string;
  /** Terraform address inside its stack: `aws_s3_bucket.logs_1A2B3C4D`, `data.aws_iam_policy_document.x`. */
  readonly address: string;
  /** The construct path recorded by cdktf, when there is one. */
  readonly constructPath?: string;
  /** Attributes, without cdktf's `//` metadata. */
  readonly body: JsonObject;
}

export interface ChangedEntry {
  readonly before: PlanEntry;
  readonly after: PlanEntry;
  /** Attribute changes, without the parts a dedicated section reports (Helm values, dashboards). */
  readonly changes: readonly ValueChange[];
}

/** A removed and an added resource of the same stack and type that are the same object under a new address. */
export interface MoveCandidate extends ChangedEntry {
  readonly similarity: number;
}

export interface ResourceDiff {
  readonly added: readonly PlanEntry[];
  readonly removed: readonly PlanEntry[];
  readonly changed: readonly ChangedEntry[];
  readonly moved: readonly MoveCandidate[];
}

/** Attributes that a dedicated section of the review reports instead of the attribute list. */
export type ExcludedAttributes = (entry: PlanEntry) => readonly (readonly (string | number)[])[];

/** Moves need at least this share of equal leaves, and no change of a naming attribute. */
const MOVE_SIMILARITY = 0.6;

export function entriesOf(app: SynthesizedApp): PlanEntry[] {
  const out: PlanEntry[] = [];
  for (const [stack, doc] of sortedEntries(app)) out.push(...stackEntries(stack, doc));
  return out;
}

function stackEntries(stack: string, doc: TfDocument): PlanEntry[] {
  const out: PlanEntry[] = [];
  for (const [block, content] of sortedEntries(doc as Record<string, Json | undefined>)) {
    if (block === "//" || content === undefined) continue;
    if ((block === "resource" || block === "data") && isObject(content)) {
      for (const [type, byId] of sortedEntries(content)) {
        if (!isObject(byId)) continue;
        for (const [id, body] of sortedEntries(byId)) {
          if (!isObject(body)) continue;
          const meta = body["//"];
          const path = isObject(meta) && isObject(meta.metadata) ? meta.metadata.path : undefined;
          const { ["//"]: _ignored, ...attrs } = body;
          out.push({
            stack,
            mode: block,
            type,
            id,
            address: block === "data" ? `data.${type}.${id}` : `${type}.${id}`,
            ...(typeof path === "string" && { constructPath: path }),
            body: attrs,
          });
        }
      }
    } else if (isObject(content)) {
      // provider, output, variable, locals, terraform: one entry per named item.
      for (const [name, body] of sortedEntries(content)) {
        out.push({ stack, mode: block, type: block, id: name, address: `${block}.${name}`, body: isObject(body) ? withoutMeta(body) : { value: body } });
      }
    }
  }
  return out;
}

function withoutMeta(body: JsonObject): JsonObject {
  const { ["//"]: _ignored, ...rest } = body;
  return rest;
}

const key = (e: PlanEntry): string => `${e.stack}\u0000${e.address}`;

/**
 * Resources added, removed and changed between two synthesized apps. A removed and an added
 * resource of the same stack and type with (nearly) the same content are reported as a move:
 * Terraform destroys and creates them unless a `moved` block says they are the same object.
 * References to a moved resource are rewritten before comparing, so its dependants do not
 * show up as changed only because its address changed.
 */
export function diffResources(base: SynthesizedApp, head: SynthesizedApp, excluded: ExcludedAttributes = () => []): ResourceDiff {
  const before = entriesOf(base);
  const after = entriesOf(head);
  const afterByKey = new Map(after.map((e) => [key(e), e]));
  const beforeByKey = new Map(before.map((e) => [key(e), e]));
  const removed = before.filter((e) => !afterByKey.has(key(e)));
  const added = after.filter((e) => !beforeByKey.has(key(e)));

  const moved = matchMoves(removed, added, excluded);
  const movedFrom = new Set(moved.map((m) => key(m.before)));
  const movedTo = new Set(moved.map((m) => key(m.after)));
  const renames = moved.map((m) => ({ stack: m.before.stack, from: m.before.address, to: m.after.address }));

  const changed: ChangedEntry[] = [];
  for (const b of before) {
    const a = afterByKey.get(key(b));
    if (!a) continue;
    const rewritten = rewriteReferences(b, renames);
    const changes = structuralChanges(rewritten.body, a.body, excluded(a));
    if (changes.length > 0 || !equalJson(rewritten.body, a.body)) changed.push({ before: rewritten, after: a, changes });
  }
  return {
    added: added.filter((e) => !movedTo.has(key(e))),
    removed: removed.filter((e) => !movedFrom.has(key(e))),
    changed,
    moved,
  };
}

/** Greedy matching by similarity within each stack and type, best pairs first. */
function matchMoves(removed: readonly PlanEntry[], added: readonly PlanEntry[], excluded: ExcludedAttributes): MoveCandidate[] {
  const pairs: { from: PlanEntry; to: PlanEntry; score: number }[] = [];
  for (const from of removed) {
    if (from.mode !== "resource") continue;
    for (const to of added) {
      if (to.stack !== from.stack || to.type !== from.type || to.mode !== "resource") continue;
      if (!sameNames(from.body, to.body)) continue;
      const score = similarity(from.body, to.body);
      if (score >= MOVE_SIMILARITY) pairs.push({ from, to, score });
    }
  }
  pairs.sort((x, y) => y.score - x.score || compareStrings(x.from.address, y.from.address) || compareStrings(x.to.address, y.to.address));
  const usedFrom = new Set<string>();
  const usedTo = new Set<string>();
  const out: MoveCandidate[] = [];
  for (const p of pairs) {
    if (usedFrom.has(key(p.from)) || usedTo.has(key(p.to))) continue;
    usedFrom.add(key(p.from));
    usedTo.add(key(p.to));
    out.push({ before: p.from, after: p.to, similarity: p.score, changes: structuralChanges(p.from.body, p.to.body, excluded(p.to)) });
  }
  return out.sort((x, y) => compareStrings(key(x.after), key(y.after)));
}

/** Attributes that name the object in the cloud or the cluster: a change there is a different object, not a move. */
const NAMING_ATTRIBUTES = ["name", "name_prefix", "bucket", "bucket_prefix", "cluster_name", "node_group_name", "role_name", "addon_name", "family"];

function sameNames(a: JsonObject, b: JsonObject): boolean {
  const named = (body: JsonObject): Json[] => {
    const meta = body.metadata;
    const m = Array.isArray(meta) ? meta[0] : meta;
    return [...NAMING_ATTRIBUTES.map((n) => body[n] ?? null), isObject(m) ? (m.name ?? null) : null, isObject(m) ? (m.namespace ?? null) : null];
  };
  return equalJson(named(a), named(b));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The entry with references to renamed addresses of its stack rewritten to their new address. */
function rewriteReferences(entry: PlanEntry, renames: readonly { stack: string; from: string; to: string }[]): PlanEntry {
  const mine = renames.filter((r) => r.stack === entry.stack);
  if (mine.length === 0) return entry;
  let text = JSON.stringify(entry.body);
  for (const r of mine) text = text.replace(new RegExp(`(?<![\\w-])${escapeRegExp(r.from)}(?![\\w-])`, "g"), r.to);
  return { ...entry, body: JSON.parse(text) as JsonObject };
}

/** The `moved` block that makes Terraform keep the object, and the cdktf call that writes it. */
export function movedBlock(m: MoveCandidate): { hcl: string; cdktf: string } {
  return {
    hcl: `moved {\n  from = ${m.before.address}\n  to   = ${m.after.address}\n}`,
    cdktf: `<resource at ${m.after.constructPath ?? m.after.address}>.moveFromId("${m.before.address}");`,
  };
}
