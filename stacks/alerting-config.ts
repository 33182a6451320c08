import { AlertmanagerSecret } from "../lib/monitoring/alertmanager/alertmanager-secret";
import { platformAlertmanagerConfig } from "../lib/monitoring/alertmanager/platform-routing";
import { AlertmanagerConfig } from "../lib/monitoring/alertmanager/render-config";
import { PlatformConfigError } from "../lib/core/errors";

/** Notification channels of the default app, each a reference to where its secret lives. */
export interface AlertingConfig {
  /** Slack incoming-webhook URL for warnings. @default - warnings are not sent */
  readonly slackWebhookUrl?: string;
  /**
   * URL of a WeCom group-robot bridge that carries the robot key (e.g.
   * `http://wecom-bridge.monitoring.svc:8080/webhook?key=...`), for warnings beside Slack.
   * @default - no WeCom robot
   */
  readonly wecomRobotBridgeUrl?: string;
  /** PagerDuty Events v2 routing key for critical alerts. @default - critical alerts are not sent */
  readonly pagerdutyRoutingKey?: string;
}

const SECRETS_MANAGER = /^aws-secretsmanager:([^#]+)(?:#(.+))?$/;
const KUBERNETES = /^kubernetes:([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([-._a-zA-Z0-9]+)$/;

/**
 * Parses a secret reference: `aws-secretsmanager:<secret id>[#<json key>]` (read at apply,
 * copied into the cluster) or `kubernetes:<secret name>/<key>` (a Secret you create in the
 * monitoring namespace). A literal value is rejected: secrets never enter the plan.
 */
export function parseSecretReference(prop: string, ref: string): AlertmanagerSecret {
  const sm = SECRETS_MANAGER.exec(ref);
  if (sm) return AlertmanagerSecret.fromSecretsManager(sm[1], sm[2] === undefined ? {} : { jsonKey: sm[2] });
  const k8s = KUBERNETES.exec(ref);
  if (k8s) return AlertmanagerSecret.fromKubernetesSecret(k8s[1], k8s[3]);
  throw new PlatformConfigError(
    "config",
    prop,
    ref,
    "must reference a secret, never hold one: aws-secretsmanager:<secret id>[#<json key>] or kubernetes:<secret name>/<key>",
  );
}

/** The platform routing policy with the channels the configuration names. */
export function alertmanagerConfigFor(alerting: AlertingConfig): AlertmanagerConfig {
  return platformAlertmanagerConfig({
    pager: alerting.pagerdutyRoutingKey ? [{ kind: "pagerduty", key: parseSecretReference("alerting.pagerdutyRoutingKey", alerting.pagerdutyRoutingKey) }] : [],
    chat: [
      ...(alerting.slackWebhookUrl ? [{ kind: "slack" as const, apiUrl: parseSecretReference("alerting.slackWebhookUrl", alerting.slackWebhookUrl) }] : []),
      ...(alerting.wecomRobotBridgeUrl
        ? [{ kind: "wecomRobot" as const, bridgeUrlSecret: parseSecretReference("alerting.wecomRobotBridgeUrl", alerting.wecomRobotBridgeUrl) }]
        : []),
    ],
  });
}
