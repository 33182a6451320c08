import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

/** amtool 0.25 from the Debian package prometheus-alertmanager. */
export const AMTOOL = "/usr/bin/amtool";
/** The Alertmanager 0.25 server from the same package. */
export const ALERTMANAGER = "/usr/bin/prometheus-alertmanager";

/** These tests never skip: a missing tool fails them with what to install. */
export function requireTool(path: string): string {
  if (!existsSync(path)) {
    throw new Error(`${path} not found: install the Debian package prometheus-alertmanager (Alertmanager and amtool 0.25)`);
  }
  return path;
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

/** `amtool check-config` on YAML text (amtool 0.25 does not open the `*_file` paths). */
export function checkConfig(dir: TempDir, yaml: string): ToolResult {
  return run(["check-config", dir.write("check.yaml", yaml)]);
}

/** `amtool config routes test --verify.receivers=<expected>` for one label set. */
export function verifyRoute(configFile: string, labels: Readonly<Record<string, string>>, expected: readonly string[]): ToolResult {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return run(["config", "routes", "test", `--config.file=${configFile}`, `--verify.receivers=${expected.join(",")}`, ...pairs]);
}
