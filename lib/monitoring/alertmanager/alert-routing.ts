import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Fn, ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { MonitoringLabelContract } from "../../contracts/monitoring-labels";
import { PlatformConfigError } from "../../core/errors";
import { NamespaceRef, namespaceDependencies } from "../../core/kubernetes/namespace-ref";
import { checkDns1123Label } from "../../core/validate";
import { toYaml } from "../../core/yaml";
import { platformAlertmanagerConfig } from "./platform-routing";
import { SecretsManagerValue } from "./private/render-context";
import {
  AlertmanagerConfig,
  AlertmanagerRenderOptions,
  DEFAULT_SECRETS_MANAGER_SECRET_NAME,
  renderAlertmanager,
} from "./render-config";
import { RenderedAlertmanagerConfig } from "./rendered-config";
import { keepTemplatesLiteral } from "../../core/terraform-literals";

/** The keys of kube-prometheus-stack's `alertmanager` value that this construct fills. */
export interface AlertmanagerChartValues {
  readonly config: RenderedAlertmanagerConfig;
  readonly alertmanagerSpec: {
    /** Mounted at /etc/alertmanager/secrets/<name>/ in every Alertmanager pod. */
    readonly secrets: readonly string[];
  };
}

export interface AlertRoutingOptions {
  /** @default platformAlertmanagerConfig() - the platform's routing policy with placeholder receivers */
  readonly config?: AlertmanagerConfig;
  /** @default DEFAULT_ALERTMANAGER_VERSION ("0.34") */
  readonly targetVersion?: string;
  /** @default DEFAULT_SECRETS_MANAGER_SECRET_NAME ("alertmanager-secrets-manager") */
  readonly secretsManagerSecretName?: string;
}

export interface AlertRoutingProps extends AlertRoutingOptions {
  /** The Secret is created in `monitoringLabels.namespace`, where Alertmanager runs. */
  readonly monitoringLabels: MonitoringLabelContract;
  /**
   * The namespace this app creates for Alertmanager (its name must be `monitoringLabels.namespace`):
   * the Secret waits for it.
   * @default - `monitoringLabels.namespace`, which must exist already
   */
  readonly namespace?: NamespaceRef;
}

/**
 * Alertmanager routing for kube-prometheus-stack. Validates the config at construction,
 * and when receivers take credentials from AWS Secrets Manager, reads them at apply time and
 * copies them into one Kubernetes Secret in the monitoring namespace. The synthesized plan
 * holds only references to the data sources; the values live in Terraform state (as every
 * data source value does) and in the cluster.
 *
 * Wire `chartValues` into the chart's `alertmanager` value, and add `dependables` to the
 * release's dependsOn so the Secret exists before the pods that mount it.
 */
export class AlertRouting extends Construct {
  /** For `alertmanager.config`. */
  public readonly config: RenderedAlertmanagerConfig;
  /** For `alertmanager.alertmanagerSpec.secrets`. */
  public readonly secretNames: readonly string[];
  /** The Secret holding the values copied from Secrets Manager, when any receiver uses one. */
  public readonly secretsManagerCopy?: SecretV1;

  constructor(scope: Construct, id: string, props: AlertRoutingProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    const config = props.config ?? platformAlertmanagerConfig();
    const secretName = props.secretsManagerSecretName ?? DEFAULT_SECRETS_MANAGER_SECRET_NAME;
    const namespace = props.namespace ?? { name: props.monitoringLabels.namespace };
    if (namespace.name !== props.monitoringLabels.namespace) {
      throw new PlatformConfigError(this, "namespace.name", namespace.name, `must be the label contract's namespace "${props.monitoringLabels.namespace}"`);
    }
    checkDns1123Label(this, "secretsManagerSecretName", secretName);

    const options: AlertmanagerRenderOptions = { scope: this, targetVersion: props.targetVersion, secretsManagerSecretName: secretName };
    const rendering = renderAlertmanager(config, options);
    this.config = rendering.config;
    this.secretNames = rendering.secretNames;
    if (rendering.secretsManagerValues.length > 0) {
      this.secretsManagerCopy = new SecretV1(this, "secrets-manager-copy", {
        metadata: {
          name: secretName,
          namespace: namespace.name,
          labels: { "app.kubernetes.io/managed-by": "terraform", "app.kubernetes.io/part-of": "alertmanager" },
        },
        type: "Opaque",
        data: this.copyFromSecretsManager(rendering.secretsManagerValues),
        dependsOn: namespaceDependencies(namespace),
      });
    }
  }

  /** The `alertmanager` keys for kube-prometheus-stack's values. */
  public get chartValues(): AlertmanagerChartValues {
    return { config: this.config, alertmanagerSpec: { secrets: this.secretNames } };
  }

  /** Resources the Helm release must wait for. */
  public get dependables(): ITerraformDependable[] {
    return this.secretsManagerCopy ? [this.secretsManagerCopy] : [];
  }

  /** alertmanager.yaml as it is deployed. */
  public get yaml(): string {
    return toYaml(this.config);
  }

  /** One data source per secret version read; each key is a reference to it, never a value. */
  private copyFromSecretsManager(values: readonly SecretsManagerValue[]): Record<string, string> {
    const versions = new Map<string, DataAwsSecretsmanagerSecretVersion>();
    const data: Record<string, string> = {};
    for (const value of values) {
      const id = `${value.secretId}@${value.versionStage}`;
      let version = versions.get(id);
      if (!version) {
        version = new DataAwsSecretsmanagerSecretVersion(this, `secrets-manager-${versions.size}`, {
          secretId: value.secretId,
          versionStage: value.versionStage,
        });
        versions.set(id, version);
      }
      // No default: a missing JSON key fails the apply instead of mounting an empty credential.
      data[value.key] =
        value.jsonKey === undefined ? version.secretString : Fn.lookup(Fn.jsondecode(version.secretString), value.jsonKey);
    }
    return data;
  }
}
