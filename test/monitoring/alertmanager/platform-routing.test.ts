import {
  AlertDuration,
  Matcher,
  platformAlertmanagerConfig,
  renderAlertmanager,
  renderAlertmanagerConfig,
  toAlertmanagerYaml,
} from "../../../lib/monitoring/alertmanager";
import { AMTOOL, AMTOOL_TARGET_VERSION, checkConfig, requireTool, TempDir, verifyRoute } from "./amtool";
import { configWith, everyIntegration, integrations025, k8s, platformConfigWithTeams } from "./fixtures";

let dir: TempDir;
beforeAll(() => {
  requireTool(AMTOOL);
  dir = new TempDir();
});
afterAll(() => dir.dispose());

describe("platformAlertmanagerConfig defaults", () => {
  const rendering = renderAlertmanager(platformAlertmanagerConfig());
  const { route, inhibit_rules, receivers } = rendering.config;

  it("groups one incident per alertname, namespace and service", () => {
    expect(route).toMatchObject({
      receiver: "chat",
      group_by: ["alertname", "namespace", "service"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
    });
  });

  it("sends heartbeats first, never grouped, re-sent every minute, to a black hole unless configured", () => {
    expect(route.routes?.[0]).toEqual({
      receiver: "heartbeat",
      matchers: ['heartbeat="true"'],
      group_by: ["..."],
      group_wait: "0s",
      group_interval: "1m",
      repeat_interval: "1m",
    });
    expect(receivers.find((r) => r.name === "heartbeat")).toEqual({ name: "heartbeat" });
  });

  it("routes by severity after the discarded chart helpers", () => {
    expect(route.routes?.slice(1)).toEqual([
      { receiver: "null", matchers: ['alertname=~"Watchdog|InfoInhibitor"'] },
      { receiver: "pager", matchers: ['severity="critical"'] },
      { receiver: "chat", matchers: ['severity="warning"'] },
      { receiver: "null", matchers: ['severity="info"'] },
    ]);
  });

  it("inhibits warnings under a critical of the same alert, and alerts on a node that is down", () => {
    expect(inhibit_rules).toEqual([
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity=~"warning|info"'],
        equal: ["alertname", "namespace", "service", "Hostname", "gpu", "pod", "metric"],
      },
      {
        source_matchers: ['alertname=~"KubeNodeNotReady|KubeNodeUnreachable|GpuNodeNotReady"', 'node=~".+"'],
        target_matchers: ['alertname!~"KubeNodeNotReady|KubeNodeUnreachable|GpuNodeNotReady"', 'node=~".+"'],
        equal: ["node"],
      },
    ]);
  });

  it("reads the placeholder receivers from the documented Secret", () => {
    expect(receivers.find((r) => r.name === "pager")?.pagerduty_configs?.[0].routing_key_file).toBe(
      "/etc/alertmanager/secrets/alertmanager-receivers/pagerduty-routing-key",
    );
    expect(receivers.find((r) => r.name === "chat")?.slack_configs?.[0].api_url_file).toBe(
      "/etc/alertmanager/secrets/alertmanager-receivers/slack-webhook-url",
    );
    expect(rendering.secretNames).toEqual(["alertmanager-receivers"]);
  });

  it("renders the same for Alertmanager 0.25 and 0.34 (no field newer than 0.25)", () => {
    expect(renderAlertmanagerConfig(platformAlertmanagerConfig(), { targetVersion: "0.25" })).toEqual(rendering.config);
  });

  it("takes custom node-down alerts and timing", () => {
    const config = renderAlertmanagerConfig(
      platformAlertmanagerConfig({ nodeDownAlerts: ["NodeGone"], repeatInterval: AlertDuration.hours(12), heartbeatInterval: AlertDuration.minutes(5) }),
    );
    expect(config.inhibit_rules[1].source_matchers[0]).toBe('alertname="NodeGone"');
    expect(config.route.repeat_interval).toBe("12h");
    expect(config.route.routes?.[0].repeat_interval).toBe("5m");
  });
});

describe("platformAlertmanagerConfig validation", () => {
  it("rejects a team with neither pager nor chat", () => {
    expect(() => platformAlertmanagerConfig({ teams: [{ name: "vision", matchers: [Matcher.eq("team", "vision")] }] })).toThrow(
      `alertmanager: 'teams[0]' must set pager or chat (else the team route changes nothing), got "vision"`,
    );
  });

  it("rejects a team without matchers", () => {
    expect(() => platformAlertmanagerConfig({ teams: [{ name: "vision", matchers: [], chat: [] }] })).toThrow(
      `alertmanager: 'teams[0].matchers' must hold at least one matcher (else the team route takes every alert), got []`,
    );
  });

  it("rejects a team name that cannot name a receiver", () => {
    expect(() => platformAlertmanagerConfig({ teams: [{ name: "Vision Team", matchers: [Matcher.eq("team", "v")], chat: [] }] })).toThrow(
      `alertmanager: 'teams[0].name' must be a DNS-1123 label`,
    );
  });
});

describe("amtool 0.3x check-config (the chart's release line)", () => {
  it("accepts the default config as rendered for the chart", () => {
    const result = checkConfig(dir, toAlertmanagerYaml(platformAlertmanagerConfig()));
    expect(result.output).toContain("SUCCESS");
    expect(result.status).toBe(0);
  });

  it("accepts every receiver kind as rendered for the chart, url_file and api_secret_file included", () => {
    const yaml = toAlertmanagerYaml(configWith(everyIntegration(k8s)), { targetVersion: AMTOOL_TARGET_VERSION });
    expect(yaml).toContain("url_file: /etc/alertmanager/secrets/alertmanager-receivers/webhook-url");
    expect(yaml).toContain("api_secret_file: /etc/alertmanager/secrets/alertmanager-receivers/wecom-api-secret");
    // The WeCom group robot through its bridge, the key-bearing URL from a file.
    expect(yaml).toContain("url_file: /etc/alertmanager/secrets/alertmanager-receivers/wecom-robot-bridge-url");
    const result = checkConfig(dir, yaml);
    expect(result.output).toContain("- 10 receivers");
    expect(result.status).toBe(0);
  });

  it("accepts every receiver kind that 0.25 can keep secret (all but WeCom) rendered for Alertmanager 0.25", () => {
    const result = checkConfig(dir, toAlertmanagerYaml(configWith(integrations025()), { targetVersion: "0.25" }));
    // Every kind but WeCom's app API, plus the WeCom robot through a bridge URL without its key.
    expect(result.output).toContain("- 8 receivers");
    expect(result.status).toBe(0);
  });

  it("checks the *_file fields rather than ignoring them: a misspelt one fails", () => {
    const yaml = toAlertmanagerYaml(configWith(everyIntegration(k8s))).replace(/^( +)api_secret_file:/m, "$1api_secret_fil:");
    const result = checkConfig(dir, yaml);
    expect(result.output).toContain("field api_secret_fil not found");
    expect(result.status).not.toBe(0);
  });

  it("checks the *_file fields against their inline twin: both set fails", () => {
    const yaml = toAlertmanagerYaml(configWith(everyIntegration(k8s))).replace(/^( +)url_file:/m, "$1url: https://hooks.example.com/x\n$1url_file:");
    const result = checkConfig(dir, yaml);
    expect(result.output).toContain("at most one of url & url_file must be configured");
    expect(result.status).not.toBe(0);
  });
});

describe("amtool 0.3x config routes test", () => {
  type Case = [string, Record<string, string>, string];
  const routed = (configText: string, cases: Case[]) => {
    let file = "";
    beforeAll(() => {
      file = dir.write(`routes-${cases.length}.yaml`, configText);
    });
    it.each(cases)("%s", (_what, labels, expected) => {
      const result = verifyRoute(file, { alertname: "TestAlert", ...labels }, [expected]);
      expect(result.output.trim().split("\n")[0]).toBe(expected);
      expect(result.status).toBe(0);
    });
  };

  describe("default config", () => {
    routed(toAlertmanagerYaml(platformAlertmanagerConfig()), [
      ["critical -> pager", { severity: "critical", service: "asr" }, "pager"],
      ["warning -> chat", { severity: "warning", service: "asr" }, "chat"],
      ["info -> null", { severity: "info" }, "null"],
      ["no severity -> chat (never lost)", { service: "asr" }, "chat"],
      ["unknown severity -> chat", { severity: "none" }, "chat"],
      ["heartbeat -> heartbeat", { heartbeat: "true", severity: "none" }, "heartbeat"],
      ["Watchdog -> null", { alertname: "Watchdog", severity: "none" }, "null"],
      ["InfoInhibitor -> null", { alertname: "InfoInhibitor", severity: "none" }, "null"],
    ]);
  });

  describe("config with teams and a heartbeat endpoint", () => {
    routed(toAlertmanagerYaml(platformConfigWithTeams()), [
      ["critical -> pager", { severity: "critical" }, "pager"],
      ["warning -> chat", { severity: "warning" }, "chat"],
      ["info -> null", { severity: "info" }, "null"],
      ["heartbeat -> heartbeat", { heartbeat: "true" }, "heartbeat"],
      ["heartbeat wins over severity", { heartbeat: "true", severity: "critical", team: "vision" }, "heartbeat"],
      ["Watchdog with heartbeat label -> heartbeat", { alertname: "Watchdog", heartbeat: "true" }, "heartbeat"],
      ["team vision critical -> its pager", { team: "vision", severity: "critical" }, "team-vision-pager"],
      ["team vision warning -> its chat", { team: "vision", severity: "warning" }, "team-vision-chat"],
      ["team vision info -> null", { team: "vision", severity: "info" }, "null"],
      ["team vision, no severity -> its chat", { team: "vision" }, "team-vision-chat"],
      ["service tts critical -> platform pager (team has none)", { service: "tts", severity: "critical" }, "pager"],
      ["service asr warning -> avatar chat", { service: "asr", severity: "warning" }, "team-avatar-chat"],
      ["service face-animation info -> null", { service: "face-animation", severity: "info" }, "null"],
      ["service llm warning -> platform chat", { service: "llm", severity: "warning" }, "chat"],
      ["service asrx (regex is anchored) -> platform chat", { service: "asrx", severity: "warning" }, "chat"],
    ]);
  });
});
