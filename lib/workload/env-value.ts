import { IConstruct } from "constructs";
import { PlatformConfigError } from "../core/errors";
import { isToken } from "../core/validate";
import { isSecretName, looksLikeCredential } from "../core/secret-values";

/** A key of a Kubernetes Secret in the service's namespace, created by you. */
export interface KubernetesSecretEnvSource {
  readonly kind: "kubernetes";
  readonly secretName: string;
  readonly key: string;
}

/** An AWS Secrets Manager secret, read at apply and copied into a Kubernetes Secret beside the service. */
export interface SecretsManagerEnvSource {
  readonly kind: "secretsManager";
  /** Name or ARN of the secret. */
  readonly secretId: string;
  /** Key inside a JSON secret string. @default - the whole secret string */
  readonly jsonKey?: string;
  /** @default "AWSCURRENT" */
  readonly versionStage?: string;
}

export interface SecretsManagerEnvOptions {
  /** @default - the whole secret string */
  readonly jsonKey?: string;
  /** @default "AWSCURRENT" */
  readonly versionStage?: string;
}

/**
 * The value of an environment variable of a model server: text, or a reference to a secret.
 * The plan (and the Deployment) then holds where the secret lives, never the secret: the
 * container reads it through `secretKeyRef`. A plain string in `env` is text too, unless its
 * name looks like a secret's (`*_TOKEN`, `*_KEY`, `*PASSWORD*`, `*SECRET*`) or its value like a
 * credential: then synth fails and shows the reference form.
 */
export class EnvValue {
  /** Text. A name that looks like a secret's is refused: see `notSecret`. */
  public static fromValue(value: string): EnvValue {
    return new EnvValue({ kind: "value", value, declaredNotSecret: false });
  }

  /**
   * Text under a name that looks like a secret's but is not one (`CACHE_KEY: "model-v2"`). Said
   * by name so a reviewer sees the choice; a value shaped like a credential is still refused.
   */
  public static notSecret(value: string): EnvValue {
    return new EnvValue({ kind: "value", value, declaredNotSecret: true });
  }

  /** A key of a Kubernetes Secret you create in the service's namespace. */
  public static fromSecret(secretName: string, key: string): EnvValue {
    return new EnvValue({ kind: "kubernetes", secretName, key });
  }

  /**
   * An AWS Secrets Manager secret (or one key of a JSON secret), read at apply and copied into a
   * Kubernetes Secret the service creates (`<service>-env`); the stack needs an AWS provider.
   * Its value is in Terraform state, as every data source's is: keep the state encrypted.
   */
  public static fromSecretsManager(secretId: string, options: SecretsManagerEnvOptions = {}): EnvValue {
    return new EnvValue({ kind: "secretsManager", secretId, ...options });
  }

  private constructor(
    public readonly source:
      | { readonly kind: "value"; readonly value: string; readonly declaredNotSecret: boolean }
      | KubernetesSecretEnvSource
      | SecretsManagerEnvSource,
  ) {}
}

/** Environment variable names every supported Kubernetes version accepts (letters, digits, '_', '-', '.'; no leading digit). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

const REFERENCE_FORMS =
  'EnvValue.fromSecret("<secret name>", "<key>") or EnvValue.fromSecretsManager("<secret id>", { jsonKey: "<key>" }) ' +
  '(in the configuration file: "kubernetes:<secret name>/<key>" or "aws-secretsmanager:<secret id>[#<json key>]")';

/** Checks an `env` map and returns every entry as an `EnvValue`. */
export function resolveEnv(scope: IConstruct | string, prop: string, env: Readonly<Record<string, string | EnvValue>> | undefined): Record<string, EnvValue> {
  const out: Record<string, EnvValue> = {};
  for (const [name, raw] of Object.entries(env ?? {})) {
    const setting = `${prop}.${name}`;
    if (!ENV_NAME.test(name)) {
      throw new PlatformConfigError(scope, prop, name, "must have names of letters, digits, '_', '-' and '.', not starting with a digit (Kubernetes rejects others)");
    }
    const value = typeof raw === "string" ? EnvValue.fromValue(raw) : raw;
    const source = value.source;
    if (source.kind === "value") {
      if (isToken(source.value)) {
        out[name] = value;
        continue;
      }
      if ((isSecretName(name) && !source.declaredNotSecret) || looksLikeCredential(source.value)) {
        throw new PlatformConfigError(
          scope,
          setting,
          source.value,
          `looks like a secret, which must never be written into the plan or the Deployment: reference it instead with ${REFERENCE_FORMS}; ` +
            "for text under such a name that is not a secret, use EnvValue.notSecret(...)",
        );
      }
    } else if (source.kind === "kubernetes") {
      if (!SECRET_NAME.test(source.secretName) || source.secretName.length > 253) {
        throw new PlatformConfigError(scope, `${setting}.secretName`, source.secretName, "must be a Kubernetes Secret name (lower-case letters, digits, '-' and '.')");
      }
      if (!SECRET_KEY.test(source.key)) throw new PlatformConfigError(scope, `${setting}.key`, source.key, "must be a Secret key (letters, digits, '-', '_' and '.')");
    } else if (!isToken(source.secretId) && (source.secretId.trim() === "" || source.secretId.length > 2048)) {
      throw new PlatformConfigError(scope, `${setting}.secretId`, source.secretId, "must be the name or ARN of a Secrets Manager secret");
    }
    out[name] = value;
  }
  return out;
}

/**
 * Parses the configuration file's form of an env value: `kubernetes:<secret>/<key>`,
 * `aws-secretsmanager:<id>[#<json key>]`, or text.
 */
export function parseEnvValue(text: string): EnvValue {
  const k8s = /^kubernetes:([^/]+)\/(.+)$/.exec(text);
  if (k8s) return EnvValue.fromSecret(k8s[1], k8s[2]);
  const sm = /^aws-secretsmanager:([^#]+)(?:#(.+))?$/.exec(text);
  if (sm) return EnvValue.fromSecretsManager(sm[1], sm[2] === undefined ? {} : { jsonKey: sm[2] });
  return EnvValue.fromValue(text);
}
