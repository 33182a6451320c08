/**
 * Prints the wall time and peak memory of synthesizing the default app (median of several
 * runs, each in a fresh process as `cdktf synth` runs it) and the wall time of the test suite.
 * Run with `npm run bench`; figures only, no pass/fail.
 */
import { spawnSync } from "child_process";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";

const root = resolve(__dirname, "../..");
const runs = Number(process.env.BENCH_RUNS ?? 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// The child reports its own peak RSS (maxRSS, KiB) when it exits.
const probe = `process.on("exit", () => process.stderr.write("MAXRSS=" + process.resourceUsage().maxRSS + "\\n")); require(${JSON.stringify(join(root, "dist/main.js"))});`;

const times: number[] = [];
const rss: number[] = [];
for (let i = 0; i < runs; i++) {
  const outdir = mkdtempSync(join(tmpdir(), "bench-synth-"));
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["-e", probe], { cwd: root, env: { ...process.env, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
  times.push(ms);
  rss.push(Number(/MAXRSS=(\d+)/.exec(r.stderr)![1]) / 1024);
}
console.log(`synth (default app, ${runs} runs): median ${median(times).toFixed(0)} ms, min ${Math.min(...times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`);
console.log(`synth peak memory: median ${median(rss).toFixed(0)} MiB, max ${Math.max(...rss).toFixed(0)} MiB`);

if (process.env.BENCH_SKIP_TESTS !== "1") {
  const start = process.hrtime.bigint();
  const t = spawnSync("npx", ["--no-install", "jest", "--ci", "--silent"], { cwd: root, encoding: "utf8" });
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  const summary = /Tests:\s+(.*)/.exec(t.stderr)?.[1] ?? "no summary";
  console.log(`test suite (jest --ci): ${s.toFixed(1)} s wall, ${summary}${t.status === 0 ? "" : " (FAILED)"}`);
}
