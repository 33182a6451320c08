import { AlertmanagerSecret } from "./alertmanager-secret";

interface IntegrationBase {
  /** Notify when the alerts of a group resolve. @default true */
  readonly sendResolved?: boolean;
}

/** Generic webhook (Alertmanager's JSON payload). Exactly one of `url` and `urlSecret`. */
export interface WebhookIntegration extends IntegrationBase {
  readonly kind: "webhook";
  /** A URL that carries no credential (an in-cluster service); rendered as `url`. @default - use urlSecret */
  readonly url?: string;
  /** A URL that embeds a token; rendered as `url_file` (Alertmanager >= 0.26). @default - use url */
  readonly urlSecret?: AlertmanagerSecret;
  /** Sent as `Authorization: Bearer <token>` via `http_config.authorization.credentials_file`. @default - no header */
  readonly bearerToken?: AlertmanagerSecret;
  /** Alerts per message, 0 for all. @default 0 */
  readonly maxAlerts?: number;
}

/**
 * DingTalk through a webhook bridge such as timonwong/prometheus-webhook-dingtalk. Alertmanager
 * posts to the bridge's `/dingtalk/<profile>/send`; the DingTalk robot token and signing secret
 * live in the bridge's own configuration, so the rendered URL is an in-cluster address with no
 * credential in it.
 */
export interface DingTalkIntegration extends IntegrationBase {
  readonly kind: "dingtalk";
  /** Base URL of the bridge service, e.g. "http://dingtalk-bridge.monitoring.svc:8060". */
  readonly bridgeUrl: string;
  /** Target (robot) name in the bridge's config. */
  readonly profile: string;
}

/** Slack incoming webhook. */
export interface SlackIntegration extends IntegrationBase {
  readonly kind: "slack";
  /** The incoming-webhook URL; rendered as `api_url_file` (Alertmanager >= 0.22). */
  readonly apiUrl: AlertmanagerSecret;
  /** @default - the webhook's own channel */
  readonly channel?: string;
}

/** WeCom (WeChat Work) application message. */
export interface WeComIntegration extends IntegrationBase {
  readonly kind: "wecom";
  /** The application secret; rendered as `api_secret_file` (Alertmanager >= 0.31). */
  readonly apiSecret: AlertmanagerSecret;
  readonly corpId: string;
  /** AgentId of the WeCom application that sends the messages. */
  readonly agentId: string;
  /** Users, "|"-separated. @default "@all" when toParty is unset, else none */
  readonly toUser?: string;
  /** Departments, "|"-separated. @default - none */
  readonly toParty?: string;
  /** @default "text" */
  readonly messageType?: "text" | "markdown";
  /** @default - "https://qyapi.weixin.qq.com/cgi-bin/" (Alertmanager's default) */
  readonly apiUrl?: string;
}

/**
 * A WeCom group robot (群机器人), the common case: a webhook key, not the corporate-app API that
 * `wecom` (Alertmanager's wechat_configs) speaks. Alertmanager has no robot integration and its
 * webhook payload is not the robot's message format, so it posts to a bridge (e.g.
 * k8stech/alertmanager-wechatrobot-webhook, feiyu563/PrometheusAlert) that formats and forwards.
 * Exactly one of `bridgeUrl` (the bridge holds the robot key in its own configuration) and
 * `bridgeUrlSecret` (a bridge URL that carries the key, e.g. `...?key=<robot key>`).
 */
export interface WeComRobotIntegration extends IntegrationBase {
  readonly kind: "wecomRobot";
  /** The bridge's endpoint for this robot, with no credential in it; rendered as `url`. @default - use bridgeUrlSecret */
  readonly bridgeUrl?: string;
  /** A bridge URL embedding the robot key; rendered as `url_file` (Alertmanager >= 0.26). @default - use bridgeUrl */
  readonly bridgeUrlSecret?: AlertmanagerSecret;
}

/** Email through an SMTP relay. */
export interface EmailIntegration extends IntegrationBase {
  readonly kind: "email";
  readonly to: string;
  readonly from: string;
  /** SMTP relay as host:port, e.g. "email-smtp.eu-west-1.amazonaws.com:587". */
  readonly smarthost: string;
  /** @default - no SMTP authentication */
  readonly authUsername?: string;
  /** Rendered as `auth_password_file` (Alertmanager >= 0.25). @default - no password */
  readonly authPassword?: AlertmanagerSecret;
  /** @default true */
  readonly requireTls?: boolean;
}

/** PagerDuty. */
export interface PagerDutyIntegration extends IntegrationBase {
  readonly kind: "pagerduty";
  /** Rendered as `routing_key_file` or `service_key_file` (Alertmanager >= 0.25). */
  readonly key: AlertmanagerSecret;
  /**
   * "events-v2": an Events API v2 integration key (`routing_key_file`);
   * "prometheus": a service's Prometheus integration key (`service_key_file`).
   * @default "events-v2"
   */
  readonly keyType?: "events-v2" | "prometheus";
}

export type ReceiverIntegration =
  | WebhookIntegration
  | DingTalkIntegration
  | SlackIntegration
  | WeComIntegration
  | WeComRobotIntegration
  | EmailIntegration
  | PagerDutyIntegration;

/** A named receiver: where a route sends its notifications. */
export interface AlertReceiver {
  readonly name: string;
  /** Every integration is notified. Empty is an error unless `discard` is set. */
  readonly integrations: readonly ReceiverIntegration[];
  /** A deliberate black hole (Alertmanager's "null" receiver): no integrations, alerts are dropped. @default false */
  readonly discard?: boolean;
}

/** A receiver that drops what it receives. */
export function discardReceiver(name: string): AlertReceiver {
  return { name, integrations: [], discard: true };
}
