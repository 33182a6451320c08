import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { ROOT, commitAll, copyProject, gitIn, initRepo, planDiff } from "./project-copy";

// Each run builds and synthesizes two copies of the project: seconds, not milliseconds.
const RUN_TIMEOUT = 120_000;

/**
 * plan:diff end to end, in a temporary git repository holding a copy of the project plus a
 * small fixture stack whose settings live in review-fixture.json: each scenario is a one-line
 * change of that file, reviewed against the committed base. The default app's stacks are in
 * both sides too, and must show no change.
 */
const SETTINGS = { alertThreshold: 0.9, roleId: "reader-role", chartVersion: "88.5.3", grafanaReplicas: 1 };

let dir: string;
let base: string;

function writeSettings(change: Partial<typeof SETTINGS> | string): void {
  const text = typeof change === "string" ? change : JSON.stringify({ ...SETTINGS, ...change }, null, 2);
  writeFileSync(join(dir, "review-fixture.json"), text);
}

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/scripts/plan-diff.js"))) throw new Error("dist/scripts is not built: run `npm run build` first (npm test does)");
  dir = copyProject("plan-diff-e2e-");
  copyFileSync(join(__dirname, "fixtures/review-fixture-stack.ts"), join(dir, "stacks/review-fixture-stack.ts"));
  const main = readFileSync(join(dir, "main.ts"), "utf8");
  const synthCalls = main.split("app.synth();").length - 1;
  if (synthCalls !== 1) throw new Error(`main.ts must call app.synth() once for the fixture to hook in, found ${synthCalls}`);
  writeFileSync(
    join(dir, "main.ts"),
    `import { ReviewFixtureStack } from "./stacks/review-fixture-stack";\n${main.replace("app.synth();", 'new ReviewFixtureStack(app, "review-fixture");\napp.synth();')}`,
  );
  writeSettings({});
  initRepo(dir);
  base = commitAll(dir, "base");
}, RUN_TIMEOUT);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  gitIn(dir, "checkout", "-q", "--", ".");
});

describe("npm run plan:diff -- BASE_REF", () => {
  test("a changed alert threshold shows as exactly that one change", () => {
    writeSettings({ alertThreshold: 0.85 });
    const r = planDiff(dir, "main");
    expect(r.stderr).toMatch(/base reused the working tree's node_modules: same lockfile/);
    expect(r.status).toBe(0);
    const [summary] = r.stdout.split("\n");
    expect(summary).toBe(
      `**Plan review** of \`main\` (${base.slice(0, 12)}) → working tree: **0 to add, 0 to destroy, 1 to change** · 1 alert/rule changed · 0 route/receivers changed · 0 dashboards changed`,
    );
    expect(r.stdout).toContain("<summary>Alert and recording rules: 0 added, 0 removed, 1 changed</summary>");
    expect(r.stdout).toContain("- ✏️ alert `FixtureGpuMemoryHigh` (warning) in group `fixture`\n  ```diff\n  - gpu:memory:ratio > 0.9\n  + gpu:memory:ratio > 0.85\n  ```");
    // The one changed resource is the release in the fixture stack; the default app's stacks did not move.
    expect(r.stdout.match(/^- ✏️ `/gm)).toEqual(["- ✏️ `"]);
    expect(r.stdout).toContain("- ✏️ `helm_release.monitoring` (`review-fixture/monitoring`) updated in place; `values` changed: see the sections below");
    expect(r.stdout).toContain("#### Stack `review-fixture`");
    expect(r.stdout).not.toMatch(/#### Stack `(?!review-fixture)/);
    expect(r.stdout).not.toContain("Helm releases:");
    process.stderr.write(`plan:diff (alert threshold): ${r.seconds.toFixed(1)} s\n`);
  }, RUN_TIMEOUT);

  // One run for two independent changes: each run builds and synthesizes the project twice.
  test("a renamed construct shows as destroy and create with its moved block; a chart bump shows its version and values changes", () => {
    writeSettings({ roleId: "metrics-reader-role", chartVersion: "89.0.0", grafanaReplicas: 2 });
    const r = planDiff(dir, "main");
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n")[0]).toContain("**1 to add, 1 to destroy, 1 to change** (1 moved) · 0 alert/rules changed");
    const moved = /moved \{\n\s+from = (aws_iam_role\.reader-role(?:_[0-9A-F]{8})?)\n\s+to\s+= (aws_iam_role\.metrics-reader-role(?:_[0-9A-F]{8})?)\n\s+\}/.exec(r.stdout);
    expect(moved).not.toBeNull();
    expect(r.stdout).toContain(`.moveFromId("${moved![1]}")`);
    expect(r.stdout).toContain(`\`review-fixture\` \`${moved![1]}\`: address changed to \`${moved![2]}\``);
    // The policy attachment refers to the role by its new address: not reported as changed.
    expect(r.stdout).not.toContain("aws_iam_role_policy_attachment");

    expect(r.stdout).toContain("- ✏️ `kube-prometheus-stack` (`kube-prometheus-stack`, stack `review-fixture`) chart `88.5.3` → `89.0.0` **(major)**, 1 values changed\n  - `grafana.replicas`: `1` → `2`");
    expect(r.stdout).toContain("chart major version bump: kube-prometheus-stack 88.5.3 → 89.0.0");
  }, RUN_TIMEOUT);

  test("bad input: a missing ref, or a side that fails to synthesize, names the side and prints no review", () => {
    const missing = planDiff(dir, "no-such-branch");
    expect(missing.status).toBe(2);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toContain("plan:diff: base (no-such-branch): resolving the ref failed; no review was written.\n'no-such-branch' is not a commit, branch or tag");

    // A base at which the app throws, and a dirty working tree that throws too: both sides are named.
    writeSettings({ alertThreshold: "high" as unknown as number });
    commitAll(dir, "broken base");
    writeSettings('{ "alertThreshold": "still not a number" }');
    const broken = planDiff(dir, "HEAD");
    gitIn(dir, "reset", "-q", "--hard", base);
    expect(broken.status).toBe(2);
    expect(broken.stdout).toBe("");
    expect(broken.stderr).toMatch(/plan:diff: base \(HEAD\): synth \(node dist\/main\.js\) failed; no review was written\.[\s\S]*'alertThreshold' must be a number, got "high"/);
    expect(broken.stderr).toMatch(/plan:diff: working tree: synth \(node dist\/main\.js\) failed; no review was written\.[\s\S]*'alertThreshold' must be a number, got "still not a number"/);
  }, RUN_TIMEOUT);
});
