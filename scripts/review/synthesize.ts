import { spawn, spawnSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync } from "fs";
import { tmpdir } from "os";
import { delimiter, join } from "path";
import { SynthesizedApp, TfDocument } from "./model";

/** A side of the review that could not be synthesized: which side, which step, and what the tools printed. */
export class SideFailure extends Error {
  constructor(
    readonly side: string,
    readonly step: string,
    readonly output: string,
  ) {
    super(`${side}: ${step} failed`);
  }
}

export interface SideResult {
  readonly app: SynthesizedApp;
  readonly ms: number;
}

interface Run {
  readonly status: number | null;
  readonly output: string;
}

/** Runs a command without a shell unless asked, collecting stdout and stderr together. */
function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, shell = false): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, shell, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", (e) => resolve({ status: 127, output: `${output}${e.message}` }));
    child.on("close", (status) => resolve({ status, output }));
  });
}

export function git(root: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("git", args, { cwd: root, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** The commit a ref names, or a SideFailure saying the ref does not exist. */
export function resolveRef(root: string, ref: string): string {
  if (ref.startsWith("-")) throw new SideFailure(`base (${ref})`, "resolving the ref", "a ref cannot start with '-'");
  const r = git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  if (r.status !== 0) throw new SideFailure(`base (${ref})`, "resolving the ref", `'${ref}' is not a commit, branch or tag of this repository (fetch it first: git fetch origin ${ref})`);
  return r.stdout.trim();
}

/** The project at a commit, in a fresh temporary folder (`git archive`, so the working tree and the index stay untouched). */
export function checkoutTo(root: string, commit: string, side: string): string {
  const dir = mkdtempSync(join(tmpdir(), "plan-diff-base-"));
  const archive = spawnSync("sh", ["-c", `git archive --format=tar ${commit} | tar -x -C "$1"`, "sh", dir], { cwd: root, encoding: "utf8" });
  if (archive.status !== 0) throw new SideFailure(side, "extracting the commit (git archive)", archive.stderr);
  return dir;
}

export interface DependencyPlan {
  /** How the base side gets its node_modules, for the review's notes. */
  readonly note?: string;
  readonly reuse: boolean;
}

/** Reuse the working tree's node_modules when the base has the same lockfile; otherwise install the base's own, offline. */
export function dependencyPlan(root: string, commit: string): DependencyPlan {
  const lock = "package-lock.json";
  const base = git(root, ["show", `${commit}:${lock}`]);
  const head = existsSync(join(root, lock)) ? readFileSync(join(root, lock), "utf8") : undefined;
  if (base.status === 0 && head !== undefined && base.stdout === head) return { reuse: true };
  return { reuse: false, note: `${lock} changed since the base: the base was synthesized with its own dependencies, installed offline from the npm cache (npm ci --offline).` };
}

export async function installDependencies(root: string, dir: string, plan: DependencyPlan, side: string): Promise<void> {
  // A commit may carry a node_modules link of its own (a symlink is not matched by `node_modules/` in .gitignore).
  rmSync(join(dir, "node_modules"), { recursive: true, force: true });
  if (plan.reuse) {
    symlinkSync(realpathSync(join(root, "node_modules")), join(dir, "node_modules"), "dir");
    return;
  }
  const r = await run("npm", ["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], dir, process.env);
  if (r.status !== 0) throw new SideFailure(side, "installing the base's dependencies offline (its lockfile differs)", `${r.output}\nFill the npm cache first (npm ci at the base ref, online), then run again.`);
}

interface CdktfJson {
  readonly app?: string;
}

/**
 * Builds (the package's `build` script, when it has one) and synthesizes the app named in
 * cdktf.json into `outdir`, as `cdktf synth` does, then reads every stack's JSON.
 */
export async function synthesize(dir: string, outdir: string, side: string, options: { build: boolean; readAs?: string }): Promise<SideResult> {
  const start = process.hrtime.bigint();
  const cdktf = JSON.parse(readFileSync(join(dir, "cdktf.json"), "utf8")) as CdktfJson;
  if (!cdktf.app) throw new SideFailure(side, "reading cdktf.json", "cdktf.json names no `app` command");
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" };
  if (options.build) {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { scripts?: Record<string, string> };
    const build = pkg.scripts?.build;
    if (build) {
      // The build script as npm runs it (its node_modules/.bin first on PATH), without npm's own start-up time.
      const path = `${join(dir, "node_modules", ".bin")}${delimiter}${env.PATH ?? ""}`;
      const b = await run(build, [], dir, { ...env, PATH: path }, true);
      if (b.status !== 0) throw new SideFailure(side, `the build (${build})`, b.output);
    }
  }
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const s = await run(cdktf.app, [], dir, env, true);
  if (s.status !== 0) throw new SideFailure(side, `synth (${cdktf.app})`, s.output);
  let app = readStacks(outdir, side);
  if (options.readAs !== undefined) app = relocate(app, dir, options.readAs);
  return { app, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

/**
 * The base is synthesized in a temporary checkout: an absolute path under it (cdktf's default
 * local backend writes one) is read as the same path under the working tree, so it does not
 * show up as a change. Paths elsewhere are left as they are.
 */
function relocate(app: SynthesizedApp, from: string, to: string): SynthesizedApp {
  const prefixes = [...new Set([realpathSync(from), from])];
  const out: Record<string, TfDocument> = {};
  for (const [name, doc] of Object.entries(app)) {
    let text = JSON.stringify(doc);
    for (const p of prefixes) text = text.split(JSON.stringify(p).slice(1, -1)).join(JSON.stringify(to).slice(1, -1));
    out[name] = JSON.parse(text) as TfDocument;
  }
  return out;
}

/** Every stack the manifest lists (or every stacks/<name>/cdk.tf.json). */
export function readStacks(outdir: string, side = "synth"): SynthesizedApp {
  const stacksDir = join(outdir, "stacks");
  if (!existsSync(stacksDir)) throw new SideFailure(side, "reading the synthesized stacks", `no ${"stacks/"} folder in the synth output`);
  const out: Record<string, TfDocument> = {};
  for (const name of readdirSync(stacksDir).sort()) {
    const file = join(stacksDir, name, "cdk.tf.json");
    if (existsSync(file)) out[name] = JSON.parse(readFileSync(file, "utf8")) as TfDocument;
  }
  return out;
}
