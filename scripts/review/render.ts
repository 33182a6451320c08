import { Json, ValueChange, formatPath } from "./model";
import { ChangedEntry, MoveCandidate, PlanEntry, movedBlock } from "./resources";
import { PlanReview, countReview } from "./review";
import { replacementCauses } from "./warnings";

/** GitHub refuses comments longer than this. */
export const COMMENT_LIMIT = 65_535;
/** Room left for what a CI step adds around the review (a marker to find its comment again). */
export const COMMENT_HEADROOM = 256;

export interface RenderOptions {
  /** Names the two sides in the first line, e.g. "`main` → working tree". */
  readonly title: string;
  /** Notes shown under the summary (e.g. "lockfile changed: base dependencies installed offline"). */
  readonly notes?: readonly string[];
  /** Command a reader runs for the full review, named in the truncation notice. */
  readonly fullReviewCommand?: string;
  /** @default COMMENT_LIMIT - COMMENT_HEADROOM */
  readonly limit?: number;
}

/** How much detail a rendering keeps: each level drops the least important detail of the one before. */
interface Detail {
  readonly clip: number;
  readonly maxChanges: number;
  readonly attributeDetails: boolean;
  readonly valuesDetails: boolean;
  readonly dropped?: string;
}

const LEVELS: readonly Detail[] = [
  { clip: 400, maxChanges: Infinity, attributeDetails: true, valuesDetails: true },
  { clip: 120, maxChanges: 40, attributeDetails: true, valuesDetails: true, dropped: "long values clipped to 120 characters, at most 40 changes per item" },
  { clip: 60, maxChanges: 10, attributeDetails: true, valuesDetails: true, dropped: "values clipped to 60 characters, at most 10 changes per item" },
  { clip: 60, maxChanges: 10, attributeDetails: false, valuesDetails: true, dropped: "resource attribute changes left out (addresses kept)" },
  { clip: 40, maxChanges: 3, attributeDetails: false, valuesDetails: false, dropped: "resource attribute changes and Helm values paths left out, at most 3 changes per rule, route or panel" },
];

const SIGN = { added: "➕", removed: "➖", changed: "✏️" } as const;

function code(text: string): string {
  const ticks = text.match(/`+/g)?.reduce((n, t) => Math.max(n, t.length), 0) ?? 0;
  const fence = "`".repeat(ticks + 1);
  return ticks > 0 ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

function value(v: Json | undefined, clip: number): string {
  const text = v === undefined ? "(none)" : JSON.stringify(v);
  return code(text.length > clip ? `${text.slice(0, clip)}…` : text);
}

function changeLines(changes: readonly ValueChange[], d: Detail, indent: string): string[] {
  const shown = changes.slice(0, d.maxChanges);
  const lines = shown.map((c) => {
    const p = code(formatPath(c.path));
    if (c.kind === "added") return `${indent}- ${p}: added ${value(c.after, d.clip)}`;
    if (c.kind === "removed") return `${indent}- ${p}: removed (was ${value(c.before, d.clip)})`;
    return `${indent}- ${p}: ${value(c.before, d.clip)} → ${value(c.after, d.clip)}`;
  });
  if (changes.length > shown.length) lines.push(`${indent}- … and ${changes.length - shown.length} more`);
  return lines;
}

function details(summary: string, body: readonly string[]): string {
  return [`<details><summary>${summary}</summary>`, "", ...body, "", "</details>"].join("\n");
}

function where(e: PlanEntry): string {
  return e.constructPath ? ` (${code(e.constructPath)})` : "";
}

function groupByStackAndType<T>(items: readonly T[], entry: (t: T) => PlanEntry): Map<string, Map<string, T[]>> {
  const out = new Map<string, Map<string, T[]>>();
  for (const item of items) {
    const e = entry(item);
    const byType = out.get(e.stack) ?? new Map<string, T[]>();
    out.set(e.stack, byType);
    const type = e.mode === "resource" ? e.type : e.mode === "data" ? `data.${e.type}` : e.mode;
    byType.set(type, [...(byType.get(type) ?? []), item]);
  }
  return out;
}

type ResourceLine = { kind: "added" | "removed" | "changed"; entry: PlanEntry; change?: ChangedEntry };

function resourcesSection(review: PlanReview, d: Detail): string | undefined {
  const r = review.resources;
  const lines: ResourceLine[] = [
    ...r.added.map((e): ResourceLine => ({ kind: "added", entry: e })),
    ...r.removed.map((e): ResourceLine => ({ kind: "removed", entry: e })),
    ...r.changed.map((c): ResourceLine => ({ kind: "changed", entry: c.after, change: c })),
  ];
  if (lines.length === 0) return undefined;
  const body: string[] = [];
  const stacks = groupByStackAndType(lines, (l) => l.entry);
  for (const stack of [...stacks.keys()].sort()) {
    body.push(`#### Stack ${code(stack)}`, "");
    const byType = stacks.get(stack)!;
    for (const type of [...byType.keys()].sort()) {
      body.push(`**${code(type)}**`, "");
      const order = { removed: 0, changed: 1, added: 2 };
      for (const l of byType.get(type)!.sort((x, y) => order[x.kind] - order[y.kind] || (x.entry.address < y.entry.address ? -1 : 1))) {
        if (l.kind !== "changed") {
          body.push(`- ${SIGN[l.kind]} ${code(l.entry.address)}${where(l.entry)} ${l.kind === "added" ? "created" : "destroyed"}`);
          continue;
        }
        const c = l.change!;
        const causes = replacementCauses(c.after.type, c.changes);
        const what = causes.length > 0 ? `**replaced** (${causes.map(code).join(", ")} force a new resource)` : "updated in place";
        const sections = ["values", "data"].filter((a) => a in c.after.body && JSON.stringify(c.before.body[a]) !== JSON.stringify(c.after.body[a]));
        const elsewhere = sections.length > 0 && c.changes.length === 0 ? `; ${sections.map(code).join(", ")} changed: see the sections below` : "";
        body.push(`- ${SIGN.changed} ${code(c.after.address)}${where(c.after)} ${what}${elsewhere}`);
        if (d.attributeDetails) body.push(...changeLines(c.changes, d, "  "));
        else if (c.changes.length > 0) body.push(`  - ${c.changes.length} attribute${c.changes.length === 1 ? "" : "s"} changed`);
      }
      body.push("");
    }
  }
  const n = countReview(review);
  return details(`Resources: ${n.toAdd} to add, ${n.toDestroy} to destroy, ${n.toChange} to change${n.otherBlocks > 0 ? `, ${n.otherBlocks} other blocks changed` : ""}`, body);
}

function movesSection(moves: readonly MoveCandidate[], d: Detail): string | undefined {
  if (moves.length === 0) return undefined;
  const body: string[] = [
    "Terraform destroys these resources and creates them under their new address. If they are the same objects, add the `moved` blocks (or the cdktf calls) to keep them:",
    "",
  ];
  for (const m of moves) {
    const blk = movedBlock(m);
    body.push(
      `- ${code(m.before.address)} → ${code(m.after.address)} in stack ${code(m.after.stack)} (${Math.round(m.similarity * 100)} % of attributes equal)`,
      "",
      "  ```hcl",
      ...blk.hcl.split("\n").map((l) => `  ${l}`),
      "  ```",
      "",
      `  cdktf: ${code(blk.cdktf)}`,
    );
    if (m.changes.length > 0) {
      body.push("  Besides the address:");
      body.push(...changeLines(m.changes, d, "  "));
    }
    body.push("");
  }
  return details(`Address changes: ${moves.length} destroy and create (\`moved\` blocks avoid them)`, body);
}

function releasesSection(review: PlanReview, d: Detail): string | undefined {
  if (review.releases.length === 0) return undefined;
  const body: string[] = [];
  for (const r of review.releases) {
    const rel = (r.after ?? r.before)!;
    const name = `${code(String(rel.entry.body.name ?? rel.entry.id))} (${code(rel.chart)}, stack ${code(rel.entry.stack)})`;
    if (r.kind !== "changed") {
      body.push(`- ${SIGN[r.kind]} ${name} ${rel.version ?? ""} ${r.kind === "added" ? "installed" : "uninstalled"}`);
      continue;
    }
    const version = r.versionChanged ? ` chart ${code(r.before!.version ?? "?")} → ${code(r.after!.version ?? "?")}${r.majorBump ? " **(major)**" : ""}` : "";
    body.push(`- ${SIGN.changed} ${name}${version}${r.valueChanges.length > 0 ? `, ${r.valueChanges.length} values changed` : ""}`);
    if (r.after?.valuesError) body.push(`  - values could not be read: ${r.after.valuesError}`);
    if (d.valuesDetails) body.push(...changeLines(r.valueChanges, d, "  "));
  }
  return details(`Helm releases: ${review.releases.length} changed`, body);
}

function ruleLabel(r: { kind: string; name: string; severity?: string; group: string; stack: string }): string {
  return `${r.kind} ${code(r.name)}${r.severity ? ` (${r.severity})` : ""} in group ${code(r.group)}`;
}

function rulesSection(review: PlanReview, d: Detail): string | undefined {
  if (review.rules.length === 0) return undefined;
  const body: string[] = [];
  for (const c of review.rules) {
    const r = (c.after ?? c.before)!;
    if (c.kind !== "changed") {
      body.push(`- ${SIGN[c.kind]} ${ruleLabel(r)} ${c.kind}`);
      if (c.kind === "added" && d.valuesDetails && typeof r.rule.expr === "string") body.push(`  - expr: ${value(r.rule.expr, d.clip)}${r.rule.for ? `, for ${value(r.rule.for, d.clip)}` : ""}`);
      continue;
    }
    body.push(`- ${SIGN.changed} ${ruleLabel(r)}`);
    const expr = c.changes.find((x) => x.path.length === 1 && x.path[0] === "expr");
    if (expr && typeof expr.before === "string" && typeof expr.after === "string") {
      const clipLines = (s: string): string[] => s.split("\n").map((l) => (l.length > d.clip * 4 ? `${l.slice(0, d.clip * 4)}…` : l));
      body.push("  ```diff", ...clipLines(expr.before).map((l) => `  - ${l}`), ...clipLines(expr.after).map((l) => `  + ${l}`), "  ```");
    }
    body.push(...changeLines(c.changes.filter((x) => x !== expr), d, "  "));
  }
  const n = (k: string): number => review.rules.filter((c) => c.kind === k).length;
  return details(`Alert and recording rules: ${n("added")} added, ${n("removed")} removed, ${n("changed")} changed`, body);
}

function alertmanagerSection(review: PlanReview, d: Detail): string | undefined {
  if (review.alertmanager.length === 0) return undefined;
  const body: string[] = [];
  for (const a of review.alertmanager) {
    body.push(`**${a.source}** (stack ${code(a.stack)})`, "");
    for (const [title, list] of [["route", a.routes], ["receiver", a.receivers], ["inhibition", a.inhibitions]] as const) {
      for (const c of list) {
        body.push(`- ${SIGN[c.kind]} ${title} ${code(c.name)} ${c.kind}`);
        body.push(...changeLines(c.changes, d, "  "));
      }
    }
    if (a.other.length > 0) {
      body.push("- other settings:");
      body.push(...changeLines(a.other, d, "  "));
    }
    body.push("");
  }
  const n = countReview(review).routes;
  return details(`Alertmanager: ${n} route, receiver or inhibition change${n === 1 ? "" : "s"}`, body);
}

function dashboardsSection(review: PlanReview, d: Detail): string | undefined {
  if (review.dashboards.length === 0) return undefined;
  const body: string[] = [];
  for (const db of review.dashboards) {
    body.push(`- ${SIGN[db.kind]} dashboard ${code(db.title)} (uid ${code(db.id)}, stack ${code(db.stack)}) ${db.kind}`);
    for (const p of db.panels) {
      body.push(`  - ${SIGN[p.kind]} panel ${code(p.title)} ${p.kind}`);
      body.push(...changeLines(p.changes, d, "    "));
    }
    body.push(...changeLines(db.other, d, "  "));
  }
  return details(`Dashboards: ${review.dashboards.length} changed`, body);
}

function warningsSection(review: PlanReview): string | undefined {
  if (review.warnings.length === 0) return undefined;
  const max = 40;
  const lines = review.warnings.slice(0, max).map((w) => `> - ${code(w.stack)} ${code(w.address)}: ${w.message}`);
  if (review.warnings.length > max) lines.push(`> - … and ${review.warnings.length - max} more (see the sections below)`);
  return ["> [!WARNING]", `> **${review.warnings.length} change${review.warnings.length === 1 ? "" : "s"} to look at twice**`, ">", ...lines].join("\n");
}

function summaryLine(review: PlanReview, title: string): string {
  const n = countReview(review);
  const plural = (k: number, word: string): string => `${k} ${word}${k === 1 ? "" : "s"}`;
  const extra = [n.replaced > 0 ? `${n.replaced} replaced` : "", n.moved > 0 ? `${n.moved} moved` : "", n.otherBlocks > 0 ? plural(n.otherBlocks, "other block") : ""].filter(Boolean);
  const parts = [
    `**${n.toAdd} to add, ${n.toDestroy} to destroy, ${n.toChange} to change**${extra.length > 0 ? ` (${extra.join(", ")})` : ""}`,
    `${plural(n.alerts, "alert/rule")} changed`,
    `${plural(n.routes, "route/receiver")} changed`,
    `${plural(n.dashboards, "dashboard")} changed`,
  ];
  if (review.warnings.length > 0) parts.push(`⚠️ ${plural(review.warnings.length, "warning")}`);
  return `**Plan review** ${title}: ${parts.join(" · ")}`;
}

/** The review as Markdown for a pull-request comment, never longer than the limit. */
export function renderReview(review: PlanReview, options: RenderOptions): string {
  const limit = options.limit ?? COMMENT_LIMIT - COMMENT_HEADROOM;
  const rerun = options.fullReviewCommand ? ` Run ${code(options.fullReviewCommand)} for the full review.` : "";
  for (const d of LEVELS) {
    const text = assemble(review, options, d, d.dropped ? [`> ✂️ Shortened to fit a pull-request comment (${limit} characters): ${d.dropped}.${rerun}`] : []);
    if (text.length <= limit) return text;
  }
  // Still too long: drop whole sections, least important first, and say which.
  const d = LEVELS[LEVELS.length - 1];
  const sections = sectionsOf(review, d);
  const dropped: string[] = [];
  while (sections.length > 0) {
    const notice = `> ✂️ Shortened to fit a pull-request comment (${limit} characters): ${d.dropped}; left out: ${dropped.join(", ") || "nothing"}.${rerun}`;
    const text = join(review, options, [notice], sections.map((s) => s.text));
    if (text.length <= limit) return text;
    dropped.push(sections.pop()!.name);
  }
  const notice = `> ✂️ Shortened to fit a pull-request comment (${limit} characters): every section left out (${dropped.join(", ")}).${rerun}`;
  return join(review, options, [notice], []).slice(0, limit);
}

/** Sections, most important first: the ones at the end are dropped first. */
function sectionsOf(review: PlanReview, d: Detail): { name: string; text: string }[] {
  const all: [string, string | undefined][] = [
    ["warnings", warningsSection(review)],
    ["address changes", movesSection(review.resources.moved, d)],
    ["alert rules", rulesSection(review, d)],
    ["Alertmanager", alertmanagerSection(review, d)],
    ["Helm releases", releasesSection(review, d)],
    ["dashboards", dashboardsSection(review, d)],
    ["resources", resourcesSection(review, d)],
  ];
  return all.filter((s): s is [string, string] => s[1] !== undefined).map(([name, text]) => ({ name, text }));
}

function assemble(review: PlanReview, options: RenderOptions, d: Detail, notices: readonly string[]): string {
  return join(review, options, notices, sectionsOf(review, d).map((s) => s.text));
}

function join(review: PlanReview, options: RenderOptions, notices: readonly string[], sections: readonly string[]): string {
  const head = [summaryLine(review, options.title), ...notices, ...(options.notes ?? []).map((n) => `> ${n}`)];
  const empty = review.resources.added.length + review.resources.removed.length + review.resources.changed.length + review.resources.moved.length === 0;
  return [head.join("\n\n"), ...(empty ? ["No changes: the synthesized plans are identical."] : sections)].join("\n\n") + "\n";
}
