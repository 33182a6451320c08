/** A key of an existing Kubernetes Secret in the Alertmanager namespace. */
export interface KubernetesSecretSource {
  readonly kind: "kubernetes";
  readonly secretName: string;
  readonly key: string;
}

/**
 * A value in AWS Secrets Manager, read at apply time and copied into a Kubernetes Secret that
 * `AlertRouting` creates. The synthesized plan holds only a reference to the data source.
 */
export interface SecretsManagerSource {
  readonly kind: "secretsManager";
  /** Name or ARN of the Secrets Manager secret. */
  readonly secretId: string;
  /** Key inside a JSON secret string. @default - the whole secret string */
  readonly jsonKey?: string;
  /** @default "AWSCURRENT" */
  readonly versionStage?: string;
  /**
   * Key in the Kubernetes Secret that receives the value (and the file name under the mount).
   * Required when `secretId` is a token.
   * @default - secretId and jsonKey with every character outside [-._a-zA-Z0-9] replaced by "-"
   */
  readonly key?: string;
}

export interface SecretsManagerOptions {
  /** @default - the whole secret string */
  readonly jsonKey?: string;
  /** @default "AWSCURRENT" */
  readonly versionStage?: string;
  /** @default - derived from secretId and jsonKey */
  readonly key?: string;
}

/**
 * Where a receiver credential comes from. It is always rendered as a `*_file` path under the
 * Alertmanager pod's secret mount (`/etc/alertmanager/secrets/<secret>/<key>`), never inline.
 */
export class AlertmanagerSecret {
  /** A key of a Kubernetes Secret that already exists in the Alertmanager namespace. */
  public static fromKubernetesSecret(secretName: string, key: string): AlertmanagerSecret {
    return new AlertmanagerSecret({ kind: "kubernetes", secretName, key });
  }

  /** A Secrets Manager secret (or one key of a JSON secret), copied into Kubernetes by `AlertRouting`. */
  public static fromSecretsManager(secretId: string, options: SecretsManagerOptions = {}): AlertmanagerSecret {
    return new AlertmanagerSecret({ kind: "secretsManager", secretId, ...options });
  }

  private constructor(public readonly source: KubernetesSecretSource | SecretsManagerSource) {}
}
