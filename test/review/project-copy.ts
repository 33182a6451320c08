import { execFileSync, spawnSync } from "child_process";
import { cpSync, mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join, resolve } from "path";

export const ROOT = resolve(__dirname, "../..");

/**
 * The project as git sees it (tracked and untracked files, not ignored ones, working-tree
 * content), copied into a fresh folder with the shared node_modules linked in: a checkout
 * that tests can commit to and change without touching the real one.
 */
export function copyProject(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const files = execFileSync("git", ["ls-files", "-z", "-co", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
    .split("\0")
    .filter((f) => f !== "" && !/^(node_modules|dist|cdktf\.out)(\/|$)/.test(f));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    try {
      cpSync(join(ROOT, f), join(dir, f));
    } catch (e) {
      // Deleted in the working tree but still tracked: the copy shows the working tree.
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
  symlinkSync(realpathSync(join(ROOT, "node_modules")), join(dir, "node_modules"), "dir");
  return dir;
}

/** git in `dir` with a fixed identity, so commits work on machines without a git config. */
export function gitIn(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=review-test", "-c", "user.email=review-test@example.com", "-c", "commit.gpgsign=false", ...args], {
    cwd: dir,
    encoding: "utf8",
  });
}

export function commitAll(dir: string, message: string): string {
  gitIn(dir, "add", "-A");
  gitIn(dir, "commit", "-q", "--no-verify", "-m", message);
  return gitIn(dir, "rev-parse", "HEAD").trim();
}

export interface PlanDiffRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Runs the project's built plan:diff in `dir`, as `npm run plan:diff -- base` does there. */
export function planDiff(dir: string, base: string): PlanDiffRun {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(ROOT, "dist/scripts/plan-diff.js"), base], { cwd: dir, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

export function initRepo(dir: string): void {
  gitIn(dir, "init", "-q", "-b", "main");
  // The node_modules link is a symlink, which `node_modules/` in .gitignore does not match: keep it out of commits.
  writeFileSync(join(dir, ".git/info/exclude"), "node_modules\n");
}
