import { spawnSync } from "child_process";
import { existsSync } from "fs";
import { dirname, join } from "path";

/**
 * Prometheus 3, promtool 3, Alertmanager and amtool 0.3x: Debian sid's packages, unpacked into
 * the project's .tools/ folder by scripts/fetch-prometheus.sh, which `npm test` runs first.
 */

/** The project root: the nearest folder above with a package.json (also from the compiled dist/ copy). */
function projectRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
  }
  throw new Error(`no package.json above ${__dirname}`);
}
const REPO = projectRoot();
/** Where scripts/fetch-prometheus.sh unpacks the packages. */
export const SID_BIN = join(REPO, ".tools", "debian-sid", "usr", "bin");
export const FETCH_COMMAND = "scripts/fetch-prometheus.sh";

export const BINARIES = {
  prometheus: join(SID_BIN, "prometheus"),
  promtool: join(SID_BIN, "promtool"),
  alertmanager: join(SID_BIN, "prometheus-alertmanager"),
  amtool: join(SID_BIN, "amtool"),
} as const;

/** The path of a sid binary; a clear error naming the command that installs it when missing. */
export function requireBinary(name: keyof typeof BINARIES): string {
  return requireExecutable(name, BINARIES[name]);
}

/** `path`, or an error saying that `name` is missing and how to get it. */
export function requireExecutable(name: string, path: string): string {
  if (!existsSync(path)) {
    throw new Error(
      `${name} (Prometheus 3 / Alertmanager 0.3x from Debian sid) not found at ${path}: run ${FETCH_COMMAND} ` +
        "(npm test runs it; it needs apt-get, dpkg and a Debian mirror), then try again",
    );
  }
  return path;
}

/** `<major>.<minor>` that a binary reports with --version. */
export function binaryVersion(name: keyof typeof BINARIES): string {
  const r = spawnSync(requireBinary(name), ["--version"], { encoding: "utf8" });
  const m = /version (\d+\.\d+)/.exec(`${r.stdout}${r.stderr}`);
  if (!m) throw new Error(`cannot read the version of ${BINARIES[name]}: ${r.stdout}${r.stderr}`);
  return m[1];
}
