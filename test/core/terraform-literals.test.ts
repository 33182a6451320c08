import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Fn, TerraformOutput, TerraformStack, Testing } from "cdktf";
import { escapeTemplateString, keepTemplatesLiteral } from "../../lib/core/terraform-literals";
import { PinnedHelmRelease } from "../../lib/platform/pinned-helm-release";
import { AlertRouting } from "../../lib/monitoring/alertmanager/alert-routing";
import { AlertmanagerSecret } from "../../lib/monitoring/alertmanager/alertmanager-secret";
import { platformAlertmanagerConfig } from "../../lib/monitoring/alertmanager/platform-routing";
import { monitoringLabelContract } from "../../lib/contracts/monitoring-labels";
import { CHARTS } from "../../lib/versions";
import { loadConfig } from "../../stacks/config";
import { synthDefaultApp } from "../support/synth";
import { describeWithTerraform, expectGatePassed, terraformGate, terraformReadsStrings } from "../support/terraform-gate";
import { platform, service, synth } from "../workload/fixture";

// Each test synthesizes the default app (and may run Terraform): seconds on a loaded machine.
jest.setTimeout(60_000);

/** What a hostile user writes: an interpolation reading a file and a template directive. */
const FILE_READ = '${file("/etc/passwd")}';
const DIRECTIVE = "%{ for x in y }x%{ endfor }";
const GRAFANA_VARIABLE = "${datasource}";
const PAYLOADS = [FILE_READ, DIRECTIVE, GRAFANA_VARIABLE];

/**
 * The template sequences Terraform would evaluate in a string, by Terraform's scanning rule:
 * `$${` and `%%{` are escapes for the literal text, any other `${` or `%{` starts a sequence.
 */
function evaluatedSequences(s: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s.startsWith("$${", i) || s.startsWith("%%{", i)) i += 2;
    else if (s.startsWith("${", i) || s.startsWith("%{", i)) found.push(s.slice(i, s.indexOf("}", i) + 1));
  }
  return found;
}

/** Every string of a document, object keys included. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
  return [];
}

/** Fails when Terraform would evaluate a payload anywhere in the documents; returns where the payloads sit (escaped). */
function expectOnlyLiteral(docs: readonly object[], payload: string): string[] {
  const all = docs.flatMap(strings);
  // Our own references are evaluated sequences too; none may be a piece of the payload.
  const evaluated = all.flatMap(evaluatedSequences).filter((seq) => payload.includes(seq));
  expect(evaluated).toEqual([]);
  const holders = all.filter((s) => s.includes(escapeTemplateString(payload)));
  expect(holders.length).toBeGreaterThan(0);
  return holders;
}

describe("escapeTemplateString", () => {
  test.each([
    ["plain text", "plain text"],
    [FILE_READ, '$${file("/etc/passwd")}'],
    [DIRECTIVE, "%%{ for x in y }x%%{ endfor }"],
    ["already $${escaped}", "already $$${escaped}"],
    ["a ${TfToken[TOKEN.12]} reference and ${text}", "a ${TfToken[TOKEN.12]} reference and $${text}"],
    ["{{ $labels.pod }} stays", "{{ $labels.pod }} stays"],
  ])("%s", (input, expected) => {
    expect(escapeTemplateString(input)).toBe(expected);
  });
});

describeWithTerraform("Terraform reads the escaped text back as the literal", () => {
  test("for every payload, a doubled escape and text around a template", () => {
    const literals = [...PAYLOADS, "already $${escaped}", "a%{b}c${d}e", "$$", "%"];
    expect(terraformReadsStrings(literals.map(escapeTemplateString))).toEqual(literals);
  });
});

describe("hostile values from every entry path are written literally", () => {
  const dir = mkdtempSync(join(tmpdir(), "literals-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function fromFile(name: string, text: string): Record<string, string> {
    const path = join(dir, name);
    writeFileSync(path, text);
    return { GPU_PLATFORM_CONFIG: path };
  }

  /** Entry path, setting, environment that sets it, the payload, and where it must land. */
  const APP_CASES: [string, Record<string, string>, string][] = [
    ["config file: Secrets Manager id", fromFile("secret.yaml", `alerting:\n  slackWebhookUrl: 'aws-secretsmanager:${FILE_READ}'\n`), FILE_READ],
    ["config file: inference.env value", fromFile("env.json", JSON.stringify({ inference: { env: { MODEL_NAME: DIRECTIVE } } })), DIRECTIVE],
    ["config file: inference.env Secrets Manager id", fromFile("env-secret.yaml", `inference:\n  env:\n    HF_TOKEN: 'aws-secretsmanager:${FILE_READ}#token'\n`), FILE_READ],
  ];

  const synthesized = new Map<string, ReturnType<typeof synthDefaultApp>>();
  const synthOf = (name: string, env: Record<string, string>) => {
    if (!synthesized.has(name)) synthesized.set(name, synthDefaultApp(loadConfig(env)));
    return synthesized.get(name)!;
  };

  test.each(APP_CASES)("%s: no Terraform template evaluates it; it sits escaped in the plan", (name, env, payload) => {
    const { cluster, platform: platformDoc } = synthOf(name, env);
    expectOnlyLiteral([cluster, platformDoc], payload);
  }, 60_000);

  describeWithTerraform("Terraform loads every plan holding a hostile value", () => {
    test.each(APP_CASES)("%s", async (name, env) => {
      const { cluster, platform: platformDoc } = synthOf(name, env);
      const [c, p] = await Promise.all([terraformGate(cluster), terraformGate(platformDoc)]);
      expectGatePassed(`${name}: cluster`, c);
      expectGatePassed(`${name}: platform`, p);
    }, 60_000);
  });

  test("config file: a tag with a template is rejected before it reaches the plan (AWS tag characters)", () => {
    expect(() => loadConfig(fromFile("tag-value.yaml", `tags:\n  team: '${FILE_READ}'\n`))).toThrow(
      "'tags.team' must use letters, digits, spaces and _ . : / = + - @ only (AWS tag characters)",
    );
    expect(() => loadConfig(fromFile("tag-key.yaml", `tags:\n  '${DIRECTIVE}': x\n`))).toThrow("'tags' must have keys of letters, digits, spaces and _ . : / = + - @ only");
  });

  test.each([
    ["config file: inference.image", fromFile("image.json", JSON.stringify({ inference: { image: `registry.example.com/x:${FILE_READ}` } }))],
    ["environment: GPU_PLATFORM_INFERENCE_IMAGE", { GPU_PLATFORM_INFERENCE_IMAGE: `registry.example.com/x:${DIRECTIVE}` }],
  ])("%s: an image with a template is rejected before it reaches the plan (OCI reference)", (_name, env) => {
    expect(() => synthDefaultApp(loadConfig(env))).toThrow("platform/inference-server: 'image' must be an OCI image reference such as registry.example.com/team/server:1.2.0");
  });

  test.each([
    ["inference.egress.cidrs[0].cidr", `inference:\n  egress:\n    cidrs: [{ cidr: '${FILE_READ}', ports: [443] }]\n`, "must be an IPv4 CIDR block"],
    ["inference.egress.namespaces[0].name", `inference:\n  egress:\n    namespaces: [{ name: '${DIRECTIVE}', ports: [6379] }]\n`, "must be a DNS-1123 label"],
    ["cluster.name", `cluster:\n  name: '${FILE_READ}'\n`, "must be 1-100 characters"],
  ])("config file: %s with a template is rejected before it reaches the plan", (setting, yaml, accepted) => {
    expect(() => loadConfig(fromFile("hostile.yaml", yaml))).toThrow(`'${setting}' ${accepted}`);
  });

  test("environment: a cluster name with a template is rejected before it reaches the plan", () => {
    expect(() => loadConfig({ GPU_PLATFORM_CLUSTER_NAME: FILE_READ })).toThrow(/'cluster\.name' must/);
  });

  describe("library props", () => {
    test("InferenceService command, args, env value and service-account annotation", () => {
      const f = platform();
      service(f, {
        command: [`/bin/serve --label=${GRAFANA_VARIABLE}`],
        args: [FILE_READ],
        env: { MODEL_NAME: DIRECTIVE },
        serviceAccountAnnotations: { "example.com/note": FILE_READ },
        autoscaling: false,
      });
      const doc = JSON.parse(synth(f)) as object;
      for (const payload of PAYLOADS) expectOnlyLiteral([doc], payload);
    });

    test("Helm values, given directly or rendered late (Grafana dashboards hold ${var} too)", () => {
      const f = platform();
      const dashboard = { title: `GPU ${GRAFANA_VARIABLE}`, expr: `up{job="${FILE_READ}"}` };
      new PinnedHelmRelease(f.stack, "direct", { releaseName: "direct", namespace: "monitoring", chart: CHARTS.kubePrometheusStack, values: dashboard });
      new PinnedHelmRelease(f.stack, "late", { releaseName: "late", namespace: "monitoring", chart: CHARTS.kubePrometheusStack, values: () => dashboard });
      const doc = JSON.parse(synth(f)) as { resource: { helm_release: Record<string, { values: string[] }> } };
      expect(Object.values(doc.resource.helm_release).map((r) => r.values[0])).toEqual([
        expect.stringContaining("GPU $${datasource}"),
        expect.stringContaining("GPU $${datasource}"),
      ]);
      expectOnlyLiteral([doc], FILE_READ);
    });

    test("AlertRouting: a Secrets Manager id", () => {
      const f = platform();
      new AwsProvider(f.stack, "aws", { region: "us-west-2" });
      new AlertRouting(f.stack, "routing", {
        monitoringLabels: monitoringLabelContract(),
        config: platformAlertmanagerConfig({ pager: [{ kind: "pagerduty", key: AlertmanagerSecret.fromSecretsManager(`team/${FILE_READ}`, { key: "pagerduty" }) }], chat: [] }),
      });
      expectOnlyLiteral([JSON.parse(synth(f)) as object], FILE_READ);
    });

    test("a stack's own elements are covered once any library construct is in it; tokens still resolve", () => {
      const stack = new TerraformStack(Testing.app(), "own");
      new AwsProvider(stack, "aws", { region: "us-west-2" });
      keepTemplatesLiteral(stack);
      const vpc = new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16", tags: { note: FILE_READ } });
      new TerraformOutput(stack, "out", { value: `${vpc.id}/${GRAFANA_VARIABLE}` });
      new TerraformOutput(stack, "expr", { value: Fn.upper(vpc.arn) });
      const doc = JSON.parse(Testing.synth(stack)) as { output: Record<string, { value: string }>; resource: { aws_vpc: Record<string, { tags: Record<string, string> }> } };
      expect(doc.resource.aws_vpc.vpc.tags.note).toBe('$${file("/etc/passwd")}');
      expect(doc.output.out.value).toBe("${aws_vpc.vpc.id}/$${datasource}");
      expect(doc.output.expr.value).toBe("${upper(aws_vpc.vpc.arn)}");
    });
  });
});

describe("the default app's own references still resolve", () => {
  test("cross-stack inputs keep cdktf's workspace expression; nothing of ours is escaped", () => {
    const { cluster, platform: platformDoc } = synthDefaultApp();
    const escaped = [cluster, platformDoc].flatMap(strings).filter((s) => s.includes("$${") || s.includes("%%{"));
    expect(escaped).toEqual([]);
    const remote = (platformDoc.data as Record<string, Record<string, { workspace: string }>>).terraform_remote_state;
    expect(Object.values(remote).map((r) => r.workspace)).toEqual(["${terraform.workspace}"]);
  });
});
