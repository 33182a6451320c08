import { spawn } from "child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync } from "fs";
import { homedir, tmpdir } from "os";
import { join, relative } from "path";
import diff from "microdiff";
import { ROOT } from "./project-copy";

/**
 * The synthesized plan depends on the configuration only: not on the folder it is built in,
 * the output folder, the time or chance. Two copies of the built app in different folders
 * synthesize into different output folders; every file must be byte-for-byte the same.
 */
function appCopy(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const f of ["dist/main.js", "dist/lib", "dist/stacks", "cdktf.json", "package.json"]) cpSync(join(ROOT, f), join(dir, f), { recursive: true });
  symlinkSync(realpathSync(join(ROOT, "node_modules")), join(dir, "node_modules"), "dir");
  return dir;
}

function synth(cwd: string, outdir: string): Promise<void> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GPU_PLATFORM_")));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["dist/main.js"], { cwd, env: { ...env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" }, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`synth in ${cwd} failed: ${err}`))));
  });
}

function files(dir: string): string[] {
  const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
  return walk(dir)
    .map((f) => relative(dir, f))
    .sort();
}

/** Where two synthesized documents differ, with the construct path of the resource: names the culprit. */
function culprits(a: string, b: string): string[] {
  const x = JSON.parse(a) as Record<string, unknown>;
  const y = JSON.parse(b) as Record<string, unknown>;
  return diff(x, y)
    .slice(0, 10)
    .map((d) => {
      const [block, type, id] = d.path;
      const res = (x[block as string] as Record<string, Record<string, { "//"?: { metadata?: { path?: string } } }>> | undefined)?.[type as string]?.[id as string];
      return `${d.path.join(".")} (${res?.["//"]?.metadata?.path ?? "no construct path"}): ${JSON.stringify((d as { oldValue?: unknown }).oldValue)} vs ${JSON.stringify((d as { value?: unknown }).value)}`;
    });
}

describe("the synthesized plan is stable", () => {
  let a: string;
  let b: string;
  beforeAll(async () => {
    if (!existsSync(join(ROOT, "dist/main.js"))) throw new Error("dist is not built: run `npm run build` first (npm test does)");
    a = appCopy("stable-a-");
    b = appCopy("stable-b-elsewhere-");
    // Different working folders, a relative and an absolute output folder of different names.
    await Promise.all([synth(a, "cdktf.out"), synth(b, join(b, "synth-output"))]);
  }, 60_000);
  afterAll(() => {
    for (const d of [a, b]) if (d) rmSync(d, { recursive: true, force: true });
  });

  test("two synths in different folders are byte-for-byte the same", () => {
    const outA = join(a, "cdktf.out");
    const outB = join(b, "synth-output");
    const listA = files(outA);
    expect(listA).toEqual(files(outB));
    expect(listA).toEqual(expect.arrayContaining(["manifest.json", "stacks/cluster/cdk.tf.json", "stacks/platform/cdk.tf.json"]));
    const different = listA.filter((f) => !readFileSync(join(outA, f)).equals(readFileSync(join(outB, f))));
    const report = different.map((f) => `${f}:\n  ${f.endsWith(".json") ? culprits(readFileSync(join(outA, f), "utf8"), readFileSync(join(outB, f), "utf8")).join("\n  ") : "differs"}`);
    expect(report).toEqual([]);
  });

  test("no path of this machine, no timestamp in the synthesized files", () => {
    const outA = join(a, "cdktf.out");
    for (const f of files(outA)) {
      const text = readFileSync(join(outA, f), "utf8");
      for (const p of [a, realpathSync(a), ROOT, homedir()]) expect({ file: f, contains: text.includes(p) ? p : undefined }).toEqual({ file: f, contains: undefined });
      expect({ file: f, timestamp: /\b20\d\d-[01]\d-[0-3]\dT[0-2]\d:/.exec(text)?.[0] }).toEqual({ file: f, timestamp: undefined });
    }
  });
});
