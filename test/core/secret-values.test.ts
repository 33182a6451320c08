import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { PlatformConfigError, formatValue } from "../../lib/core/errors";
import { isSecretName, looksLikeCredential } from "../../lib/core/secret-values";
import { runCli } from "../../stacks/cli";
import { loadConfig } from "../../stacks/config";

/** Credentials of the shapes users paste (made up, same length and alphabet as real ones). */
const SLACK_PART = "AbCdEfGhIjKlMnOpQrStUvWx";
const SLACK = `https://hooks.slack.com/services/T01ABCDEF/B02GHIJKL/${SLACK_PART}`;
const PAGERDUTY = "e93facc04764012d7bfb002500d5d1a6";
const HF = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345";
const SHORT = "hunter2!";
const USERINFO_PART = "s3cretpass";

/** Fails if any 6 characters in a row of the secret appear in the output. */
function expectNoPieceOf(secret: string, output: string): void {
  const pieces = Array.from({ length: Math.max(1, secret.length - 5) }, (_, i) => secret.slice(i, i + 6));
  expect(pieces.filter((p) => output.includes(p))).toEqual([]);
}

describe("isSecretName", () => {
  test.each([
    "slackWebhookUrl", "slackWebhookURL", "alerting.pagerdutyRoutingKey", "pagerDutyKey", "HF_TOKEN", "OPENAI_API_KEY",
    "DB_PASSWORD", "MY_SECRET_VALUE", "apiUrl", "grafana.adminPassword", "receivers[0].pagerduty.routingKey", "AWS_SECRET_ACCESS_KEY",
  ])("%s names a secret", (name) => expect(isSecretName(name)).toBe(true));
  test.each(["cluster.name", "inference.image", "tags", "gpuPools[0].instanceTypes", "MODEL_NAME", "keyboardLayout", "monkey", "runbookUrl", "NVIDIA_VISIBLE_DEVICES", "bearerTokenFile", "secretName", "apiUrl.key", "HF_TOKEN_FILE"])(
    "%s does not",
    (name) => expect(isSecretName(name)).toBe(false),
  );
});

describe("looksLikeCredential", () => {
  test.each([SLACK, PAGERDUTY, HF, "xoxb-123456789012-1234567890123-AbCdEfGhIjKl", `https://admin:${USERINFO_PART}@grafana.example.com`, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", "AKIAIOSFODNN7EXAMPLE"])(
    "%s looks like one",
    (value) => expect(looksLikeCredential(value)).toBe(true),
  );
  test.each([
    "registry.example.com/detector:1.0.0",
    "nvcr.io/nvidia/k8s/dcgm-exporter@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "subnet-0123456789abcdef0",
    "arn:aws:iam::123456789012:role/platform-admins",
    "10.0.0.0/16",
    "x".repeat(101),
    "gpu-inference",
    // Metric and label names in PromQL quoted by error messages: words, not randomness.
    "kube_pod_container_status_restarts_total",
    "rate(kube_pod_container_status_restarts_total[5m]) > 0",
    "histogram_quantile(0.99, sum by (le) (rate(inference_p99_latency_seconds_bucket[5m])))",
    "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE_RATIO_TOTAL",
    "label_gpu_platform_io_pool",
  ])("%s does not", (value) => expect(looksLikeCredential(value)).toBe(false));

  test.each([
    // Random keys that happen to contain underscores still look like keys.
    "AbCd_EfGh1IjKl_MnOpQrStUvWx0123",
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5",
  ])("%s with underscores still looks like one", (value) => expect(looksLikeCredential(value)).toBe(true));
});

describe("formatValue never repeats a secret", () => {
  test.each([
    ["webhookUrl", SLACK],
    ["password", SHORT],
    ["cluster.name", HF],
    ["tags", { note: PAGERDUTY }],
    ["services", [{ name: "a", env: { HF_TOKEN: SHORT } }]],
  ])("%s", (prop, value) => {
    const shown = formatValue(value, prop);
    for (const secret of [SLACK_PART, PAGERDUTY, HF, SHORT]) expectNoPieceOf(secret, shown);
    expect(shown).toContain("<not shown: ");
  });

  test("says what was hidden, and shows harmless values as before", () => {
    expect(new PlatformConfigError("config", "alerting.slackWebhookUrl", SLACK, "must reference a secret").message).toBe(
      "config: 'alerting.slackWebhookUrl' must reference a secret, got <not shown: a string of 77 characters that may be a secret>",
    );
    expect(formatValue({ name: "a", token: SHORT })).toBe('{"name":"a","token":"<not shown: a string of 8 characters that may be a secret>"}');
    expect(formatValue("g5.banana", "gpuPools[0].instanceTypes[0]")).toBe('"g5.banana"');
  });
});

describe("no secret reaches the output of the CLI, whatever the entry path", () => {
  const dir = mkdtempSync(join(tmpdir(), "secrets-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  /** Case, file name and text, the secret that must not appear, and part of the message expected. */
  const CASES: [string, string, string, string, string][] = [
    ["misspelt key (slackWebhookURL)", "a.yaml", `alerting:\n  slackWebhookURL: "${SLACK}"\n`, SLACK_PART, "'alerting.slackWebhookURL' is not a known setting (did you mean 'slackWebhookUrl'?)"],
    ["literal under the right key", "b.yaml", `alerting:\n  slackWebhookUrl: "${SLACK}"\n`, SLACK_PART, "'alerting.slackWebhookUrl' must reference a secret, never hold one"],
    ["PagerDuty key literal", "c.yaml", `alerting:\n  pagerdutyRoutingKey: ${PAGERDUTY}\n`, PAGERDUTY, "'alerting.pagerdutyRoutingKey' must reference a secret"],
    ["PagerDuty key misspelt", "d.json", JSON.stringify({ alerting: { pagerDutyKey: PAGERDUTY } }), PAGERDUTY, "'alerting.pagerDutyKey' is not a known setting"],
    ["wrong shape (a list)", "e.yaml", `alerting:\n  slackWebhookUrl: ["${SLACK}"]\n`, SLACK_PART, "'alerting.slackWebhookUrl' must be a string"],
    ["short password under an unknown key", "f.yaml", `grafanaPassword: "${SHORT}"\n`, SHORT, "'grafanaPassword' is not a known setting"],
    ["token inside an unknown object", "g.yaml", `inference:\n  extra:\n    note: ${HF}\n`, HF, "'inference.extra' is not a known setting"],
    ["URL with credentials under a neutral key", "h.yaml", `clster:\n  endpoint: https://admin:${USERINFO_PART}@k8s.example.com\n`, USERINFO_PART, "'clster' is not a known setting"],
    ["JSON syntax error next to a token", "i.json", `{"alerting": {"slackWebhookUrl": xoxb-1234567890-${SLACK_PART}}}`, SLACK_PART, ":1:34: invalid JSON: Unexpected token 'x'"],
  ];

  test.each(CASES)("%s", (_name, fileName, text, secret, expected) => {
    const lines: string[] = [];
    let code: number | undefined;
    const io = { stderr: (l: string) => lines.push(l), exit: (c: number) => (code = c), env: { GPU_PLATFORM_DEBUG: "1" } };
    runCli(() => void loadConfig({ GPU_PLATFORM_CONFIG: file(fileName, text) }), io);
    const output = lines.join("\n");
    expect(code).toBe(1);
    expect(lines[0]).toContain(expected);
    // The stack trace printed under the debug variable carries the message too.
    expectNoPieceOf(secret, output);
  });
});
