import {
  AlertDuration,
  AlertmanagerConfig,
  AlertmanagerSecret,
  discardReceiver,
  LabelMatcher,
  Matcher,
  ReceiverIntegration,
  renderAlertmanager,
  renderAlertmanagerConfig,
  toAlertmanagerYaml,
} from "../../../lib/monitoring/alertmanager";
import { allKeys, configWith, everyIntegration, INLINE_SECRET_FIELDS, k8s } from "./fixtures";

/** A minimal valid config; each test breaks one thing. */
function base(overrides: Partial<AlertmanagerConfig> = {}): AlertmanagerConfig {
  return {
    receivers: [{ name: "chat", integrations: [{ kind: "slack", apiUrl: k8s("slack-webhook-url") }] }, discardReceiver("null")],
    route: { receiver: "chat", groupBy: ["alertname"], routes: [{ matchers: [Matcher.severity("info")], receiver: "null" }] },
    ...overrides,
  };
}

function withChild(child: { matchers?: LabelMatcher[]; receiver?: string; groupWait?: AlertDuration; groupBy?: string[] }) {
  return base({ route: { receiver: "chat", routes: [child] } });
}

function withIntegration(integration: ReceiverIntegration) {
  return base({ receivers: [{ name: "chat", integrations: [integration] }, discardReceiver("null")] });
}

describe("renderAlertmanagerConfig validation", () => {
  it.each<[string, AlertmanagerConfig, string]>([
    [
      "a route to an unknown receiver",
      withChild({ receiver: "pagr" }),
      `alertmanager: 'route.routes[0].receiver' must name a declared receiver (chat, null), got "pagr"`,
    ],
    [
      "an unknown root receiver",
      base({ route: { receiver: "nobody" } }),
      `alertmanager: 'route.receiver' must name a declared receiver (chat, null), got "nobody"`,
    ],
    [
      "a receiver with no configuration",
      base({ receivers: [{ name: "chat", integrations: [] }, discardReceiver("null")] }),
      `alertmanager: 'receivers[0].integrations' must hold at least one integration for receiver "chat" (set discard: true for a receiver that drops alerts), got []`,
    ],
    [
      "a discard receiver with integrations",
      base({ receivers: [{ name: "chat", integrations: [{ kind: "slack", apiUrl: k8s("x") }], discard: true }] }),
      `alertmanager: 'receivers[0].integrations' must be empty when discard is true, got ["slack"]`,
    ],
    [
      "duplicate receiver names",
      base({ receivers: [discardReceiver("chat"), discardReceiver("null"), discardReceiver("chat")] }),
      `alertmanager: 'receivers' must hold unique names; this one appears more than once, got "chat"`,
    ],
    [
      "an unknown severity in a matcher",
      withChild({ matchers: [Matcher.eq("severity", "urgent")], receiver: "null" }),
      `alertmanager: 'route.routes[0].matchers[0].value' must be a severity (critical, warning, info), got "urgent"`,
    ],
    [
      "an unknown severity in a regex matcher",
      withChild({ matchers: [Matcher.regex("severity", "warning|page")], receiver: "null" }),
      `alertmanager: 'route.routes[0].matchers[0].value' must be a severity (critical, warning, info) or an alternation of them such as "warning|info", got "warning|page"`,
    ],
    [
      "an unknown severity in an inhibit rule",
      base({ inhibitRules: [{ sourceMatchers: [Matcher.eq("severity", "Critical")], targetMatchers: [Matcher.severity("warning")] }] }),
      `alertmanager: 'inhibitRules[0].sourceMatchers[0].value' must be a severity (critical, warning, info), got "Critical"`,
    ],
    [
      "an invalid duration",
      withChild({ groupWait: AlertDuration.parse("30 seconds") }),
      `alertmanager: 'route.routes[0].groupWait' must be a Prometheus duration such as 30s, 5m, 1h or 1h30m, got "30 seconds"`,
    ],
    [
      "a fractional duration",
      base({ route: { receiver: "chat", repeatInterval: AlertDuration.hours(1.5) } }),
      `alertmanager: 'route.repeatInterval' must be a Prometheus duration such as 30s, 5m, 1h or 1h30m, got "1.5h"`,
    ],
    [
      "a zero group interval",
      base({ route: { receiver: "chat", groupInterval: AlertDuration.seconds(0) } }),
      `alertmanager: 'route.groupInterval' must be a Prometheus duration greater than zero, got "0s"`,
    ],
    [
      "an invalid resolve timeout",
      base({ resolveTimeout: AlertDuration.parse("5") }),
      `alertmanager: 'resolveTimeout' must be a Prometheus duration such as 30s, 5m, 1h or 1h30m, got "5"`,
    ],
    [
      "an invalid label name in group_by",
      base({ route: { receiver: "chat", groupBy: ["alertname", "k8s-namespace"] } }),
      `alertmanager: 'route.groupBy[1]' must be a valid Prometheus label name matching [a-zA-Z_][a-zA-Z0-9_]* and not starting with '__', got "k8s-namespace"`,
    ],
    [
      "'...' mixed with labels in group_by",
      base({ route: { receiver: "chat", groupBy: ["...", "alertname"] } }),
      `alertmanager: 'route.groupBy' must be ["..."] alone (group by every label) or a list of label names, got ["...","alertname"]`,
    ],
    [
      "an invalid label name in equal",
      base({ inhibitRules: [{ sourceMatchers: [Matcher.severity("critical")], targetMatchers: [Matcher.severity("warning")], equal: ["alert.name"] }] }),
      `alertmanager: 'inhibitRules[0].equal[0]' must be a valid Prometheus label name matching [a-zA-Z_][a-zA-Z0-9_]* and not starting with '__', got "alert.name"`,
    ],
    [
      "an invalid label name in a matcher",
      withChild({ matchers: [Matcher.eq("1team", "vision")], receiver: "null" }),
      `alertmanager: 'route.routes[0].matchers[0].label' must be a valid Prometheus label name matching [a-zA-Z_][a-zA-Z0-9_]* and not starting with '__', got "1team"`,
    ],
    [
      "an invalid regex",
      withChild({ matchers: [Matcher.regex("service", "asr|(tts")], receiver: "null" }),
      `alertmanager: 'route.routes[0].matchers[0].value' must be a valid regular expression, got "asr|(tts"`,
    ],
    [
      "an invalid operator",
      withChild({ matchers: [{ label: "team", operator: "==" as "=", value: "x" }], receiver: "null" }),
      `alertmanager: 'route.routes[0].matchers[0].operator' must be one of =, !=, =~, !~, got "=="`,
    ],
    [
      "an inhibit rule without source matchers",
      base({ inhibitRules: [{ sourceMatchers: [], targetMatchers: [Matcher.severity("warning")] }] }),
      `alertmanager: 'inhibitRules[0].sourceMatchers' must hold at least one matcher, got []`,
    ],
    [
      "an email receiver without smarthost",
      withIntegration({ kind: "email", to: "a@example.com", from: "b@example.com", smarthost: undefined as unknown as string }),
      `alertmanager: 'receivers[0].integrations[0].smarthost' must be the SMTP relay as host:port, e.g. "smtp.example.com:587", got undefined`,
    ],
    [
      "an email smarthost without port",
      withIntegration({ kind: "email", to: "a@example.com", from: "b@example.com", smarthost: "smtp.example.com" }),
      `alertmanager: 'receivers[0].integrations[0].smarthost' must be the SMTP relay as host:port, e.g. "smtp.example.com:587", got "smtp.example.com"`,
    ],
    [
      "an email password without user",
      withIntegration({ kind: "email", to: "a@example.com", from: "b@example.com", smarthost: "smtp:25", authPassword: k8s("p") }),
      `alertmanager: 'receivers[0].integrations[0].authUsername' must be set when authPassword is set, got undefined`,
    ],
    [
      "a webhook URL that is not http(s)",
      withIntegration({ kind: "webhook", url: "ftp://bridge.monitoring.svc/hook" }),
      `alertmanager: 'receivers[0].integrations[0].url' must be an http:// or https:// URL, got "ftp://bridge.monitoring.svc/hook"`,
    ],
    [
      "a DingTalk bridge URL that is not a URL",
      withIntegration({ kind: "dingtalk", bridgeUrl: "dingtalk-bridge:8060", profile: "ops" }),
      `alertmanager: 'receivers[0].integrations[0].bridgeUrl' must be an http:// or https:// URL, got "dingtalk-bridge:8060"`,
    ],
    [
      "a WeCom API URL that is not http(s)",
      withIntegration({ kind: "wecom", apiSecret: k8s("s"), corpId: "c", agentId: "1", apiUrl: "qyapi.weixin.qq.com" }),
      `alertmanager: 'receivers[0].integrations[0].apiUrl' must be an http:// or https:// URL, got <not shown: a string of 19 characters that may be a secret>`,
    ],
    [
      "a WeCom robot pointed at the robot's own webhook, which rejects Alertmanager's payload",
      withIntegration({ kind: "wecomRobot", bridgeUrl: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx" }),
      `alertmanager: 'receivers[0].integrations[0].bridgeUrl' must be a bridge's URL: the robot's own webhook does not accept Alertmanager's payload (run a bridge such as alertmanager-wechatrobot-webhook and point this at it), got <not shown: a string of 54 characters that may be a secret>`,
    ],
    [
      "a WeCom robot bridge URL with the robot key in plain text",
      withIntegration({ kind: "wecomRobot", bridgeUrl: "http://wecom-bridge.monitoring.svc:8080/webhook?key=693a91f6-7xxx" }),
      `alertmanager: 'receivers[0].integrations[0].bridgeUrl' must not carry the robot key in plain text: put the URL in a Secret and use bridgeUrlSecret, got <not shown: a string of 53 characters that may be a secret>`,
    ],
    [
      "a webhook with both url and urlSecret",
      withIntegration({ kind: "webhook", url: "http://x.svc/", urlSecret: k8s("u") }),
      `alertmanager: 'receivers[0].integrations[0].url' must be set, or urlSecret instead (exactly one of url and urlSecret), got "http://x.svc/"`,
    ],
    [
      "a webhook with neither url nor urlSecret",
      withIntegration({ kind: "webhook" }),
      `alertmanager: 'receivers[0].integrations[0].url' must be set, or urlSecret instead (exactly one of url and urlSecret), got undefined`,
    ],
    [
      "a Kubernetes secret name that is not a DNS label",
      withIntegration({ kind: "slack", apiUrl: AlertmanagerSecret.fromKubernetesSecret("Receivers", "slack") }),
      `alertmanager: 'receivers[0].integrations[0].apiUrl.secretName' must be a DNS-1123 label (1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit), got "Receivers"`,
    ],
    [
      "a Kubernetes secret key with a slash",
      withIntegration({ kind: "slack", apiUrl: AlertmanagerSecret.fromKubernetesSecret("receivers", "slack/url") }),
      `alertmanager: 'receivers[0].integrations[0].apiUrl.key' must be a Kubernetes Secret key: 1-253 characters of [-._a-zA-Z0-9], got "slack/url"`,
    ],
  ])("rejects %s", (_what, config, message) => {
    expect(() => renderAlertmanagerConfig(config)).toThrow(message);
  });

  it("rejects a oneOf matcher without values (it would match only an absent label)", () => {
    expect(() => Matcher.oneOf("alertname", [])).toThrow(`Matcher: 'values' must hold at least one value, got []`);
  });

  it("rejects an unsupported target version", () => {
    expect(() => renderAlertmanagerConfig(base(), { targetVersion: "0.21" })).toThrow(
      `alertmanager: 'targetVersion' must be an Alertmanager version "0.<minor>" no older than 0.22 (matchers syntax), got "0.21"`,
    );
  });

  it("names the construct path when given a scope", () => {
    expect(() => renderAlertmanagerConfig(withChild({ receiver: "x" }), { scope: "platform/alerting" })).toThrow(
      /^platform\/alerting: 'route.routes\[0\].receiver'/,
    );
  });

  it("rejects two Secrets Manager values under one derived key", () => {
    const config = withIntegration({ kind: "slack", apiUrl: AlertmanagerSecret.fromSecretsManager("prod/slack") });
    const twice = base({
      receivers: [
        ...config.receivers,
        { name: "other", integrations: [{ kind: "slack", apiUrl: AlertmanagerSecret.fromSecretsManager("prod:slack") }] },
      ],
    });
    expect(() => renderAlertmanagerConfig(twice)).toThrow(
      `alertmanager: 'receivers[2].integrations[0].apiUrl.key' must be unique per Secrets Manager value; it is already used for "prod/slack", set 'key' to tell them apart, got "prod-slack"`,
    );
  });
});

describe("secret fields and Alertmanager versions", () => {
  it.each<[string, ReceiverIntegration, string]>([
    ["WeCom", { kind: "wecom", apiSecret: k8s("s"), corpId: "c", agentId: "1" }, "0.31 for receivers[0].integrations[0].apiSecret: Alertmanager reads it from a file (api_secret_file) only since 0.31"],
    ["webhook", { kind: "webhook", urlSecret: k8s("u") }, "0.26 for receivers[0].integrations[0].urlSecret: Alertmanager reads it from a file (url_file) only since 0.26"],
  ])("refuses a %s secret below the version that reads it from a file, never rendering it inline", (_what, integration, detail) => {
    expect(() => renderAlertmanagerConfig(withIntegration(integration), { targetVersion: "0.25" })).toThrow(
      `alertmanager: 'targetVersion' must be at least ${detail}, and secrets are never rendered inline, got "0.25"`,
    );
  });

  it("refuses email auth_password_file below 0.25", () => {
    const email: ReceiverIntegration = { kind: "email", to: "a@x.io", from: "b@x.io", smarthost: "smtp:587", authUsername: "u", authPassword: k8s("p") };
    expect(() => renderAlertmanagerConfig(withIntegration(email), { targetVersion: "0.24" })).toThrow(
      "'targetVersion' must be at least 0.25 for receivers[0].integrations[0].authPassword",
    );
  });

  it("renders every credential as a *_file path under the secret mount", () => {
    const config = renderAlertmanagerConfig(configWith(everyIntegration(k8s)));
    const dir = "/etc/alertmanager/secrets/alertmanager-receivers";
    const byName = Object.fromEntries(config.receivers.map((r) => [r.name, r]));
    expect(byName["webhook-0"].webhook_configs).toEqual([
      {
        send_resolved: true,
        url_file: `${dir}/webhook-url`,
        max_alerts: 20,
        http_config: { authorization: { type: "Bearer", credentials_file: `${dir}/webhook-token` } },
      },
    ]);
    expect(byName["dingtalk-1"].webhook_configs).toEqual([{ send_resolved: true, url: "http://dingtalk-bridge.monitoring.svc:8060/dingtalk/ops/send" }]);
    expect(byName["slack-2"].slack_configs).toEqual([{ send_resolved: true, api_url_file: `${dir}/slack-webhook-url`, channel: "#gpu-alerts" }]);
    expect(byName["wecom-3"].wechat_configs).toEqual([
      { send_resolved: true, api_secret_file: `${dir}/wecom-api-secret`, corp_id: "ww0123456789", agent_id: "1000002", to_party: "2", message_type: "text" },
    ]);
    expect(byName["email-4"].email_configs?.[0]).toMatchObject({ auth_password_file: `${dir}/smtp-password`, require_tls: true });
    expect(byName["pagerduty-5"].pagerduty_configs).toEqual([{ send_resolved: true, routing_key_file: `${dir}/pagerduty-routing-key` }]);
    expect(byName["pagerduty-6"].pagerduty_configs).toEqual([{ send_resolved: true, service_key_file: `${dir}/pagerduty-service-key` }]);
    // WeCom group robots through a bridge: the key in a file, or held by the bridge itself.
    expect(byName["wecomRobot-7"].webhook_configs).toEqual([{ send_resolved: true, url_file: `${dir}/wecom-robot-bridge-url` }]);
    expect(byName["wecomRobot-8"].webhook_configs).toEqual([{ send_resolved: true, url: "http://wecom-bridge.monitoring.svc:8080/webhook/gpu-oncall" }]);
    expect(allKeys(config).filter((k) => INLINE_SECRET_FIELDS.includes(k))).toEqual([]);
  });

  it("keeps Secrets Manager values out of the rendered YAML: only file paths and one Secret to mount", () => {
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/alerting-AbCdEf";
    const sm = (key: string) => AlertmanagerSecret.fromSecretsManager(arn, { jsonKey: key });
    const config = configWith(everyIntegration(sm));
    const rendering = renderAlertmanager(config);
    const yaml = toAlertmanagerYaml(config);
    expect(rendering.secretNames).toEqual(["alertmanager-secrets-manager"]);
    expect(rendering.secretsManagerValues.map((v) => v.key)).toEqual([
      "arn-aws-secretsmanager-eu-west-1-123456789012-secret-prod-alerting-AbCdEf.webhook-url",
      "arn-aws-secretsmanager-eu-west-1-123456789012-secret-prod-alerting-AbCdEf.webhook-token",
      "arn-aws-secretsmanager-eu-west-1-123456789012-secret-prod-alerting-AbCdEf.slack-webhook-url",
      "arn-aws-secretsmanager-eu-west-1-123456789012-secret-prod-alerting-AbCdEf.wecom-api-secret",
      "arn-aws-secretsmanager-eu-west-1-123456789012-secret-prod-alerting-AbCdEf.smtp-password",
      "arn-aws-secretsmanager-eu-west-1-123456789012-secret-prod-alerting-AbCdEf.pagerduty-routing-key",
      "arn-aws-secretsmanager-eu-west-1-123456789012-secret-prod-alerting-AbCdEf.pagerduty-service-key",
      "arn-aws-secretsmanager-eu-west-1-123456789012-secret-prod-alerting-AbCdEf.wecom-robot-bridge-url",
    ]);
    expect(yaml).toContain(
      "api_url_file: /etc/alertmanager/secrets/alertmanager-secrets-manager/arn-aws-secretsmanager-eu-west-1-123456789012-secret-prod-alerting-AbCdEf.slack-webhook-url",
    );
    expect(yaml).not.toContain(arn);
    expect(yaml).not.toMatch(/^\s*(api_url|api_secret|auth_password|routing_key|service_key|credentials|url: https:\/\/hooks)\s*:/m);
  });

  it("uses an explicit key and the configured Secret name and mount path", () => {
    const secret = AlertmanagerSecret.fromSecretsManager("prod/slack", { key: "slack-url" });
    const rendering = renderAlertmanager(withIntegration({ kind: "slack", apiUrl: secret }), {
      secretsManagerSecretName: "am-copied",
      secretsMountPath: "/run/secrets/",
    });
    expect(rendering.config.receivers[0].slack_configs?.[0].api_url_file).toBe("/run/secrets/am-copied/slack-url");
    expect(rendering.secretNames).toEqual(["am-copied"]);
  });

  it("lists each mounted Kubernetes Secret once, sorted", () => {
    const rendering = renderAlertmanager(
      configWith([
        { kind: "slack", apiUrl: AlertmanagerSecret.fromKubernetesSecret("zz-slack", "url") },
        { kind: "pagerduty", key: AlertmanagerSecret.fromKubernetesSecret("aa-pd", "key") },
        { kind: "slack", apiUrl: AlertmanagerSecret.fromKubernetesSecret("zz-slack", "url2") },
      ]),
    );
    expect(rendering.secretNames).toEqual(["aa-pd", "zz-slack"]);
    expect(rendering.secretsManagerValues).toEqual([]);
  });
});

describe("rendered routes", () => {
  it("renders matchers in Alertmanager's quoted syntax, escaping quotes and backslashes", () => {
    const config = renderAlertmanagerConfig(
      withChild({ matchers: [Matcher.eq("summary", 'say "hi" \\ bye'), Matcher.noneOf("service", ["a.b", "c"])], receiver: "null" }),
    );
    expect(config.route.routes?.[0].matchers).toEqual(['summary="say \\"hi\\" \\\\ bye"', 'service!~"a\\\\.b|c"']);
  });

  it("renders global, root timing and omits what is unset", () => {
    const config = renderAlertmanagerConfig(base());
    expect(config.global).toEqual({ resolve_timeout: "5m" });
    expect(config.route).toEqual({ receiver: "chat", group_by: ["alertname"], routes: [{ matchers: ['severity="info"'], receiver: "null" }] });
    expect(config.inhibit_rules).toEqual([]);
    expect(config.receivers[1]).toEqual({ name: "null" });
  });
});
