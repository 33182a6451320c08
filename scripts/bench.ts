/**
 * `npm run bench`: figures only, no pass/fail.
 * - wall time and peak memory of synthesizing the default app (median of several runs, each in
 *   a fresh process as `cdktf synth` runs it);
 * - `plan:diff` on a one-line change, in a temporary git copy of the project;
 * - the full test suite (`npm test`: type-check, build, jest);
 * - the installed size of the package's runtime dependencies and of the packed package.
 * BENCH_RUNS sets the synth runs (default 7); BENCH_SKIP_TESTS=1 and BENCH_SKIP_PLAN_DIFF=1
 * leave those parts out.
 */
import { execFileSync, spawnSync } from "child_process";
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join, resolve } from "path";

const root = resolve(__dirname, "../..");
const runs = Number(process.env.BENCH_RUNS ?? 7);

/** A measured command failed: its own one-line errors, not a stack trace of the bench. */
function fail(what: string, stderr: string): never {
  process.stderr.write(`error: ${what} failed, nothing measured:\n${stderr}`);
  process.exit(1);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function synthFigures(): void {
  // The child reports its own peak RSS (maxRSS, KiB) when it exits.
  const probe = `process.on("exit", () => { const u = process.resourceUsage(); process.stderr.write("MAXRSS=" + u.maxRSS + " CPU=" + (u.userCPUTime + u.systemCPUTime) + "\\n"); }); require(${JSON.stringify(join(root, "dist/main.js"))});`;
  const cpu: number[] = [];
  const times: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const outdir = mkdtempSync(join(tmpdir(), "bench-synth-"));
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ["-e", probe], { cwd: root, env: { ...process.env, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    rmSync(outdir, { recursive: true, force: true });
    if (r.status !== 0) fail("synth of the default app", r.stderr);
    times.push(ms);
    rss.push(Number(/MAXRSS=(\d+)/.exec(r.stderr)![1]) / 1024);
    cpu.push(Number(/CPU=(\d+)/.exec(r.stderr)![1]) / 1000);
  }
  console.log(`synth (default app, ${runs} runs): median ${median(times).toFixed(0)} ms, min ${Math.min(...times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms; CPU median ${median(cpu).toFixed(0)} ms`);
  console.log(`synth peak memory: median ${median(rss).toFixed(0)} MiB, max ${Math.max(...rss).toFixed(0)} MiB`);
}

/** A one-line change of the default app: the patch version of the first chart pin (or a comment, if there is none). */
function oneLineChange(dir: string): string {
  const file = join(dir, "lib/versions.ts");
  const text = readFileSync(file, "utf8");
  const m = /version: "(\d+)\.(\d+)\.(\d+)"/.exec(text);
  if (m) {
    writeFileSync(file, text.replace(m[0], `version: "${m[1]}.${m[2]}.${Number(m[3]) + 1}"`));
    return `chart pin ${m[1]}.${m[2]}.${m[3]} → ${m[1]}.${m[2]}.${Number(m[3]) + 1} in lib/versions.ts`;
  }
  writeFileSync(join(dir, "main.ts"), `${readFileSync(join(dir, "main.ts"), "utf8")}// bench\n`);
  return "a comment in main.ts";
}

function planDiffFigures(): void {
  const dir = mkdtempSync(join(tmpdir(), "bench-plan-diff-"));
  try {
    const files = execFileSync("git", ["ls-files", "-z", "-co", "--exclude-standard"], { cwd: root, encoding: "utf8" })
      .split("\0")
      .filter((f) => f !== "" && !/^(node_modules|dist|cdktf\.out)(\/|$)/.test(f) && existsSync(join(root, f)));
    for (const f of files) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      cpSync(join(root, f), join(dir, f));
    }
    symlinkSync(realpathSync(join(root, "node_modules")), join(dir, "node_modules"), "dir");
    const git = (...args: string[]): string => execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.com", ...args], { cwd: dir, encoding: "utf8" });
    git("init", "-q", "-b", "main");
    writeFileSync(join(dir, ".git/info/exclude"), "node_modules\n");
    git("add", "-A");
    git("commit", "-q", "--no-verify", "-m", "base");
    const change = oneLineChange(dir);
    const start = process.hrtime.bigint();
    // bash's `times` prints the CPU time of its children: plan:diff and the builds and synths it starts.
    const script = `"$0" "$1" main > "$2/review.md" || exit $?; times`;
    const r = spawnSync("bash", ["-c", script, process.execPath, join(root, "dist/scripts/plan-diff.js"), dir], { cwd: dir, encoding: "utf8" });
    const s = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) fail("plan:diff", r.stderr);
    const [, children] = r.stdout.trim().split("\n");
    const seconds = (children ?? "").split(/\s+/).map((t) => { const m = /(\d+)m([\d.]+)s/.exec(t); return m ? Number(m[1]) * 60 + Number(m[2]) : 0; });
    console.log(`plan:diff (one-line change: ${change}): ${s.toFixed(1)} s wall, ${(seconds[0] + seconds[1]).toFixed(1)} s CPU (${r.stderr.trim().replace(/^plan:diff: /, "")})`);
    console.log(`  review: ${readFileSync(join(dir, "review.md"), "utf8").split("\n")[0]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function testSuiteFigures(): void {
  const start = process.hrtime.bigint();
  const t = spawnSync("bash", ["scripts/test.sh", "--silent"], { cwd: root, encoding: "utf8" });
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  const summary = /Tests:\s+(.*)/.exec(t.stderr)?.[1] ?? "no summary";
  console.log(`test suite (npm test: tsc, build, jest): ${s.toFixed(1)} s wall, ${summary}${t.status === 0 ? "" : " (FAILED)"}`);
}

/** Bytes of a folder on disk, without nested node_modules (counted as dependencies of their own). */
function folderSize(dir: string): number {
  let total = 0;
  for (const f of readdirSync(dir)) {
    if (f === "node_modules") continue;
    const p = join(dir, f);
    const st = lstatSync(p);
    total += st.isDirectory() ? folderSize(p) : st.size;
  }
  return total;
}

interface LockPackage {
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

function dependencyFigures(): void {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, LockPackage> };
  // Node's resolution over the lockfile's tree: nearest node_modules first, then upwards.
  const locate = (name: string, from: string): string | undefined => {
    for (let base = from; ; base = base.includes("/node_modules/") ? base.slice(0, base.lastIndexOf("/node_modules/")) : "") {
      const key = base === "" ? `node_modules/${name}` : `${base}/node_modules/${name}`;
      if (lock.packages[key]) return key;
      if (base === "") return undefined;
    }
  };
  const seen = new Set<string>();
  const walk = (key: string): void => {
    if (seen.has(key)) return;
    seen.add(key);
    const entry = lock.packages[key];
    for (const dep of Object.keys({ ...entry?.dependencies, ...entry?.optionalDependencies })) {
      const found = locate(dep, key);
      if (found) walk(found);
    }
  };
  const parts: string[] = [];
  let total = 0;
  for (const name of Object.keys(pkg.dependencies ?? {}).sort()) {
    const before = new Set(seen);
    const key = locate(name, "");
    if (!key) continue;
    walk(key);
    const own = [...seen].filter((k) => !before.has(k)).reduce((n, k) => n + (existsSync(join(root, k)) ? folderSize(join(root, k)) : 0), 0);
    total += own;
    parts.push(`${name} ${(own / 1024).toFixed(0)} kB`);
  }
  console.log(`runtime dependencies installed with the package: ${(total / 1024 / 1024).toFixed(1)} MB in ${seen.size} packages (${parts.join(", ")}); peer dependencies (cdktf, constructs, providers) not counted`);
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as {
    size: number;
    unpackedSize: number;
    files: unknown[];
  }[];
  console.log(`package (npm pack): ${(packed.size / 1024).toFixed(0)} kB packed, ${(packed.unpackedSize / 1024).toFixed(0)} kB unpacked, ${packed.files.length} files`);
}

synthFigures();
if (process.env.BENCH_SKIP_PLAN_DIFF !== "1") planDiffFigures();
dependencyFigures();
if (process.env.BENCH_SKIP_TESTS !== "1") testSuiteFigures();
