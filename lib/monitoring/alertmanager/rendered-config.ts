/**
 * Alertmanager's configuration file as this library renders it: only the keys it sets, in
 * Alertmanager's own snake_case, so the object can go straight into the chart's
 * `alertmanager.config` value or be written out as alertmanager.yaml.
 */
export interface RenderedAlertmanagerConfig {
  readonly global: { readonly resolve_timeout: string };
  readonly route: RenderedRoute;
  readonly inhibit_rules: readonly RenderedInhibitRule[];
  readonly receivers: readonly RenderedReceiver[];
}

export interface RenderedRoute {
  readonly receiver?: string;
  readonly matchers?: readonly string[];
  readonly group_by?: readonly string[];
  readonly group_wait?: string;
  readonly group_interval?: string;
  readonly repeat_interval?: string;
  readonly continue?: boolean;
  readonly routes?: readonly RenderedRoute[];
}

export interface RenderedInhibitRule {
  readonly source_matchers: readonly string[];
  readonly target_matchers: readonly string[];
  readonly equal?: readonly string[];
}

export interface RenderedReceiver {
  readonly name: string;
  readonly webhook_configs?: readonly RenderedWebhookConfig[];
  readonly slack_configs?: readonly RenderedSlackConfig[];
  readonly wechat_configs?: readonly RenderedWeChatConfig[];
  readonly email_configs?: readonly RenderedEmailConfig[];
  readonly pagerduty_configs?: readonly RenderedPagerDutyConfig[];
}

export interface RenderedWebhookConfig {
  readonly send_resolved: boolean;
  readonly url?: string;
  readonly url_file?: string;
  readonly max_alerts?: number;
  readonly http_config?: { readonly authorization: { readonly type: "Bearer"; readonly credentials_file: string } };
}

export interface RenderedSlackConfig {
  readonly send_resolved: boolean;
  readonly api_url_file: string;
  readonly channel?: string;
}

export interface RenderedWeChatConfig {
  readonly send_resolved: boolean;
  readonly api_secret_file: string;
  readonly corp_id: string;
  readonly agent_id: string;
  readonly to_user?: string;
  readonly to_party?: string;
  readonly message_type: "text" | "markdown";
  readonly api_url?: string;
}

export interface RenderedEmailConfig {
  readonly send_resolved: boolean;
  readonly to: string;
  readonly from: string;
  readonly smarthost: string;
  readonly auth_username?: string;
  readonly auth_password_file?: string;
  readonly require_tls: boolean;
}

export interface RenderedPagerDutyConfig {
  readonly send_resolved: boolean;
  readonly routing_key_file?: string;
  readonly service_key_file?: string;
}
