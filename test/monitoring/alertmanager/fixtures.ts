import {
  AlertmanagerConfig,
  AlertmanagerSecret,
  AlertReceiver,
  discardReceiver,
  Matcher,
  platformAlertmanagerConfig,
  ReceiverIntegration,
} from "../../../lib/monitoring/alertmanager";

export const k8s = (key: string) => AlertmanagerSecret.fromKubernetesSecret("alertmanager-receivers", key);

/** One integration of every kind; `secret` picks where credentials come from. */
export function everyIntegration(secret: (key: string) => AlertmanagerSecret): ReceiverIntegration[] {
  return [
    { kind: "webhook", urlSecret: secret("webhook-url"), bearerToken: secret("webhook-token"), maxAlerts: 20 },
    { kind: "dingtalk", bridgeUrl: "http://dingtalk-bridge.monitoring.svc:8060/", profile: "ops" },
    { kind: "slack", apiUrl: secret("slack-webhook-url"), channel: "#gpu-alerts" },
    { kind: "wecom", apiSecret: secret("wecom-api-secret"), corpId: "ww0123456789", agentId: "1000002", toParty: "2" },
    {
      kind: "email",
      to: "oncall@example.com",
      from: "alertmanager@example.com",
      smarthost: "email-smtp.eu-west-1.amazonaws.com:587",
      authUsername: "AKIAEXAMPLE",
      authPassword: secret("smtp-password"),
    },
    { kind: "pagerduty", key: secret("pagerduty-routing-key") },
    { kind: "pagerduty", key: secret("pagerduty-service-key"), keyType: "prometheus" },
    { kind: "wecomRobot", bridgeUrlSecret: secret("wecom-robot-bridge-url") },
    { kind: "wecomRobot", bridgeUrl: "http://wecom-bridge.monitoring.svc:8080/webhook/gpu-oncall" },
  ];
}

/** The same kinds, limited to what Alertmanager 0.25 can read from files: no WeCom, webhook URL in clear. */
export function integrations025(): ReceiverIntegration[] {
  return everyIntegration(k8s)
    // url_file arrived in 0.26: a robot bridge URL with its key in a file cannot be kept secret before.
    .filter((i) => i.kind !== "wecom" && !(i.kind === "wecomRobot" && i.bridgeUrlSecret))
    .map((i) => (i.kind === "webhook" ? { kind: "webhook", url: "http://alert-bridge.monitoring.svc:8080/hook", bearerToken: k8s("webhook-token") } : i));
}

/** A config with one receiver per integration, all reachable from the tree. */
export function configWith(integrations: readonly ReceiverIntegration[]): AlertmanagerConfig {
  const receivers: AlertReceiver[] = integrations.map((integration, i) => ({ name: `${integration.kind}-${i}`, integrations: [integration] }));
  return {
    receivers: [...receivers, discardReceiver("null")],
    route: {
      receiver: "null",
      groupBy: ["alertname"],
      routes: receivers.map((r) => ({ matchers: [Matcher.eq("receiver", r.name)], receiver: r.name })),
    },
  };
}

/** The platform policy with a team route and a configured heartbeat, as the route tests use it. */
export function platformConfigWithTeams(): AlertmanagerConfig {
  const slack = (key: string): ReceiverIntegration[] => [{ kind: "slack", apiUrl: k8s(key) }];
  return platformAlertmanagerConfig({
    heartbeat: [{ kind: "webhook", urlSecret: k8s("heartbeat-url") }],
    teams: [
      { name: "vision", matchers: [Matcher.eq("team", "vision")], pager: [{ kind: "pagerduty", key: k8s("vision-pd") }], chat: slack("vision-slack") },
      { name: "avatar", matchers: [Matcher.oneOf("service", ["asr", "tts", "face-animation"])], chat: slack("avatar-slack") },
    ],
  });
}

/** Names of the fields that would hold a secret inline; none may appear in a rendered config. */
export const INLINE_SECRET_FIELDS = ["api_url", "api_secret", "auth_password", "routing_key", "service_key", "credentials", "password"];

/** Every key of a rendered object tree, for asserting that no inline secret field exists. */
export function allKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(allKeys);
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => [k, ...allKeys(v)]);
  }
  return [];
}
