import { IConstruct } from "constructs";
import { PlatformConfigError } from "../../core/errors";

/**
 * Alertmanager version that a rendered config must load in, as "0.<minor>" (patch releases
 * add no config fields). It gates the `*_file` fields below: a field newer than the target is
 * a synth-time error, never a silent fallback to an inline secret.
 */
export type AlertmanagerVersion = `0.${number}`;

/**
 * The Alertmanager that kube-prometheus-stack 88.5.3 runs
 * (`alertmanager.alertmanagerSpec.image.tag: v0.34.0` in the chart's values).
 */
export const DEFAULT_ALERTMANAGER_VERSION: AlertmanagerVersion = "0.34";

/** Oldest supported target: `matchers`, `source_matchers` and `target_matchers` came in 0.22. */
const MIN_SUPPORTED_MINOR = 22;

/**
 * First Alertmanager minor version that reads each secret field from a file, taken from
 * the `yaml:"…_file"` struct tags of prometheus/alertmanager at tags v0.22.0 … v0.34.0
 * (config/notifiers.go, notify/webhook/config.go, notify/pagerduty/config.go) and CHANGELOG.md.
 */
export const SECRET_FILE_FIELD_SINCE = {
  /** slack_configs[].api_url_file: 0.22 (#2534). */
  slackApiUrlFile: 22,
  /** email_configs[].auth_password_file: 0.25 (#3038). */
  emailAuthPasswordFile: 25,
  /** pagerduty_configs[].routing_key_file / service_key_file: 0.25 (#3107). */
  pagerDutyKeyFile: 25,
  /** webhook_configs[].url_file: 0.26 (#3223); 0.28 fixed a crash when it is used (#3800). */
  webhookUrlFile: 26,
  /** wechat_configs[].api_secret_file: 0.31 (#4734). */
  weComApiSecretFile: 31,
  /** http_config.authorization.credentials_file: prometheus/common, present in every supported version. */
  httpCredentialsFile: MIN_SUPPORTED_MINOR,
} as const;

export type SecretFileField = keyof typeof SECRET_FILE_FIELD_SINCE;

/** Minor version number of a target; throws for anything but a supported "0.<minor>". */
export function parseAlertmanagerVersion(scope: IConstruct | string, value: string): number {
  const m = /^0\.(\d+)$/.exec(value);
  const minor = m ? Number(m[1]) : NaN;
  if (!(minor >= MIN_SUPPORTED_MINOR)) {
    throw new PlatformConfigError(
      scope,
      "targetVersion",
      value,
      `must be an Alertmanager version "0.<minor>" no older than 0.${MIN_SUPPORTED_MINOR} (matchers syntax)`,
    );
  }
  return minor;
}
