import { execFile, spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

/**
 * The Terraform gate: `terraform init -backend=false` on a synthesized stack. Init loads and
 * decodes the whole configuration (JSON syntax, block structure, meta-arguments such as
 * depends_on, lifecycle, count and for_each, duplicate declarations) before it installs
 * providers. No provider can be installed here, so the run ends at that step; reaching it with
 * no other error is the pass. Checks that need provider schemas (attribute names and types,
 * required arguments, references) are out of its reach: `terraform validate` needs the providers.
 */

const TERRAFORM = process.env.TERRAFORM_BINARY ?? "terraform";
/** The one error that is expected: the providers cannot be installed. */
const PROVIDER_INSTALL_ERROR = "Failed to query available provider packages";
const INSTALL_HINT = "install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install) and put `terraform` on PATH";

export interface TerraformGateResult {
  /** Errors other than the expected provider-installation ones, each as Terraform printed it. */
  readonly problems: string[];
  /** Whether init got as far as installing providers, i.e. the configuration loaded. */
  readonly reachedProviders: boolean;
  /** Everything Terraform printed, for failure messages. */
  readonly output: string;
}

let workspace: string | undefined;

/**
 * A temporary folder with a CLI configuration whose only provider source is an empty
 * filesystem mirror: init never reaches for the registry, with or without network, so it fails
 * at once on providers and no download is ever attempted. An explicit file also silences the
 * "Unable to open CLI configuration file" warning.
 */
function gateWorkspace(): string {
  if (workspace === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "terraform-gate-"));
    mkdirSync(join(dir, "empty-mirror"));
    writeFileSync(join(dir, "cli.tfrc"), `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(join(dir, "empty-mirror"))}\n  }\n}\n`);
    workspace = dir;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return workspace;
}

function terraformEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_CLI_CONFIG_FILE: join(gateWorkspace(), "cli.tfrc"),
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
  };
  // A plugin cache or data dir from the caller's shell would change what init does.
  delete env.TF_PLUGIN_CACHE_DIR;
  delete env.TF_DATA_DIR;
  return env;
}

/** The Terraform version on PATH, or undefined when there is none. */
export function terraformVersion(): string | undefined {
  const run = spawnSync(TERRAFORM, ["version", "-json"], { encoding: "utf8", env: terraformEnv() });
  if (run.status !== 0) return undefined;
  return (JSON.parse(run.stdout) as { terraform_version: string }).terraform_version;
}

/** Splits Terraform's `-no-color` output into its error diagnostics, each starting "Error: <summary>". */
export function errorDiagnostics(output: string): string[] {
  return output
    .split(/^(?=Error: )/m)
    .filter((block) => block.startsWith("Error: "))
    .map((block) => block.split(/^(?=Warning: )/m)[0].trim());
}

/** Runs the gate on one synthesized stack (a cdk.tf.json document or its text). */
export function terraformGate(stack: object | string): Promise<TerraformGateResult> {
  const dir = mkdtempSync(join(gateWorkspace(), "stack-"));
  writeFileSync(join(dir, "cdk.tf.json"), typeof stack === "string" ? stack : JSON.stringify(stack, null, 2));
  return new Promise((resolve, reject) => {
    execFile(
      TERRAFORM,
      ["init", "-backend=false", "-input=false", "-no-color"],
      { cwd: dir, env: terraformEnv(), encoding: "utf8", timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(new Error(`terraform init could not run in ${dir}: ${error.message}`));
          return;
        }
        const output = `${stdout}${stderr}`;
        rmSync(dir, { recursive: true, force: true });
        resolve({
          problems: errorDiagnostics(output).filter((e) => !e.startsWith(`Error: ${PROVIDER_INSTALL_ERROR}`)),
          reachedProviders: output.includes("Initializing provider plugins..."),
          output,
        });
      },
    );
  });
}

/** Runs the gate on several stacks at once, one process and one folder each. */
export async function terraformGateAll(stacks: Readonly<Record<string, object | string>>): Promise<Record<string, TerraformGateResult>> {
  const names = Object.keys(stacks);
  const results = await Promise.all(names.map((name) => terraformGate(stacks[name])));
  return Object.fromEntries(names.map((name, i) => [name, results[i]]));
}

/** Fails with Terraform's own messages unless the stack passed the gate. */
export function expectGatePassed(name: string, result: TerraformGateResult): void {
  if (result.problems.length > 0 || !result.reachedProviders) {
    const why = result.problems.length > 0 ? result.problems.join("\n\n") : `init stopped before installing providers:\n${result.output}`;
    throw new Error(`Terraform rejects stack '${name}':\n${why}`);
  }
}

const version = terraformVersion();

/**
 * `describe` when Terraform is on PATH. Without it: in CI (CI=true) the suite fails, since the
 * gate is required there; elsewhere it is skipped with a one-line notice.
 */
export function describeWithTerraform(name: string, body: () => void): void {
  if (version !== undefined) {
    describe(name, body);
  } else if (process.env.CI === "true") {
    describe(name, () => {
      test("terraform is installed (required in CI)", () => {
        throw new Error(`${name}: no terraform binary found; the Terraform gate is required in CI: ${INSTALL_HINT}`);
      });
    });
  } else {
    console.warn(`${name}: skipped, no terraform binary: synthesized stacks are not checked by Terraform; ${INSTALL_HINT}`);
    describe.skip(name, body);
  }
}

/**
 * What Terraform reads a list of strings as, each a template in a Terraform JSON document
 * (`terraform console` on a configuration of one local; no provider or state needed).
 * Proves an escape by Terraform's own rules rather than ours.
 */
export function terraformReadsStrings(templates: readonly string[]): string[] {
  const dir = mkdtempSync(join(gateWorkspace(), "console-"));
  try {
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify({ locals: { v: templates } }));
    const run = spawnSync(TERRAFORM, ["console", "-no-color"], { cwd: dir, env: terraformEnv(), encoding: "utf8", input: "jsonencode(local.v)\n", timeout: 60_000 });
    if (run.status !== 0) throw new Error(`terraform console failed:\n${run.stdout}${run.stderr}`);
    // The console prints the jsonencode result as an HCL string literal, itself JSON-compatible.
    return JSON.parse(JSON.parse(run.stdout.trim()) as string) as string[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
