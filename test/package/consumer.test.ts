import { execFileSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { parse } from "yaml";

/**
 * The package as users install it: `npm pack` once, the tarball unpacked into a separate
 * consumer app's node_modules (what `npm install` does with it), its runtime and peer
 * dependencies linked from this project's node_modules (offline), and the README's "Using the
 * constructs in your own cdktf app" example compiled against the shipped declarations and
 * synthesized, so the README cannot drift from the API.
 */
const root = resolve(__dirname, "../..");
interface PackageJson {
  readonly name: string;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as PackageJson;

/** The TypeScript block of the README section, exactly as a reader copies it. */
export function readmeExample(readme: string): string {
  const heading = "## Using the constructs in your own cdktf app";
  const at = readme.indexOf(heading);
  if (at < 0) throw new Error(`README.md has no section "${heading}"`);
  const section = readme.slice(at, readme.indexOf("\n## ", at + heading.length) >>> 0 || undefined);
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error(`README.md section "${heading}" has no \`\`\`ts block`);
  return m[1];
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync(cmd, args, { cwd, env, encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${err.message}\n${err.stdout ?? ""}${err.stderr ?? ""}`);
  }
}

function link(from: string, to: string): void {
  mkdirSync(join(from, ".."), { recursive: true });
  symlinkSync(realpathSync(to), from, "dir");
}

interface Packed {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: { readonly path: string }[];
}

describe("the npm package, installed into another cdktf app", () => {
  let dir: string;
  let packed: Packed;
  beforeAll(() => {
    if (!existsSync(join(root, "dist/lib/index.js")) || !existsSync(join(root, "dist/lib/index.d.ts"))) {
      throw new Error("dist/lib is not built: run `npm run build` first (npm test does)");
    }
    dir = mkdtempSync(join(tmpdir(), "consumer-"));
    [packed] = JSON.parse(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], root)) as Packed[];
    const installed = join(dir, "node_modules", pkg.name);
    mkdirSync(installed, { recursive: true });
    run("tar", ["-xzf", join(dir, packed.filename), "-C", installed, "--strip-components=1"], dir);
    for (const dep of [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]) {
      link(join(dir, "node_modules", dep), join(root, "node_modules", dep));
    }
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, dependencies: { [pkg.name]: `file:${packed.filename}` } }));
    writeFileSync(join(dir, "app.ts"), readmeExample(readFileSync(join(root, "README.md"), "utf8")));
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "commonjs", strict: true, skipLibCheck: false, outDir: "out", types: [] }, files: ["app.ts"] }),
    );
  }, 60_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the README example type-checks against the shipped declarations and synthesizes", () => {
    run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], dir);
    const outdir = join(dir, "cdktf.out");
    run(process.execPath, [join(dir, "out/app.js")], dir, { ...process.env, CDKTF_OUTDIR: outdir });
    type Doc = { resource: Record<string, Record<string, Record<string, unknown>>> };
    const nodes = JSON.parse(readFileSync(join(outdir, "stacks/gpu-nodes/cdk.tf.json"), "utf8")) as Doc;
    const workloads = JSON.parse(readFileSync(join(outdir, "stacks/gpu-workloads/cdk.tf.json"), "utf8")) as Doc;
    // A GPU pool ...
    expect(Object.values(nodes.resource.aws_eks_node_group)).toEqual([expect.objectContaining({ ami_type: "AL2023_x86_64_NVIDIA", capacity_type: "SPOT" })]);
    // ... the NVIDIA components, kube-prometheus-stack and the adapter the HPA reads ...
    const releases = Object.values(workloads.resource.helm_release) as { chart: string; values: string[] }[];
    expect(releases.map((r) => r.chart).sort()).toEqual(["dcgm-exporter", "kube-prometheus-stack", "nvidia-device-plugin", "prometheus-adapter"]);
    // ... with the service's alert rules, and the model server itself, autoscaled.
    const kps = parse(releases.find((r) => r.chart === "kube-prometheus-stack")!.values[0]) as { additionalPrometheusRulesMap: Record<string, unknown> };
    expect(Object.keys(kps.additionalPrometheusRulesMap).some((k) => k.includes("detector"))).toBe(true);
    const [deployment] = Object.values(workloads.resource.kubernetes_deployment_v1) as { metadata: { name: string; namespace: string } }[];
    expect(deployment.metadata).toMatchObject({ name: "detector", namespace: "inference" });
    expect(Object.keys(workloads.resource.kubernetes_horizontal_pod_autoscaler_v2)).toHaveLength(1);
    // Every release in the monitoring namespace waits for it.
    const all = workloads.resource.helm_release as Record<string, { namespace: string; depends_on?: string[] }>;
    const inMonitoring = Object.values(all).filter((r) => r.namespace === "monitoring");
    expect(inMonitoring).toHaveLength(2);
    for (const r of inMonitoring) expect(r.depends_on).toEqual(expect.arrayContaining(["kubernetes_namespace_v1.monitoring-namespace"]));
  }, 60_000);

  test("only the entry point is exported: internal paths stay private", () => {
    const probe = `try { require("${pkg.name}/dist/lib/core/errors"); console.log("reachable"); } catch (e) { console.log(e.code); }`;
    expect(run(process.execPath, ["-e", probe], dir).trim()).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });

  test("the tarball holds the built library, its declarations and the README: no sources, tests, snapshots or scripts", () => {
    const paths = packed.files.map((f) => f.path).sort();
    expect(paths).toEqual(expect.arrayContaining(["README.md", "dist/lib/index.d.ts", "dist/lib/index.js", "package.json"]));
    expect(paths.filter((p) => !/^dist\/lib\/.*\.(js|d\.ts)$|^README\.md$|^package\.json$|^LICENSE$/.test(p))).toEqual([]);
    expect(paths.filter((p) => /(^|\/)(test|scripts|__snapshots__)\/|\.test\.|\.snap$|\.ts$(?<!\.d\.ts)/.test(p))).toEqual([]);
    // A budget, not a measurement: the note in the README gives the figure.
    expect(packed.size).toBeLessThan(1_000_000);
    process.stderr.write(`npm pack: ${packed.filename} ${(packed.size / 1024).toFixed(0)} kB packed, ${(packed.unpackedSize / 1024).toFixed(0)} kB unpacked, ${packed.files.length} files\n`);
  });
});
