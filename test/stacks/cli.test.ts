import { spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { Annotations, App, TerraformStack } from "cdktf";
import { runCli } from "../../stacks/cli";
import { loadConfig } from "../../stacks/config";
import { formatValue, PlatformConfigError } from "../../lib/core/errors";

function run(main: () => App | void, env: Record<string, string> = {}): { lines: string[]; code?: number } {
  const lines: string[] = [];
  let code: number | undefined;
  runCli(main, { stderr: (l) => lines.push(...l.split("\n")), exit: (c) => (code = c), env });
  return { lines, code };
}

function configFile(name: string, content: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), "cli-config-")), name);
  writeFileSync(path, content);
  return path;
}

/** The one error line loadConfig produces for a config file, through the CLI wrapper. */
function configError(name: string, content: string | Buffer): string[] {
  const path = configFile(name, content);
  const { lines, code } = run(() => void loadConfig({ GPU_PLATFORM_CONFIG: path }));
  expect(code).toBe(1);
  return lines.map((l) => l.replace(path, "FILE"));
}

describe("errors a person can read", () => {
  test("a configuration error is one line, no stack trace, exit code 1", () => {
    const { lines, code } = run(() => {
      throw new PlatformConfigError("config", "region", "mars-1", "must be one of us-east-1, ...");
    });
    expect(code).toBe(1);
    expect(lines).toEqual([`error: config: 'region' must be one of us-east-1, ..., got "mars-1"`]);
  });

  test("the stack trace only when GPU_PLATFORM_DEBUG=1 asks for it", () => {
    const fail = () => {
      throw new PlatformConfigError("config", "region", "mars-1", "must be a region");
    };
    expect(run(fail).lines.some((l) => /^\s+at /.test(l))).toBe(false);
    expect(run(fail, { GPU_PLATFORM_DEBUG: "1" }).lines.some((l) => /^\s+at /.test(l))).toBe(true);
  });

  test("synth-time validation errors of cdktf become one line each, with their stack", () => {
    const { lines, code } = run(() => {
      throw new Error(
        "Validation failed with the following errors:\n  [platform] platform/a: first problem\n  [cluster] cluster/b: second problem\n\nIf you wish to ignore these validations, pass 'skipValidation: true' to your App configuration.\n",
      );
    });
    expect(code).toBe(1);
    expect(lines).toEqual(["error: platform: platform/a: first problem", "error: cluster: cluster/b: second problem"]);
  });

  test("an unexpected exception is said to be a bug, in one line", () => {
    const { lines } = run(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'x')\n    at somewhere");
    });
    expect(lines).toEqual([
      "error: unexpected failure (a bug: please report it with the output of GPU_PLATFORM_DEBUG=1): Cannot read properties of undefined (reading 'x')",
    ]);
  });

  test("warnings print under plain node, and are left to the cdktf CLI under it", () => {
    const build = () => {
      const app = new App({ outdir: mkdtempSync(join(tmpdir(), "cli-out-")) });
      Annotations.of(new TerraformStack(app, "s")).addWarning("placeholder image");
      return app;
    };
    expect(run(build).lines).toEqual(["warning: s: placeholder image"]);
    expect(run(build, { SYNTH_HCL_OUTPUT: "false" }).lines).toEqual([]);
  });
});

describe("malformed configuration files never crash", () => {
  test("a directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-dir-"));
    mkdirSync(join(dir, "platform.yaml"));
    const { lines } = run(() => void loadConfig({ GPU_PLATFORM_CONFIG: join(dir, "platform.yaml") }));
    expect(lines[0]).toMatch(/^error: config: 'GPU_PLATFORM_CONFIG' must name a JSON or YAML file, not a directory, got ".*platform\.yaml"$/);
  });

  test("an empty file", () => {
    expect(configError("platform.yaml", "\n\n")).toEqual([`error: FILE: '(file)' must hold an object of settings ({} for none), but the file is empty, got ""`]);
  });

  test("a JSON file with a trailing comma: file, line and column", () => {
    expect(configError("platform.json", '{\n  "region": "eu-west-1",\n}\n')).toEqual([
      "error: FILE:3:1: invalid JSON: Expected double-quoted property name",
    ]);
  });

  test("a UTF-8 byte-order mark is not part of the settings", () => {
    const path = configFile("platform.json", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"region":"eu-west-1"}')]));
    expect(loadConfig({ GPU_PLATFORM_CONFIG: path }).region).toBe("eu-west-1");
  });

  test("duplicate keys are rejected with their position", () => {
    expect(configError("platform.yaml", "region: eu-west-1\nregion: us-east-1\n")).toEqual(["error: FILE:2:1: invalid YAML: Map keys must be unique"]);
  });

  test("a YAML alias bomb is stopped, not expanded", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`);
    const [line] = configError("platform.yaml", bomb.join("\n"));
    expect(line).toMatch(/^error: FILE:1:1: cannot be read as YAML: Excessive alias count/);
  });

  test("very deep nesting is an error, not a crash", () => {
    // Deep enough to overflow the YAML parser's own stack: said as what it is, not "call stack size".
    const [line] = configError("platform.yaml", `tags: ${"[".repeat(20000)}${"]".repeat(20000)}\n`);
    expect(line).toMatch(/^error: FILE:1:\d+: invalid YAML: nests more deeply than can be read \(at most 32 levels are accepted\)$/);
    // JSON.parse copes with 20,000 levels; the checks that walk the settings are stopped before.
    expect(configError("platform.json", `${'{"a":'.repeat(20000)}1${"}".repeat(20000)}`)).toEqual([
      "error: FILE: nests objects or lists more than 32 levels deep; the settings nest only a few levels",
    ]);
    // The file's own map and 32 lists: over the limit by one; the same message for YAML that parses.
    expect(configError("platform.yaml", `tags: ${"[".repeat(32)}${"]".repeat(32)}\n`)).toEqual([
      "error: FILE: nests objects or lists more than 32 levels deep; the settings nest only a few levels",
    ]);
  });

  test("a value too deep to print is described, not shown as [object Object]", () => {
    // 32 levels with a scalar at the bottom is within the limit; the value is then printed.
    expect(configError("platform.yaml", `tags: ${"[".repeat(31)}1${"]".repeat(31)}\n`)[0]).toMatch(/^error: FILE: 'tags' .*, got \[{31}1\]{31}$/);
    expect(formatValue(JSON.parse(`${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`) as unknown)).toBe("<not shown: an object too deeply nested to print>");
  });

  test("merge keys are supported", () => {
    const path = configFile("platform.yaml", ["base: &pool { instanceTypes: [g5.xlarge], maxSize: 4 }", "gpuPools:", "  - <<: *pool", "    name: a10g"].join("\n"));
    // `base` itself is not a setting: the anchor's holder is reported, merged pools are read.
    expect(() => loadConfig({ GPU_PLATFORM_CONFIG: path })).toThrow("'base' is not a known setting");
    const ok = configFile("platform.yaml", ["gpuPools:", "  - &pool { name: a10g, instanceTypes: [g5.xlarge], maxSize: 4 }", "  - <<: *pool", "    name: a10g-2"].join("\n"));
    expect(loadConfig({ GPU_PLATFORM_CONFIG: ok }).gpuPools.map((p) => [p.name, p.maxSize])).toEqual([
      ["a10g", 4],
      ["a10g-2", 4],
    ]);
  });

  test(".inf and .nan are reported as what they are, not null", () => {
    expect(configError("platform.yaml", "gpuPools:\n  - { name: a10g, instanceTypes: [g5.xlarge], maxSize: .inf }\n")).toEqual([
      "error: FILE: 'gpuPools[0].maxSize' must be a number, got Infinity",
    ]);
    expect(configError("platform.yaml", "devicePlugin: { timeSlicingReplicas: .nan }\n")).toEqual([
      "error: FILE: 'devicePlugin.timeSlicingReplicas' must be a number, got NaN",
    ]);
  });
});

describe("the built app", () => {
  test("node dist/main.js with a bad config prints one line and exits 1", () => {
    const path = configFile("platform.yaml", "regoin: eu-west-1\n");
    const r = spawnSync(process.execPath, [resolve(__dirname, "../../dist/main.js")], {
      env: { PATH: process.env.PATH, GPU_PLATFORM_CONFIG: path, CDKTF_OUTDIR: mkdtempSync(join(tmpdir(), "cli-out-")) },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0].startsWith(`error: ${path}: 'regoin' is not a known setting (did you mean 'region'?); known settings here: region,`)).toBe(true);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test("node dist/scripts/export.js prints the same one line, without the secret, and exits 1", () => {
    const secret = "AbCdEfGhIjKlMnOpQrStUvWx";
    const path = configFile("platform.yaml", `alerting: { slackWebhookURL: https://hooks.slack.com/services/T1/B1/${secret} }\n`);
    const r = spawnSync(process.execPath, [resolve(__dirname, "../../dist/scripts/export.js"), "--out", mkdtempSync(join(tmpdir(), "export-out-"))], {
      env: { PATH: process.env.PATH, GPU_PLATFORM_CONFIG: path },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      `error: ${path}: 'alerting.slackWebhookURL' is not a known setting (did you mean 'slackWebhookUrl'?); known settings here: slackWebhookUrl, pagerdutyRoutingKey, wecomRobotBridgeUrl, got <not shown: a string of 63 characters that may be a secret>`,
    ]);
    expect(r.stderr + r.stdout).not.toContain(secret.slice(0, 8));
  });

  test.each([
    ["backtest", []],
    ["diagram", ["--check"]],
  ])("node dist/scripts/%s.js prints a bad setting as one line and exits 1", (script, args) => {
    const path = configFile("platform.yaml", "gpuPools:\n  - { name: a10g, instanceTypes: [g5.banana], maxSize: 2 }\n");
    const r = spawnSync(process.execPath, [resolve(__dirname, `../../dist/scripts/${script}.js`), ...args], {
      env: { PATH: process.env.PATH, GPU_PLATFORM_CONFIG: path },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^error: cluster\/gpu-pool-a10g: 'instanceTypes\[0\]' must be an EC2 instance type \(family.size, as EC2 lists them\): g5 comes in .*, got "g5.banana"$/)]);
  });
});
