import { Testing } from "cdktf";
import { Construct } from "constructs";
import { monitoringLabelContract } from "../../../lib/contracts/monitoring-labels";
import {
  AlertmanagerSecret,
  AlertRouting,
  AlertRoutingOptions,
  Matcher,
  platformAlertmanagerConfig,
} from "../../../lib/monitoring/alertmanager";

interface Synthesized {
  readonly data?: { readonly aws_secretsmanager_secret_version?: Record<string, { secret_id: string; version_stage: string }> };
  readonly resource?: {
    readonly kubernetes_secret_v1?: Record<string, { metadata: { name: string; namespace: string }; data: Record<string, string> }>;
  };
}

function synth(options: AlertRoutingOptions): { routing: AlertRouting; parsed: Synthesized } {
  let routing: AlertRouting | undefined;
  const json = Testing.synthScope((scope: Construct) => {
    routing = new AlertRouting(scope, "alerting", { monitoringLabels: monitoringLabelContract(), ...options });
  });
  return { routing: routing!, parsed: JSON.parse(json) as Synthesized };
}

const SLACK_ID = "prod/alerting/slack";
const PD_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/pagerduty-Ab12Cd";

describe("AlertRouting", () => {
  it("defaults to the platform policy and creates nothing when every secret already exists in Kubernetes", () => {
    const { routing, parsed } = synth({});
    expect(parsed.resource?.kubernetes_secret_v1).toBeUndefined();
    expect(parsed.data?.aws_secretsmanager_secret_version).toBeUndefined();
    expect(routing.chartValues.alertmanagerSpec).toEqual({ secrets: ["alertmanager-receivers"] });
    expect(routing.chartValues.config.route.receiver).toBe("chat");
    expect(routing.dependables).toEqual([]);
  });

  describe("with Secrets Manager sources", () => {
    const { routing, parsed } = synth({
      config: platformAlertmanagerConfig({
        chat: [{ kind: "slack", apiUrl: AlertmanagerSecret.fromSecretsManager(SLACK_ID, { jsonKey: "webhook_url", key: "slack-url" }) }],
        pager: [{ kind: "pagerduty", key: AlertmanagerSecret.fromSecretsManager(PD_ARN, { key: "pd-key" }) }],
        teams: [
          {
            name: "vision",
            matchers: [Matcher.eq("team", "vision")],
            chat: [{ kind: "slack", apiUrl: AlertmanagerSecret.fromSecretsManager(SLACK_ID, { jsonKey: "vision-url", key: "vision-slack-url" }) }],
          },
        ],
      }),
    });
    const secret = Object.values(parsed.resource?.kubernetes_secret_v1 ?? {});
    const versions = parsed.data?.aws_secretsmanager_secret_version ?? {};

    it("reads each Secrets Manager secret once, at apply", () => {
      expect(Object.values(versions).map((v) => [v.secret_id, v.version_stage]).sort()).toEqual([
        [PD_ARN, "AWSCURRENT"],
        [SLACK_ID, "AWSCURRENT"],
      ]);
    });

    it("copies them into one Secret in the monitoring namespace, as references only", () => {
      const idOf = (secretId: string) => Object.keys(versions).find((k) => versions[k].secret_id === secretId);
      const [slackId, pdId] = [idOf(SLACK_ID), idOf(PD_ARN)];
      expect(secret).toHaveLength(1);
      expect(secret[0].metadata).toMatchObject({ name: "alertmanager-secrets-manager", namespace: "monitoring" });
      expect(secret[0].data).toEqual({
        "slack-url": `\${jsondecode(data.aws_secretsmanager_secret_version.${slackId}.secret_string).webhook_url}`,
        "vision-slack-url": `\${jsondecode(data.aws_secretsmanager_secret_version.${slackId}.secret_string)["vision-url"]}`,
        "pd-key": `\${data.aws_secretsmanager_secret_version.${pdId}.secret_string}`,
      });
    });

    it("mounts that Secret and points the config at its files", () => {
      expect(routing.chartValues.alertmanagerSpec.secrets).toEqual(["alertmanager-secrets-manager"]);
      expect(routing.yaml).toContain("api_url_file: /etc/alertmanager/secrets/alertmanager-secrets-manager/slack-url");
      expect(routing.yaml).toContain("routing_key_file: /etc/alertmanager/secrets/alertmanager-secrets-manager/pd-key");
      expect(routing.yaml).not.toMatch(/\$\{|secretsmanager/);
      expect(routing.dependables).toEqual([routing.secretsManagerCopy]);
    });
  });

  it("names the construct path in validation errors", () => {
    expect(() => synth({ config: { receivers: [], route: { receiver: "chat" } } })).toThrow(
      `alerting: 'route.receiver' must name a declared receiver (), got "chat"`,
    );
  });

  it("rejects a Secrets Manager Secret name that is not a DNS label", () => {
    expect(() => synth({ secretsManagerSecretName: "Alertmanager_SM" })).toThrow(
      `alerting: 'secretsManagerSecretName' must be a DNS-1123 label`,
    );
  });
});
