import {
  AlertReceiver,
  DingTalkIntegration,
  EmailIntegration,
  PagerDutyIntegration,
  ReceiverIntegration,
  SlackIntegration,
  WebhookIntegration,
  WeComIntegration,
  WeComRobotIntegration,
} from "../receivers";
import {
  RenderedEmailConfig,
  RenderedPagerDutyConfig,
  RenderedReceiver,
  RenderedSlackConfig,
  RenderedWebhookConfig,
  RenderedWeChatConfig,
} from "../rendered-config";
import { RenderContext } from "./render-context";

/** Every integration notifies on resolve unless told otherwise: a chat thread should say when it is over. */
const DEFAULT_SEND_RESOLVED = true;

export function renderReceivers(ctx: RenderContext, receivers: readonly AlertReceiver[]): RenderedReceiver[] {
  return receivers.map((receiver, i) => renderReceiver(ctx, `receivers[${i}]`, receiver));
}

function renderReceiver(ctx: RenderContext, prop: string, receiver: AlertReceiver): RenderedReceiver {
  const name = ctx.nonEmpty(`${prop}.name`, receiver.name);
  const integrations = receiver.integrations;
  if (receiver.discard === true) {
    if (integrations.length > 0) {
      throw ctx.error(`${prop}.integrations`, integrations.map((x) => x.kind), "must be empty when discard is true");
    }
    return { name };
  }
  if (integrations.length === 0) {
    throw ctx.error(
      `${prop}.integrations`,
      [],
      `must hold at least one integration for receiver "${name}" (set discard: true for a receiver that drops alerts)`,
    );
  }
  const out: IntegrationLists = {
    webhook_configs: [],
    slack_configs: [],
    wechat_configs: [],
    email_configs: [],
    pagerduty_configs: [],
  };
  integrations.forEach((integration, j) => addIntegration(ctx, `${prop}.integrations[${j}]`, integration, out));
  const lists = Object.entries(out).filter(([, list]) => list.length > 0);
  return { name, ...(Object.fromEntries(lists) as Partial<IntegrationLists>) };
}

interface IntegrationLists {
  webhook_configs: RenderedWebhookConfig[];
  slack_configs: RenderedSlackConfig[];
  wechat_configs: RenderedWeChatConfig[];
  email_configs: RenderedEmailConfig[];
  pagerduty_configs: RenderedPagerDutyConfig[];
}

function addIntegration(ctx: RenderContext, prop: string, integration: ReceiverIntegration, out: IntegrationLists): void {
  switch (integration.kind) {
    case "webhook":
      out.webhook_configs.push(webhook(ctx, prop, integration));
      return;
    case "dingtalk":
      out.webhook_configs.push(dingTalk(ctx, prop, integration));
      return;
    case "slack":
      out.slack_configs.push(slack(ctx, prop, integration));
      return;
    case "wecom":
      out.wechat_configs.push(weCom(ctx, prop, integration));
      return;
    case "wecomRobot":
      out.webhook_configs.push(weComRobot(ctx, prop, integration));
      return;
    case "email":
      out.email_configs.push(email(ctx, prop, integration));
      return;
    case "pagerduty":
      out.pagerduty_configs.push(pagerDuty(ctx, prop, integration));
      return;
    default:
      throw ctx.error(
        `${prop}.kind`,
        (integration as { kind: unknown }).kind,
        "must be one of webhook, dingtalk, slack, wecom, wecomRobot, email, pagerduty",
      );
  }
}

function webhook(ctx: RenderContext, prop: string, w: WebhookIntegration): RenderedWebhookConfig {
  if ((w.url === undefined) === (w.urlSecret === undefined)) {
    throw ctx.error(`${prop}.url`, w.url, "must be set, or urlSecret instead (exactly one of url and urlSecret)");
  }
  return {
    send_resolved: w.sendResolved ?? DEFAULT_SEND_RESOLVED,
    ...(w.urlSecret
      ? { url_file: ctx.secretFile(`${prop}.urlSecret`, w.urlSecret, "webhookUrlFile", "url_file") }
      : { url: ctx.httpUrl(`${prop}.url`, w.url) }),
    ...(w.maxAlerts !== undefined ? { max_alerts: ctx.nonNegativeInt(`${prop}.maxAlerts`, w.maxAlerts) } : {}),
    ...(w.bearerToken
      ? {
          http_config: {
            authorization: {
              type: "Bearer" as const,
              credentials_file: ctx.secretFile(`${prop}.bearerToken`, w.bearerToken, "httpCredentialsFile", "credentials_file"),
            },
          },
        }
      : {}),
  };
}

function dingTalk(ctx: RenderContext, prop: string, d: DingTalkIntegration): RenderedWebhookConfig {
  const base = ctx.httpUrl(`${prop}.bridgeUrl`, d.bridgeUrl).replace(/\/+$/, "");
  const profile = ctx.nonEmpty(`${prop}.profile`, d.profile);
  return { send_resolved: d.sendResolved ?? DEFAULT_SEND_RESOLVED, url: `${base}/dingtalk/${encodeURIComponent(profile)}/send` };
}

/** The robot's own endpoint: Alertmanager's payload there is rejected, so a bridge must sit between. */
const WECOM_ROBOT_API = /^https?:\/\/qyapi\.weixin\.qq\.com\//;

function weComRobot(ctx: RenderContext, prop: string, r: WeComRobotIntegration): RenderedWebhookConfig {
  if ((r.bridgeUrl === undefined) === (r.bridgeUrlSecret === undefined)) {
    throw ctx.error(`${prop}.bridgeUrl`, r.bridgeUrl, "must be set, or bridgeUrlSecret instead (exactly one of bridgeUrl and bridgeUrlSecret)");
  }
  if (r.bridgeUrlSecret) {
    return { send_resolved: r.sendResolved ?? DEFAULT_SEND_RESOLVED, url_file: ctx.secretFile(`${prop}.bridgeUrlSecret`, r.bridgeUrlSecret, "webhookUrlFile", "url_file") };
  }
  const url = ctx.httpUrl(`${prop}.bridgeUrl`, r.bridgeUrl);
  if (WECOM_ROBOT_API.test(url)) {
    throw ctx.error(
      `${prop}.bridgeUrl`,
      url.replace(/key=[^&]*/, "key=…"),
      "must be a bridge's URL: the robot's own webhook does not accept Alertmanager's payload (run a bridge such as alertmanager-wechatrobot-webhook and point this at it)",
    );
  }
  if (/[?&]key=/.test(url)) {
    throw ctx.error(`${prop}.bridgeUrl`, url.replace(/key=[^&]*/, "key=…"), "must not carry the robot key in plain text: put the URL in a Secret and use bridgeUrlSecret");
  }
  return { send_resolved: r.sendResolved ?? DEFAULT_SEND_RESOLVED, url };
}

function slack(ctx: RenderContext, prop: string, s: SlackIntegration): RenderedSlackConfig {
  return {
    send_resolved: s.sendResolved ?? DEFAULT_SEND_RESOLVED,
    api_url_file: ctx.secretFile(`${prop}.apiUrl`, s.apiUrl, "slackApiUrlFile", "api_url_file"),
    ...(s.channel !== undefined ? { channel: ctx.nonEmpty(`${prop}.channel`, s.channel) } : {}),
  };
}

function weCom(ctx: RenderContext, prop: string, w: WeComIntegration): RenderedWeChatConfig {
  const toUser = w.toUser ?? (w.toParty === undefined ? "@all" : undefined);
  return {
    send_resolved: w.sendResolved ?? DEFAULT_SEND_RESOLVED,
    api_secret_file: ctx.secretFile(`${prop}.apiSecret`, w.apiSecret, "weComApiSecretFile", "api_secret_file"),
    corp_id: ctx.nonEmpty(`${prop}.corpId`, w.corpId),
    agent_id: ctx.nonEmpty(`${prop}.agentId`, w.agentId),
    ...(toUser !== undefined ? { to_user: toUser } : {}),
    ...(w.toParty !== undefined ? { to_party: w.toParty } : {}),
    message_type: w.messageType ?? "text",
    ...(w.apiUrl !== undefined ? { api_url: ctx.httpUrl(`${prop}.apiUrl`, w.apiUrl) } : {}),
  };
}

function email(ctx: RenderContext, prop: string, e: EmailIntegration): RenderedEmailConfig {
  if (e.authPassword !== undefined && e.authUsername === undefined) {
    throw ctx.error(`${prop}.authUsername`, e.authUsername, "must be set when authPassword is set");
  }
  return {
    send_resolved: e.sendResolved ?? DEFAULT_SEND_RESOLVED,
    to: ctx.nonEmpty(`${prop}.to`, e.to),
    from: ctx.nonEmpty(`${prop}.from`, e.from),
    smarthost: ctx.smarthost(`${prop}.smarthost`, e.smarthost),
    ...(e.authUsername !== undefined ? { auth_username: ctx.nonEmpty(`${prop}.authUsername`, e.authUsername) } : {}),
    ...(e.authPassword
      ? { auth_password_file: ctx.secretFile(`${prop}.authPassword`, e.authPassword, "emailAuthPasswordFile", "auth_password_file") }
      : {}),
    require_tls: e.requireTls ?? true,
  };
}

function pagerDuty(ctx: RenderContext, prop: string, p: PagerDutyIntegration): RenderedPagerDutyConfig {
  const field = (p.keyType ?? "events-v2") === "events-v2" ? "routing_key_file" : "service_key_file";
  return {
    send_resolved: p.sendResolved ?? DEFAULT_SEND_RESOLVED,
    [field]: ctx.secretFile(`${prop}.key`, p.key, "pagerDutyKeyFile", field),
  };
}
