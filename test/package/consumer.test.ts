import { execFileSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";

/**
 * Uses the library as a consumer would: a separate app that resolves the package by name
 * through its `exports` map (built JS and .d.ts, as npm would install it, with the peer
 * dependencies beside it), type-checks against the shipped declarations, and synthesizes.
 */
const root = resolve(__dirname, "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; files: string[] };

const CONSUMER = `
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import {
  ClusterProviders, DcgmExporter, EksCluster, GpuNodeComponents, GpuNodeGroup, NodeRole, monitoringLabelContract,
} from "${pkg.name}";

declare const process: { argv: string[] };
const app = new App({ outdir: process.argv[2] });
const aws = new TerraformStack(app, "gpu-nodes");
new AwsProvider(aws, "aws", { region: "eu-west-1" });
const cluster = EksCluster.fromClusterName(aws, "eks", "team-cluster");
const role = new NodeRole(aws, "role", { clusterName: "team-cluster" });
const pool = new GpuNodeGroup(aws, "l4", { poolName: "l4", instanceTypes: ["g6.xlarge", "g6.2xlarge"], capacityType: "SPOT", cluster, nodeRoleArn: role.arn });

const k8s = new TerraformStack(app, "gpu-addons");
new AwsProvider(k8s, "aws", { region: "eu-west-1" });
new ClusterProviders(k8s, "providers", { cluster: EksCluster.fromClusterName(k8s, "eks", "team-cluster"), region: "eu-west-1" });
const gpu: GpuNodeComponents = new GpuNodeComponents(k8s, "gpu", { pools: [pool], monitoringLabels: monitoringLabelContract("prom") });
const exporter: DcgmExporter = gpu.dcgmExporter;
console.log(exporter.namespace);
app.synth();
`;

/** Runs node with args; on failure the error carries what the command printed. */
function node(args: string[], cwd: string): string {
  try {
    return execFileSync(process.execPath, args, { cwd, encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${err.message}\n${err.stdout ?? ""}${err.stderr ?? ""}`);
  }
}

function link(from: string, to: string): void {
  mkdirSync(join(from, ".."), { recursive: true });
  symlinkSync(to, from, "dir");
}

describe("the npm package, used from another cdktf app", () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(join(root, "dist/lib/index.js")) || !existsSync(join(root, "dist/lib/index.d.ts"))) {
      throw new Error("dist/lib is not built: run `npm run build` first (npm test does)");
    }
    dir = mkdtempSync(join(tmpdir(), "consumer-"));
    // The package itself, and its peer dependencies as the consumer's own installs.
    link(join(dir, "node_modules", pkg.name), root);
    for (const dep of ["cdktf", "constructs", "@cdktf/provider-aws", "@cdktf/provider-helm", "@cdktf/provider-kubernetes"]) {
      link(join(dir, "node_modules", dep), join(root, "node_modules", dep));
    }
    writeFileSync(join(dir, "app.ts"), CONSUMER);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "commonjs", strict: true, skipLibCheck: true, outDir: "out", types: [] }, files: ["app.ts"] }),
    );
  });

  test("type-checks against the shipped declarations, compiles and synthesizes", () => {
    node([join(root, "node_modules/typescript/bin/tsc"), "-p", dir], dir);
    const outdir = join(dir, "cdktf.out");
    const stdout = node([join(dir, "out/app.js"), outdir], dir);
    expect(stdout.trim()).toBe("nvidia");
    const nodes = JSON.parse(readFileSync(join(outdir, "stacks/gpu-nodes/cdk.tf.json"), "utf8"));
    const addons = JSON.parse(readFileSync(join(outdir, "stacks/gpu-addons/cdk.tf.json"), "utf8"));
    const [group] = Object.values(nodes.resource.aws_eks_node_group) as { ami_type: string; capacity_type: string }[];
    expect(group).toMatchObject({ ami_type: "AL2023_x86_64_NVIDIA", capacity_type: "SPOT" });
    const charts = Object.values(addons.resource.helm_release) as { chart: string; values: string[] }[];
    expect(charts.map((c) => c.chart).sort()).toEqual(["dcgm-exporter", "nvidia-device-plugin"]);
    expect(charts.find((c) => c.chart === "dcgm-exporter")!.values[0]).toContain("release: prom");
  });

  test("only the entry point is exported: internal paths stay private", () => {
    const probe = `try { require("${pkg.name}/dist/lib/core/errors"); console.log("reachable"); } catch (e) { console.log(e.code); }`;
    const out = node(["-e", probe], dir);
    expect(out.trim()).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });

  test("the published files are the built library and the README, not sources or tests", () => {
    const packed = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" })) as {
      files: { path: string }[];
    }[];
    const paths = packed[0].files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(["dist/lib/index.js", "dist/lib/index.d.ts", "README.md", "package.json"]));
    expect(paths.filter((p) => !/^dist\/lib\/.*\.(js|d\.ts)$|^README\.md$|^package\.json$/.test(p))).toEqual([]);
  });
});
