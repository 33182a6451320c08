import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EnvValue } from "../../lib/workload/env-value";
import { loadConfig, resolveConfig } from "../../stacks/config";
import { resourceAt, resourcesOf, synthDefaultApp } from "../support/synth";
import { describeWithTerraform, expectGatePassed, terraformGate } from "../support/terraform-gate";
import { Json, expectResource, onlyResource, platform, resourcesOf as resourcesIn, service, synth } from "./fixture";

// Each test synthesizes the default app (and may run Terraform): seconds on a loaded machine.
jest.setTimeout(60_000);

const HF = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345";
const REFERENCE_FORMS =
  'reference it instead with EnvValue.fromSecret("<secret name>", "<key>") or EnvValue.fromSecretsManager("<secret id>", { jsonKey: "<key>" }) ' +
  '(in the configuration file: "kubernetes:<secret name>/<key>" or "aws-secretsmanager:<secret id>[#<json key>]")';

interface EnvEntry { name: string; value?: string; value_from?: { secret_key_ref: { name: string; key: string } } }

function containerEnv(synthesized: string, container = "container"): EnvEntry[] {
  const deployment = onlyResource(synthesized, "kubernetes_deployment_v1") as unknown as { spec: { template: { spec: Record<string, { env: EnvEntry[] }[]> } } };
  return deployment.spec.template.spec[container][0].env;
}

describe("InferenceService env: secrets by reference only", () => {
  test.each([
    ["HF_TOKEN", "not-a-real-token"],
    ["OPENAI_API_KEY", "short"],
    ["DB_PASSWORD", "hunter2"],
    ["MY_SECRET_VALUE", "s3cr3t"],
    ["AWS_SECRET_ACCESS_KEY", "abc"],
    ["MODEL_REPO", HF],
  ])("a literal %s is refused, the value is not shown, the reference form is", (name, value) => {
    const f = platform();
    expect(() => service(f, { env: { [name]: value } })).toThrow(`svc: 'env.${name}' looks like a secret, which must never be written into the plan or the Deployment: ${REFERENCE_FORMS}`);
    try {
      service(platform(), { env: { [name]: value } });
    } catch (e) {
      expect((e as Error).message).not.toContain(value);
    }
  });

  test("the model init container is checked too", () => {
    const f = platform();
    expect(() =>
      service(f, { model: { volume: { source: { kind: "emptyDir", sizeLimit: "10Gi" } } as never, init: { image: "registry.example.com/fetch:1", env: { HF_TOKEN: "t" } } } }),
    ).toThrow("'model.init.env.HF_TOKEN' looks like a secret");
  });

  test.each([["1BAD"], ["HAS SPACE"], ["A=B"], [""]])("env name %j is refused", (name) => {
    expect(() => service(platform(), { env: { [name]: "x" } })).toThrow(
      `svc: 'env' must have names of letters, digits, '_', '-' and '.', not starting with a digit (Kubernetes rejects others), got ${JSON.stringify(name)}`,
    );
  });

  test("EnvValue.notSecret allows text under a secret-like name, never a credential-shaped value", () => {
    const f = platform();
    service(f, { env: { CACHE_KEY: EnvValue.notSecret("model-v2") }, autoscaling: false });
    expect(containerEnv(synth(f))).toContainEqual({ name: "CACHE_KEY", value: "model-v2" });
    expect(() => service(platform(), { env: { CACHE_KEY: EnvValue.notSecret(HF) } })).toThrow("'env.CACHE_KEY' looks like a secret");
  });

  test("a Kubernetes Secret key becomes a secretKeyRef; plain text stays a value", () => {
    const f = platform();
    service(f, { env: { HF_TOKEN: EnvValue.fromSecret("hf-token", "token"), LOG_LEVEL: "info" }, autoscaling: false });
    const synthesized = synth(f);
    expect(containerEnv(synthesized)).toEqual([
      { name: "HOME", value: "/tmp" },
      { name: "HF_TOKEN", value_from: { secret_key_ref: { name: "hf-token", key: "token" } } },
      { name: "LOG_LEVEL", value: "info" },
    ]);
    expect(resourcesIn(synthesized, "kubernetes_secret_v1")).toEqual({});
  });

  test("a Secrets Manager secret is copied at apply into <service>-env, which the Deployment waits for", () => {
    const f = platform();
    new AwsProvider(f.stack, "aws", { region: "us-west-2" });
    service(f, { env: { HF_TOKEN: EnvValue.fromSecretsManager("prod/hf", { jsonKey: "token" }), WANDB_API_KEY: EnvValue.fromSecretsManager("prod/wandb") }, autoscaling: false });
    const synthesized = synth(f);
    const parsed = JSON.parse(synthesized) as { data: { aws_secretsmanager_secret_version: Record<string, { secret_id: string; version_stage: string }> } };
    const versions = Object.entries(parsed.data.aws_secretsmanager_secret_version);
    expect(versions.map(([, v]) => v)).toEqual([
      { secret_id: "prod/hf", version_stage: "AWSCURRENT" },
      { secret_id: "prod/wandb", version_stage: "AWSCURRENT" },
    ]);
    const [[hfId], [wandbId]] = versions;
    expectResource(synthesized, "kubernetes_secret_v1", {
      metadata: { name: "detector-env", namespace: "inference" },
      type: "Opaque",
      data: {
        "server.HF_TOKEN": `\${jsondecode(data.aws_secretsmanager_secret_version.${hfId}.secret_string).token}`,
        "server.WANDB_API_KEY": `\${data.aws_secretsmanager_secret_version.${wandbId}.secret_string}`,
      },
    });
    expect(containerEnv(synthesized)).toContainEqual({ name: "HF_TOKEN", value_from: { secret_key_ref: { name: "detector-env", key: "server.HF_TOKEN" } } });
    const deployment = onlyResource(synthesized, "kubernetes_deployment_v1") as { depends_on: string[] };
    expect(deployment.depends_on).toContainEqual(expect.stringMatching(/^kubernetes_secret_v1\.svc_env-secret_/));
  });
});

describe("default app: inference.env in the configuration file", () => {
  test("a literal token is refused naming the file's setting, without the value", () => {
    expect(() => resolveConfig({ inference: { env: { HF_TOKEN: HF } } })).toThrow(
      `config: 'inference.env.HF_TOKEN' looks like a secret, which must never be written into the plan or the Deployment: ${REFERENCE_FORMS}; for text under such a name that is not a secret, use EnvValue.notSecret(...), got <not shown: a string of 35 characters that may be a secret>`,
    );
  });

  test("references and text reach the Deployment", () => {
    const config = resolveConfig({ inference: { env: { HF_TOKEN: "aws-secretsmanager:prod/hf#token", API_KEY: "kubernetes:api/key", LOG_LEVEL: "debug" } } });
    const { platform: doc } = synthDefaultApp(config);
    const deployment = resourceAt(doc, "kubernetes_deployment_v1", "inference-server/deployment") as { spec: { template: { spec: { container: { env: Json }[] } } } };
    expect(deployment.spec.template.spec.container[0].env).toEqual([
      { name: "HOME", value: "/tmp" },
      { name: "HF_TOKEN", value_from: { secret_key_ref: { name: "inference-server-env", key: "server.HF_TOKEN" } } },
      { name: "API_KEY", value_from: { secret_key_ref: { name: "api", key: "key" } } },
      { name: "LOG_LEVEL", value: "debug" },
    ]);
    expect(Object.values(resourcesOf(doc, "kubernetes_secret_v1")).map((s) => (s.metadata as { name: string }).name)).toContain("inference-server-env");
  });

  test("a value that is not a string map is refused by the shape check", () => {
    expect(() => loadConfig({ GPU_PLATFORM_CONFIG: undefined })).not.toThrow();
    expect(() => resolveConfig({ inference: { env: { N: 1 } } })).toThrow("config: 'inference.env' must be a map of strings");
  });
});

describe("default app: services[].env in the configuration file", () => {
  const detector = { name: "detector", image: "registry.example.com/detector:1.0", autoscaling: { maxReplicas: 4 } };

  test("a literal token is refused naming the service's setting, without the value", () => {
    expect(() => resolveConfig({ services: [{ ...detector, env: { HF_TOKEN: HF } }] } as never)).toThrow(
      `config: 'services["detector"].env.HF_TOKEN' looks like a secret, which must never be written into the plan or the Deployment: ${REFERENCE_FORMS}; for text under such a name that is not a secret, use EnvValue.notSecret(...), got <not shown: a string of 35 characters that may be a secret>`,
    );
  });

  test("references and text reach the service's Deployment", () => {
    const config = resolveConfig({ services: [{ ...detector, env: { HF_TOKEN: "aws-secretsmanager:prod/hf#token", API_KEY: "kubernetes:api/key", LOG_LEVEL: "debug" } }] } as never);
    const { platform: doc } = synthDefaultApp(config);
    const deployment = resourceAt(doc, "kubernetes_deployment_v1", "detector/deployment") as { spec: { template: { spec: { container: { env: Json }[] } } } };
    expect(deployment.spec.template.spec.container[0].env).toEqual([
      { name: "HOME", value: "/tmp" },
      { name: "HF_TOKEN", value_from: { secret_key_ref: { name: "detector-env", key: "server.HF_TOKEN" } } },
      { name: "API_KEY", value_from: { secret_key_ref: { name: "api", key: "key" } } },
      { name: "LOG_LEVEL", value: "debug" },
    ]);
  });
});

describeWithTerraform("Terraform loads a plan with env secrets", () => {
  test("Secrets Manager and Kubernetes references", async () => {
    const { platform: doc } = synthDefaultApp(resolveConfig({ inference: { env: { HF_TOKEN: "aws-secretsmanager:prod/hf#token", API_KEY: "kubernetes:api/key" } } }));
    expectGatePassed("platform", await terraformGate(doc));
  }, 60_000);
});
