import { spawnSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { BINARIES, requireBinary } from "../../e2e/harness/binaries";

/**
 * amtool and Alertmanager 0.3x, the release line kube-prometheus-stack deploys (0.34), from
 * Debian sid's prometheus-alertmanager (0.33), so fields newer than Debian stable's 0.25
 * (`url_file`, `api_secret_file`) are checked as rendered. scripts/fetch-prometheus.sh gets them.
 */
export const AMTOOL = BINARIES.amtool;
/** The Alertmanager server from the same package. */
export const ALERTMANAGER = BINARIES.alertmanager;
/** The minor version the rendered configs target in these tests: the one the binaries are. */
export const AMTOOL_TARGET_VERSION = "0.33";

/** These tests never skip: a missing tool fails them with the command that fetches it. */
export function requireTool(path: string): string {
  const name = (Object.keys(BINARIES) as (keyof typeof BINARIES)[]).find((k) => BINARIES[k] === path);
  if (!name) throw new Error(`${path} is not one of the fetched binaries`);
  return requireBinary(name);
}

export interface ToolResult {
  readonly status: number | null;
  readonly output: string;
}

function run(args: readonly string[]): ToolResult {
  const r = spawnSync(requireTool(AMTOOL), args, { encoding: "utf8", timeout: 10_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A temp directory removed by `dispose`. */
export class TempDir {
  public readonly path = mkdtempSync(join(tmpdir(), "alertmanager-test-"));

  public write(name: string, text: string): string {
    const file = join(this.path, name);
    writeFileSync(file, text);
    return file;
  }

  public dispose(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** `amtool check-config` on YAML text (amtool does not open the `*_file` paths, so they need not exist). */
export function checkConfig(dir: TempDir, yaml: string): ToolResult {
  return run(["check-config", dir.write("check.yaml", yaml)]);
}

/** `amtool config routes test --verify.receivers=<expected>` for one label set. */
export function verifyRoute(configFile: string, labels: Readonly<Record<string, string>>, expected: readonly string[]): ToolResult {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return run(["config", "routes", "test", `--config.file=${configFile}`, `--verify.receivers=${expected.join(",")}`, ...pairs]);
}
