import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { SecretsManagerEnvSource } from "../env-value";
import { InferenceSettings, objectMeta } from "./settings";

/** The containers whose env may read copied secrets. */
export type EnvContainer = "server" | "model-init";

/** The Secret holding a service's env values copied from Secrets Manager. */
export function envSecretName(s: Pick<InferenceSettings, "name">): string {
  return `${s.name}-env`;
}

/** Its key for one variable of one container (both containers may read the same name). */
export function envSecretKey(container: EnvContainer, name: string): string {
  return `${container}.${name}`;
}

/**
 * Copies the env values that come from AWS Secrets Manager into one Kubernetes Secret, read at
 * apply through data sources (as AlertRouting does for receiver credentials): the plan holds
 * references only. Undefined when no value comes from Secrets Manager.
 */
export function buildEnvSecret(scope: Construct, s: InferenceSettings): SecretV1 | undefined {
  const wanted: [string, SecretsManagerEnvSource][] = [
    ...entries("server", s.env),
    ...entries("model-init", s.model?.init?.env ?? {}),
  ];
  if (wanted.length === 0) return undefined;
  const versions = new Map<string, DataAwsSecretsmanagerSecretVersion>();
  const data: Record<string, string> = {};
  for (const [key, source] of wanted) {
    const stage = source.versionStage ?? "AWSCURRENT";
    const id = `${source.secretId}@${stage}`;
    let version = versions.get(id);
    if (!version) {
      version = new DataAwsSecretsmanagerSecretVersion(scope, `env-secrets-manager-${versions.size}`, { secretId: source.secretId, versionStage: stage });
      versions.set(id, version);
    }
    // No default: a missing JSON key fails the apply instead of starting a server without its credential.
    data[key] = source.jsonKey === undefined ? version.secretString : Fn.lookup(Fn.jsondecode(version.secretString), source.jsonKey);
  }
  const meta = objectMeta(s);
  return new SecretV1(scope, "env-secret", {
    dependsOn: s.dependsOn,
    metadata: { ...meta, name: envSecretName(s) },
    type: "Opaque",
    data,
  });
}

function entries(container: EnvContainer, env: InferenceSettings["env"]): [string, SecretsManagerEnvSource][] {
  return Object.entries(env).flatMap(([name, { source }]): [string, SecretsManagerEnvSource][] =>
    source.kind === "secretsManager" ? [[envSecretKey(container, name), source]] : [],
  );
}
