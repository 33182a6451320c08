import { IConstruct } from "constructs";
import { checkUnique } from "../../core/validate";
import { toYaml } from "../../core/yaml";
import { AlertDuration } from "./alert-duration";
import { InhibitRule, RootAlertRoute } from "./alert-route";
import { DEFAULT_ALERTMANAGER_VERSION, parseAlertmanagerVersion } from "./alertmanager-version";
import { RenderContext, SecretsManagerValue } from "./private/render-context";
import { renderReceivers } from "./private/render-receivers";
import { renderInhibitRules, renderRootRoute } from "./private/render-routes";
import { AlertReceiver } from "./receivers";
import { RenderedAlertmanagerConfig } from "./rendered-config";

export type { SecretsManagerValue } from "./private/render-context";

/** Alertmanager routing as typed data: receivers, the routing tree and inhibition. */
export interface AlertmanagerConfig {
  readonly receivers: readonly AlertReceiver[];
  readonly route: RootAlertRoute;
  /** @default - none */
  readonly inhibitRules?: readonly InhibitRule[];
  /** How long an alert that stopped being sent counts as firing. @default 5m (the chart's value) */
  readonly resolveTimeout?: AlertDuration;
}

export interface AlertmanagerRenderOptions {
  /**
   * Alertmanager version the config must load in. A secret field that this version cannot
   * read from a file is an error (never an inline secret).
   * @default DEFAULT_ALERTMANAGER_VERSION ("0.34", kube-prometheus-stack 88.5.3)
   */
  readonly targetVersion?: string;
  /**
   * Where the pods mount `alertmanagerSpec.secrets`.
   * @default "/etc/alertmanager/secrets" (prometheus-operator's mount point)
   */
  readonly secretsMountPath?: string;
  /**
   * Kubernetes Secret that receives the values copied from Secrets Manager.
   * @default DEFAULT_SECRETS_MANAGER_SECRET_NAME ("alertmanager-secrets-manager")
   */
  readonly secretsManagerSecretName?: string;
  /** What errors name as the failing object. @default "alertmanager" */
  readonly scope?: IConstruct | string;
}

export interface AlertmanagerRendering {
  readonly config: RenderedAlertmanagerConfig;
  /** Kubernetes Secrets the config reads files from: the chart's `alertmanager.alertmanagerSpec.secrets`. */
  readonly secretNames: readonly string[];
  /** Values to copy from Secrets Manager into `secretsManagerSecretName`, one per key. */
  readonly secretsManagerValues: readonly SecretsManagerValue[];
}

export const DEFAULT_SECRETS_MANAGER_SECRET_NAME = "alertmanager-secrets-manager";
/** prometheus-operator mounts each of `alertmanagerSpec.secrets` at <this>/<secret name>. */
export const DEFAULT_SECRETS_MOUNT_PATH = "/etc/alertmanager/secrets";
const DEFAULT_RESOLVE_TIMEOUT = AlertDuration.minutes(5);

/** Validates and renders a config, collecting the Secrets it needs. Throws PlatformConfigError on the first problem. */
export function renderAlertmanager(config: AlertmanagerConfig, options: AlertmanagerRenderOptions = {}): AlertmanagerRendering {
  const scope = options.scope ?? "alertmanager";
  const targetVersion = options.targetVersion ?? DEFAULT_ALERTMANAGER_VERSION;
  const mountPath = (options.secretsMountPath ?? DEFAULT_SECRETS_MOUNT_PATH).replace(/\/+$/, "");
  const smSecretName = options.secretsManagerSecretName ?? DEFAULT_SECRETS_MANAGER_SECRET_NAME;

  const ctx = new RenderContext(scope, parseAlertmanagerVersion(scope, targetVersion), mountPath, smSecretName);
  checkUnique(scope, "receivers", config.receivers.map((r) => r.name));
  const receiverNames = new Set(config.receivers.map((r) => r.name));
  const receivers = renderReceivers(ctx, config.receivers);
  const rendered: RenderedAlertmanagerConfig = {
    global: { resolve_timeout: ctx.duration("resolveTimeout", config.resolveTimeout ?? DEFAULT_RESOLVE_TIMEOUT, true) },
    route: renderRootRoute(ctx, config.route, receiverNames),
    inhibit_rules: renderInhibitRules(ctx, config.inhibitRules ?? []),
    receivers,
  };
  return { config: rendered, secretNames: ctx.secretNames(), secretsManagerValues: ctx.secretsManagerCopies() };
}

/** The config object for the chart's `alertmanager.config` value. */
export function renderAlertmanagerConfig(
  config: AlertmanagerConfig,
  options: AlertmanagerRenderOptions = {},
): RenderedAlertmanagerConfig {
  return renderAlertmanager(config, options).config;
}

/** alertmanager.yaml text, for `npm run export` and for `amtool check-config`. */
export function toAlertmanagerYaml(config: AlertmanagerConfig, options: AlertmanagerRenderOptions = {}): string {
  return toYaml(renderAlertmanagerConfig(config, options));
}

