import { parser } from "@prometheus-io/lezer-promql";

/**
 * The test profile of the monitoring configuration: the exported rule files and Alertmanager
 * configuration with every duration divided by `factor`, so that an alert that needs 10 minutes
 * on a cluster needs 10 s on loopback. It is applied in this one place, to the files that
 * `npm run export` writes, never by editing them by hand:
 *
 * - rules: `for`, `keep_firing_for`, group `interval`, and in every expression the range of
 *   range selectors and subqueries, subquery steps, offsets, and the look-ahead (seconds) of
 *   `predict_linear`, all rewritten on the lezer-promql syntax tree;
 * - Alertmanager: `group_wait`, `group_interval`, `repeat_interval`, `resolve_timeout`;
 * - Prometheus: scrape and evaluation interval are the profile's own; the re-send delay of
 *   firing alerts (`--rules.alert.resend-delay`, 1m) is compressed like the rest.
 *
 * Floors keep the compressed system meaningful: a range selector spans at least `minRange`
 * (a `rate` over fewer than a few scrapes has no data) and a rule group evaluates no faster
 * than `evaluationIntervalSeconds`. Thresholds, label matchers and routing are untouched.
 */
export interface TimeProfile {
  /** Every duration is divided by this. */
  readonly factor: number;
  readonly scrapeIntervalSeconds: number;
  readonly evaluationIntervalSeconds: number;
  /** Shortest range a range selector keeps after compression. */
  readonly minRangeSeconds: number;
}

/** The end-to-end suite's profile: 5m of `for` becomes 2.5 s, a 5m rate window 2.5 s (5 scrapes). */
export const E2E_TIME_PROFILE: TimeProfile = {
  factor: 120,
  scrapeIntervalSeconds: 0.5,
  evaluationIntervalSeconds: 0.5,
  minRangeSeconds: 2,
};

/** The demo's profile, slow enough to watch: 5m of `for` becomes 10 s. */
export const DEMO_TIME_PROFILE: TimeProfile = {
  factor: 30,
  scrapeIntervalSeconds: 1,
  evaluationIntervalSeconds: 1,
  minRangeSeconds: 4,
};

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** Milliseconds of a Prometheus duration ("1h30m", "500ms", "90s"). */
export function parseDurationMs(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|[smhdwy])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) throw new Error(`not a Prometheus duration: "${text}"`);
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit], 0);
}

/** A Prometheus duration for whole milliseconds, in the largest exact unit ("5s", "750ms", "2m"). */
export function formatDurationMs(ms: number): string {
  const whole = Math.round(ms);
  if (whole === 0) return "0s";
  for (const unit of ["d", "h", "m", "s"] as const) {
    if (whole % UNIT_MS[unit] === 0) return `${whole / UNIT_MS[unit]}${unit}`;
  }
  return `${whole}ms`;
}

/** `text` divided by the factor, never below `floorMs`. */
export function compressDuration(text: string, profile: TimeProfile, floorMs = 0): string {
  return formatDurationMs(Math.max(parseDurationMs(text) / profile.factor, floorMs));
}

/** Functions whose numeric argument at this index is a time span in seconds. */
const SECONDS_ARGUMENTS: Readonly<Record<string, number>> = { predict_linear: 1 };

/**
 * The expression with its time spans compressed, edited in place on the syntax tree so that
 * everything else (selectors, thresholds, formatting) stays byte for byte.
 */
export function compressPromql(expr: string, profile: TimeProfile): string {
  const edits: { from: number; to: number; text: string }[] = [];
  const tree = parser.parse(expr);
  tree.iterate({
    enter(node) {
      if (node.type.isError) throw new Error(`cannot compress a PromQL expression that does not parse: ${expr}`);
      if (node.name === "NumberDurationLiteralInDurationContext") {
        const parent = node.node.parent;
        // A range selector `[5m]` or the range of a subquery `[1h:5m]` gets the range floor.
        const isRange = parent?.name === "DurationExpr" && (parent.parent?.name === "MatrixSelector" || isSubqueryRange(parent));
        const floor = isRange ? profile.minRangeSeconds * 1_000 : 0;
        edits.push({ from: node.from, to: node.to, text: compressDuration(expr.slice(node.from, node.to), profile, floor) });
      }
      if (node.name === "FunctionCall") {
        const name = node.node.getChild("FunctionIdentifier");
        const index = name ? SECONDS_ARGUMENTS[expr.slice(name.from, name.to)] : undefined;
        const body = node.node.getChild("FunctionCallBody");
        if (index !== undefined && body) {
          const args = argumentNodes(body);
          const arg = args[index];
          if (arg?.name === "NumberDurationLiteral") {
            const seconds = Number(expr.slice(arg.from, arg.to));
            edits.push({ from: arg.from, to: arg.to, text: String(Number((seconds / profile.factor).toPrecision(12))) });
          }
        }
      }
      return undefined;
    },
  });
  return edits
    .sort((a, b) => b.from - a.from)
    .reduce((text, e) => text.slice(0, e.from) + e.text + text.slice(e.to), expr);
}

type SyntaxNode = ReturnType<typeof parser.parse>["topNode"];

function isSubqueryRange(durationExpr: SyntaxNode): boolean {
  const sub = durationExpr.parent;
  if (sub?.name !== "SubqueryExpr") return false;
  // The first DurationExpr child of a subquery is its range, the second its step.
  return sub.getChildren("DurationExpr")[0]?.from === durationExpr.from;
}

function argumentNodes(body: SyntaxNode): SyntaxNode[] {
  const args: SyntaxNode[] = [];
  for (let child = body.firstChild; child; child = child.nextSibling) {
    if (child.type.isError || ["(", ")", ","].includes(child.name)) continue;
    args.push(child);
  }
  return args;
}

/* ---------- rule files ---------- */

interface RuleFileRule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly keep_firing_for?: string;
  readonly [key: string]: unknown;
}
interface RuleFileGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly RuleFileRule[];
  readonly [key: string]: unknown;
}
/** A Prometheus rule file (`groups:`), as parsed from YAML. */
export interface RuleFile {
  readonly groups: readonly RuleFileGroup[];
}

/** A rule file under the profile: only durations change. */
export function compressRuleFile(file: RuleFile, profile: TimeProfile): RuleFile {
  const evalFloor = profile.evaluationIntervalSeconds * 1_000;
  return {
    groups: file.groups.map((group) => ({
      ...group,
      ...(group.interval !== undefined && { interval: compressDuration(group.interval, profile, evalFloor) }),
      rules: group.rules.map((rule) => ({
        ...rule,
        expr: compressPromql(rule.expr, profile),
        ...(rule.for !== undefined && { for: compressDuration(rule.for, profile) }),
        ...(rule.keep_firing_for !== undefined && { keep_firing_for: compressDuration(rule.keep_firing_for, profile) }),
      })),
    })),
  };
}

/* ---------- Alertmanager ---------- */

interface AmRoute {
  readonly group_wait?: string;
  readonly group_interval?: string;
  readonly repeat_interval?: string;
  readonly routes?: readonly AmRoute[];
  readonly [key: string]: unknown;
}
/** The parts of alertmanager.yaml the profile reads, as parsed from YAML. */
export interface AlertmanagerFile {
  readonly global?: { readonly resolve_timeout?: string; readonly [key: string]: unknown };
  readonly route: AmRoute;
  readonly receivers: readonly { readonly name: string; readonly [key: string]: unknown }[];
  readonly [key: string]: unknown;
}

/**
 * Alertmanager's configuration under the profile, with every receiver's integrations replaced by
 * one webhook to `sinkUrl(receiver)`: routes, grouping and inhibition stay as exported.
 */
export function compressAlertmanagerFile(file: AlertmanagerFile, profile: TimeProfile, sinkUrl: (receiver: string) => string): AlertmanagerFile {
  const route = (r: AmRoute): AmRoute => ({
    ...r,
    ...(r.group_wait !== undefined && { group_wait: compressDuration(r.group_wait, profile) }),
    ...(r.group_interval !== undefined && { group_interval: compressDuration(r.group_interval, profile, 1_000) }),
    ...(r.repeat_interval !== undefined && { repeat_interval: compressDuration(r.repeat_interval, profile, 1_000) }),
    ...(r.routes && { routes: r.routes.map(route) }),
  });
  return {
    ...file,
    ...(file.global && {
      global: { ...file.global, ...(file.global.resolve_timeout && { resolve_timeout: compressDuration(file.global.resolve_timeout, profile, 1_000) }) },
    }),
    route: route(file.route),
    receivers: file.receivers.map((r) => ({ name: r.name, webhook_configs: [{ url: sinkUrl(r.name), send_resolved: true }] })),
  };
}
