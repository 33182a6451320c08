/**
 * `npm run plan:diff -- BASE_REF [--out FILE]`: synthesizes the app named in cdktf.json at a
 * git ref and at the working tree, offline, and prints a Markdown review of what changes
 * (resources, Helm values, alert rules, Alertmanager routing, dashboards, and the changes
 * that deserve a second look). Exits 1 on bad usage, 2 when a side cannot be synthesized;
 * then nothing is printed on stdout, so a CI step never posts a partial review.
 */
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { renderReview } from "./review/render";
import { reviewPlans } from "./review/review";
import { SideFailure, SideResult, checkoutTo, dependencyPlan, installDependencies, resolveRef, synthesize } from "./review/synthesize";

interface Args {
  readonly base: string;
  readonly out?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const positional: string[] = [];
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out") out = argv[++i];
    else if (argv[i].startsWith("--out=")) out = argv[i].slice("--out=".length);
    else if (argv[i] === "--help" || argv[i] === "-h") usage(0);
    else if (argv[i].startsWith("--")) usage(1, `unknown option ${argv[i]}`);
    else positional.push(argv[i]);
  }
  if (positional.length !== 1) usage(1, positional.length === 0 ? "BASE_REF is missing" : `one BASE_REF expected, got ${positional.join(" ")}`);
  return { base: positional[0], ...(out !== undefined && { out }) };
}

function usage(code: number, problem?: string): never {
  if (problem) process.stderr.write(`plan:diff: ${problem}\n`);
  process.stderr.write("usage: npm run plan:diff -- BASE_REF [--out FILE]   (BASE_REF: a branch, tag or commit, e.g. origin/main)\n");
  process.exit(code);
}

/** The last lines of a tool's output: enough to see the error, short enough to read. */
function tail(text: string, lines = 40): string {
  const all = text.trimEnd().split("\n");
  return (all.length > lines ? ["…", ...all.slice(-lines)] : all).join("\n");
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const root = process.cwd();
  const scratch = mkdtempSync(join(tmpdir(), "plan-diff-"));
  const started = process.hrtime.bigint();
  const notes: string[] = [];
  const dirs: string[] = [scratch];
  try {
    const commit = resolveRef(root, args.base);
    const baseSide = `base (${args.base})`;
    const deps = dependencyPlan(root, commit);
    if (deps.note) notes.push(deps.note);
    const head = synthesize(root, join(scratch, "head"), "working tree", { build: true });
    const base = (async (): Promise<SideResult> => {
      const dir = checkoutTo(root, commit, baseSide);
      dirs.push(dir);
      await installDependencies(root, dir, deps, baseSide);
      return synthesize(dir, join(scratch, "base"), baseSide, { build: true, readAs: root });
    })();
    const results = await Promise.allSettled([base, head]);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason as unknown);
    if (failures.length > 0) {
      for (const f of failures) {
        if (!(f instanceof SideFailure)) throw f;
        process.stderr.write(`plan:diff: ${f.side}: ${f.step} failed; no review was written.\n${tail(f.output)}\n\n`);
      }
      return 2;
    }
    const [b, h] = results.map((r) => (r as PromiseFulfilledResult<SideResult>).value);
    const review = reviewPlans(b.app, h.app);
    const markdown = renderReview(review, {
      title: `of \`${args.base}\` (${commit.slice(0, 12)}) → working tree`,
      notes,
      fullReviewCommand: `npm run plan:diff -- ${args.base}`,
    });
    if (args.out) writeFileSync(args.out, markdown);
    else process.stdout.write(markdown);
    const total = Number(process.hrtime.bigint() - started) / 1e9;
    process.stderr.write(`plan:diff: base ${(b.ms / 1000).toFixed(1)} s, working tree ${(h.ms / 1000).toFixed(1)} s, total ${total.toFixed(1)} s${deps.reuse ? " (base reused the working tree's node_modules: same lockfile)" : ""}\n`);
    return 0;
  } catch (e) {
    if (e instanceof SideFailure) {
      process.stderr.write(`plan:diff: ${e.side}: ${e.step} failed; no review was written.\n${tail(e.output)}\n`);
      return 2;
    }
    throw e;
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`plan:diff: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(3);
  },
);
