import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { getFunction } from "@prometheus-io/codemirror-promql/dist/cjs/types/function";
import * as lezer from "@prometheus-io/lezer-promql";
import { EXPERIMENTAL_PROMQL_FUNCTIONS } from "../../lib/monitoring/private/promql-check";
import { renderRuleFiles, validateRuleGroups } from "../../lib/monitoring/rules";
import { requireBinary } from "../e2e/harness/binaries";

/**
 * The synth-time PromQL check (the Prometheus UI's linter, lib/monitoring/private/promql-check.ts)
 * against the real tool: every expression below is put in a rules file, as an alert, and judged by
 * promtool 3 (`check rules`, which parses and type-checks with Prometheus's own parser) and by
 * `validateRuleGroups`, the check every platform and user rule goes through. Each case says what
 * both must answer. Where they disagree, the case says so and why, and the test asserts the
 * disagreement: if either side changes, the table must be read again. promtool is required, never
 * skipped (scripts/fetch-prometheus.sh, which `npm test` runs, puts it in .tools/).
 */

const run = promisify(execFile);

interface Case {
  readonly expr: string;
  /** Whether `promtool check rules` accepts a rule with this expression. */
  readonly promtool: boolean;
  /** Whether our synth-time check accepts it. */
  readonly ours: boolean;
  /** Why the two disagree; required exactly when they do. */
  readonly disagreement?: string;
}

const RANGE_AS_RULE =
  "promtool only parses a rule's expression; Prometheus then fails the rule at every evaluation (\"rule result is not a vector or scalar\", rules/manager.go), so the synth refuses it";

const UNVERIFIABLE =
  "newer than promtool 3.5 (\"unknown function\"): the linter follows Prometheus 3.14, which the chart deploys; whether it is experimental there cannot be asked of promtool 3.5, so the synth lets it through";

const CASES: readonly Case[] = [
  // Wrongly typed: both refuse.
  { expr: "rate(up)", promtool: false, ours: false },
  { expr: "abs(up[5m])", promtool: false, ours: false },
  { expr: 'up + "a"', promtool: false, ours: false },
  { expr: '-"a"', promtool: false, ours: false },
  { expr: "up and 1", promtool: false, ours: false },
  { expr: "up and on (job) 1", promtool: false, ours: false },
  { expr: "time() > 1", promtool: false, ours: false },
  { expr: "topk(up, 3)", promtool: false, ours: false },
  { expr: "sum(up[5m])", promtool: false, ours: false },
  { expr: "count_values(1, up)", promtool: false, ours: false },
  { expr: 'histogram_quantile("0.9", up)', promtool: false, ours: false },
  { expr: 'quantile_over_time("x", up[5m])', promtool: false, ours: false },
  { expr: 'round(up, "a")', promtool: false, ours: false },
  { expr: 'label_replace(up, "a")', promtool: false, ours: false },
  { expr: "clamp(up, 0)", promtool: false, ours: false },
  { expr: "predict_linear(up, 3600) < 0", promtool: false, ours: false },
  { expr: "absent_over_time(up)", promtool: false, ours: false },
  { expr: "{}", promtool: false, ours: false },
  { expr: 'up{__name__="down"}', promtool: false, ours: false },
  // Removed in Prometheus 3 (renamed double_exponential_smoothing), and syntax errors.
  { expr: "holt_winters(up[5m], 0.5, 0.5)", promtool: false, ours: false },
  { expr: "sum(rate(up[5m])", promtool: false, ours: false },
  { expr: "up @ up", promtool: false, ours: false },
  // Valid PromQL that is no rule.
  { expr: "up[5m]", promtool: true, ours: false, disagreement: RANGE_AS_RULE },
  { expr: "rate(up[5m])[30m:1m]", promtool: true, ours: false, disagreement: RANGE_AS_RULE },
  { expr: '"firing"', promtool: true, ours: false, disagreement: RANGE_AS_RULE.replace("a rule's expression", "a rule's expression (a string here)") },
  // Where the linter is more lenient than Prometheus.
  // Refused by both, for different reasons: promtool as a range on something else than a
  // selector, the synth as a range vector where a rule must give an instant vector or a scalar.
  { expr: "vector(1)[5m]", promtool: false, ours: false },
  // Checks of Prometheus's parser the linter leaves out, which promql-check.ts adds (parserChecks).
  // A range only on a vector selector: the linter types a range on any instant vector as a range vector.
  { expr: "max_over_time(vector(1)[5m])", promtool: false, ours: false },
  { expr: "max_over_time((up)[5m])", promtool: false, ours: false },
  // The UI's grammar reads these as a range on `-up` and on `1 + up`; Prometheus as a unary or
  // binary operation on a range vector: both are refused either way.
  { expr: "avg_over_time(-up[5m])", promtool: false, ours: false },
  { expr: "sum(1 + up[5m])", promtool: false, ours: false },
  // offset and @ only after a selector or a subquery, once each.
  { expr: "rate(up[5m]) offset 1h", promtool: false, ours: false },
  { expr: "sum(up) @ 100", promtool: false, ours: false },
  { expr: "up + sum(up) offset 1h", promtool: false, ours: false },
  { expr: "up offset 5m offset 1m", promtool: false, ours: false },
  { expr: "up @ 1 @ 2", promtool: false, ours: false },
  { expr: "sum(up) + up offset 1m offset 2m", promtool: false, ours: false },
  // The UI's grammar binds offset and @ looser than operators (`(a > b) offset 5m`); Prometheus
  // binds them to the right operand, so these are valid and must pass.
  { expr: "up > up offset 5m and up offset 5m > up offset 10m", promtool: true, ours: true },
  { expr: "-up offset 5m", promtool: true, ours: true },
  { expr: "up + up @ 100", promtool: true, ours: true },
  // Aggregations take one argument, or two for topk, bottomk, quantile, count_values, limitk, limit_ratio.
  { expr: "sum(up, up)", promtool: false, ours: false },
  { expr: "quantile(up)", promtool: false, ours: false },
  {
    expr: '{job=~".*"}',
    promtool: false,
    ours: true,
    disagreement: "Prometheus refuses a selector whose every matcher matches the empty string; the linter only refuses `{}` and matchers of an empty literal",
  },
  // Experimental functions (not enabled by the platform): the linter accepts them, the
  // synth refuses them by EXPERIMENTAL_PROMQL_FUNCTIONS, which the last test keeps in step.
  { expr: "limitk(2, up)", promtool: false, ours: false },
  { expr: 'sort_by_label(up, "job")', promtool: false, ours: false },
  { expr: "mad_over_time(up[5m])", promtool: false, ours: false },
  { expr: "info(up)", promtool: false, ours: false },
  {
    expr: "first_over_time(up[5m])",
    promtool: false,
    ours: true,
    disagreement: UNVERIFIABLE,
  },
  // Valid, and tricky: both accept.
  { expr: "max_over_time(rate(up[5m])[30m:1m] @ end()) > 0", promtool: true, ours: true },
  { expr: "rate(up[5m:1m] @ start())", promtool: true, ours: true },
  { expr: "up offset 1h @ 100", promtool: true, ours: true },
  { expr: "up offset -5m", promtool: true, ours: true },
  { expr: "deriv(up[10m:]) < 0", promtool: true, ours: true },
  { expr: "up == bool 1", promtool: true, ours: true },
  { expr: "scalar(sum(up)) > bool 1", promtool: true, ours: true },
  { expr: "scalar(sum(up)) + 1", promtool: true, ours: true },
  { expr: "up == bool on () group_left up", promtool: true, ours: true },
  { expr: "sum by (job) (up) * on (job) group_left (team) kube_team_info", promtool: true, ours: true },
  { expr: "up / ignoring (instance) group_right sum without (instance) (up)", promtool: true, ours: true },
  { expr: "count(up) by (job) unless on (job) count(up) by (job)", promtool: true, ours: true },
  { expr: "histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m]))) > 1", promtool: true, ours: true },
  { expr: 'label_replace(up, "node", "$1", "instance", "(.*):.*")', promtool: true, ours: true },
  { expr: 'label_join(up, "id", "/", "namespace", "pod")', promtool: true, ours: true },
  { expr: "absent_over_time(up[5m])", promtool: true, ours: true },
  { expr: "absent(up)", promtool: true, ours: true },
  { expr: 'count_values("version", build_info)', promtool: true, ours: true },
  { expr: "predict_linear(node_filesystem_avail_bytes[6h], 4 * 3600) < 0", promtool: true, ours: true },
  { expr: "quantile(0.9, up) > 0", promtool: true, ours: true },
  { expr: "topk(3, up)", promtool: true, ours: true },
  { expr: "vector(time())", promtool: true, ours: true },
  { expr: "sum without () (up)", promtool: true, ours: true },
  // Native-histogram functions (Prometheus 3).
  { expr: "histogram_count(rate(x[5m])) > 0", promtool: true, ours: true },
  { expr: "histogram_sum(rate(x[5m])) / histogram_count(rate(x[5m]))", promtool: true, ours: true },
  { expr: "histogram_avg(rate(x[5m]))", promtool: true, ours: true },
  { expr: "histogram_fraction(0, 0.5, rate(x[5m]))", promtool: true, ours: true },
  { expr: "histogram_stddev(rate(x[5m])) + histogram_stdvar(rate(x[5m]))", promtool: true, ours: true },
];

function ours(expr: string): boolean {
  try {
    validateRuleGroups("PromqlTypes", "userRules", [{ name: "g", rules: [alertRule(expr)] }]);
    return true;
  } catch (e) {
    if (!(e as Error).message.includes("'userRules[\"g\"].rules[\"Case\"].expr' must be valid PromQL: ")) throw e;
    return false;
  }
}

function alertRule(expr: string) {
  return {
    alert: "Case",
    expr,
    labels: { severity: "warning" as const },
    annotations: { summary: "A case.", description: "Value {{ $value }}." },
  };
}

/** promtool's output on `check rules` of `files` (it exits 1 when one fails). */
async function promtoolOutput(dir: string, files: readonly string[]): Promise<string> {
  const promtool = requireBinary("promtool");
  try {
    const { stdout, stderr } = await run(promtool, ["check", "rules", ...files], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
    return stdout + stderr;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    if (err.stdout === undefined) throw e;
    return `${err.stdout}${err.stderr ?? ""}`;
  }
}

/** Which of `files` promtool rejects: each failure is reported on a line that starts with the file name. */
async function rejectedByPromtool(dir: string, files: readonly string[]): Promise<Set<string>> {
  const output = await promtoolOutput(dir, files);
  const rejected = new Set(files.filter((f) => output.split("\n").some((line) => line.startsWith(`${f}: `))));
  // Cross-check the parse: every other file reported a success.
  expect((output.match(/SUCCESS: 1 rules found/g) ?? []).length).toBe(files.length - rejected.size);
  return rejected;
}

describe("PromQL types: the synth-time check against promtool 3", () => {
  let dir: string;
  let promtoolAccepts: Map<string, boolean>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "promql-types-"));
    const files = CASES.map((c, i) => {
      // Rendered by the renderer the platform uses, as the one group of a file.
      const [file] = renderRuleFiles([{ name: `case-${i}`, rules: [alertRule(c.expr)] }]);
      fs.writeFileSync(path.join(dir, file.fileName), file.yaml);
      return file.fileName;
    });
    const rejected = await rejectedByPromtool(dir, files);
    promtoolAccepts = new Map(CASES.map((c, i) => [c.expr, !rejected.has(files[i])]));
  }, 30_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("every disagreement is explained, and only a disagreement", () => {
    expect(CASES.filter((c) => (c.promtool !== c.ours) !== (c.disagreement !== undefined)).map((c) => c.expr)).toEqual([]);
  });

  test.each(CASES.map((c) => [c.expr, c] as const))("%s", (_expr, c) => {
    expect({ promtool: promtoolAccepts.get(c.expr), ours: ours(c.expr) }).toEqual({ promtool: c.promtool, ours: c.ours });
  });
});

/** A call of every function the linter knows, with arguments of the types it declares. */
function linterFunctionCalls(): { readonly name: string; readonly expr: string }[] {
  const arg = { vector: "up", matrix: "up[5m]", scalar: "1", string: '"a"', none: "" } as const;
  const calls = new Map<string, string>();
  for (const id of Object.values(lezer)) {
    if (typeof id !== "number") continue;
    const fn = getFunction(id) as ReturnType<typeof getFunction> | undefined;
    // The linter's table spells two of them capitalised ("Cosh", "Sinh"); PromQL's names are lowercase.
    if (fn) calls.set(fn.name.toLowerCase(), `${fn.name.toLowerCase()}(${fn.argTypes.map((t) => arg[t]).join(", ")})`);
  }
  return [...calls].map(([name, expr]) => ({ name, expr }));
}

describe("experimental PromQL functions: the synth's list against promtool 3", () => {
  test("the list is what promtool refuses as not enabled, among every function the linter knows and the limit aggregations", async () => {
    const calls = [...linterFunctionCalls(), { name: "limitk", expr: "limitk(1, up)" }, { name: "limit_ratio", expr: "limit_ratio(0.5, up)" }];
    expect(calls.length).toBeGreaterThan(80);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "promql-functions-"));
    try {
      const files = calls.map((c, i) => {
        const [file] = renderRuleFiles([{ name: `fn-${i}`, rules: [{ record: "case:fn:value", expr: c.expr }] }]);
        fs.writeFileSync(path.join(dir, file.fileName), file.yaml);
        return file.fileName;
      });
      const output = await promtoolOutput(dir, files);
      const verdict = (file: string) => output.split("\n").find((line) => line.startsWith(`${file}: `)) ?? "accepted";
      const verdicts = calls.map((c, i) => ({ ...c, verdict: verdict(files[i]) }));
      const notEnabled = verdicts.filter((v) => /is not enabled|is experimental and must be enabled/.test(v.verdict)).map((v) => v.name);
      const unknown = verdicts.filter((v) => v.verdict.includes("unknown function with name")).map((v) => v.name);
      const otherwise = verdicts.filter((v) => v.verdict !== "accepted" && !notEnabled.includes(v.name) && !unknown.includes(v.name));
      expect([...notEnabled].sort()).toEqual([...EXPERIMENTAL_PROMQL_FUNCTIONS].sort());
      // Newer than promtool 3.5 (the duration functions of experimental duration expressions
      // among them): see UNVERIFIABLE. A linter upgrade that adds one shows here.
      expect(unknown.sort()).toEqual(["first_over_time", "histogram_quantiles", "range", "start_timestamp", "step", "ts_of_first_over_time"]);
      // start() and end() are @ modifiers to promtool 3.5, not functions: `start()` alone does not parse.
      expect(otherwise.map((v) => v.name).sort()).toEqual(["end", "start"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
