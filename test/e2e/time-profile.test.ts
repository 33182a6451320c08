import {
  AlertmanagerFile,
  compressAlertmanagerFile,
  compressDuration,
  compressPromql,
  compressRuleFile,
  formatDurationMs,
  parseDurationMs,
  TimeProfile,
} from "./harness/time-profile";

const profile: TimeProfile = { factor: 60, scrapeIntervalSeconds: 1, evaluationIntervalSeconds: 1, minRangeSeconds: 4 };

describe("durations", () => {
  it.each([
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["500ms", 500],
    ["1d", 86_400_000],
    ["1.5s", 1_500],
  ])("parses %s", (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it("rejects what is not a duration", () => {
    expect(() => parseDurationMs("5 minutes")).toThrow('not a Prometheus duration: "5 minutes"');
  });

  it.each([
    [5_000, "5s"],
    [120_000, "2m"],
    [750, "750ms"],
    [86_400_000, "1d"],
    [0, "0s"],
  ])("formats %d ms as %s", (ms, text) => expect(formatDurationMs(ms)).toBe(text));

  it("divides by the factor and keeps the floor", () => {
    expect(compressDuration("10m", profile)).toBe("10s");
    expect(compressDuration("30s", profile)).toBe("500ms");
    expect(compressDuration("1m", profile, 4_000)).toBe("4s");
  });
});

describe("compressPromql", () => {
  it("compresses range selectors, keeping at least minRange", () => {
    expect(compressPromql('sum(rate(x{le="1.0"}[5m])) / sum(rate(y[1h]))', profile)).toBe('sum(rate(x{le="1.0"}[5s])) / sum(rate(y[1m]))');
    expect(compressPromql("rate(x[1m])", profile)).toBe("rate(x[4s])");
  });

  it("compresses subquery range and step, and offsets", () => {
    expect(compressPromql("max_over_time(rate(x[30m])[6h:5m] offset 1d)", profile)).toBe("max_over_time(rate(x[30s])[6m:5s] offset 24m)");
  });

  it("compresses the look-ahead of predict_linear, not other numbers", () => {
    expect(compressPromql("predict_linear(x[6h], 86400) > 3600", profile)).toBe("predict_linear(x[6m], 1440) > 3600");
  });

  it("leaves expressions without durations byte for byte", () => {
    const expr = 'max by (node) (kube_node_status_capacity{resource="nvidia_com_gpu"})\n  > 0';
    expect(compressPromql(expr, profile)).toBe(expr);
  });

  it("refuses an expression that does not parse", () => {
    expect(() => compressPromql("rate(x[5m]", profile)).toThrow("cannot compress a PromQL expression that does not parse: rate(x[5m]");
  });
});

describe("compressRuleFile", () => {
  it("compresses for, keep_firing_for and group intervals (not below the evaluation interval), nothing else", () => {
    const file = {
      groups: [
        {
          name: "g",
          interval: "15s",
          rules: [
            { record: "r", expr: "rate(x[5m])" },
            { alert: "A", expr: "r > 1", for: "10m", keep_firing_for: "5m", labels: { severity: "warning" }, annotations: { summary: "s" } },
          ],
        },
      ],
    };
    expect(compressRuleFile(file, profile)).toEqual({
      groups: [
        {
          name: "g",
          interval: "1s",
          rules: [
            { record: "r", expr: "rate(x[5s])" },
            { alert: "A", expr: "r > 1", for: "10s", keep_firing_for: "5s", labels: { severity: "warning" }, annotations: { summary: "s" } },
          ],
        },
      ],
    });
  });
});

describe("compressAlertmanagerFile", () => {
  const file: AlertmanagerFile = {
    global: { resolve_timeout: "5m" },
    route: {
      receiver: "chat",
      group_by: ["alertname"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      routes: [{ receiver: "heartbeat", matchers: ['heartbeat="true"'], group_wait: "0s", group_interval: "1m", repeat_interval: "1m" }],
    },
    inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["alertname"] }],
    receivers: [{ name: "chat", slack_configs: [{ api_url_file: "/etc/x" }] }, { name: "heartbeat" }],
  };

  it("compresses the timing, keeps routes and inhibition, and points every receiver at the sink", () => {
    expect(compressAlertmanagerFile(file, profile, (r) => `http://127.0.0.1:1/${r}`)).toEqual({
      global: { resolve_timeout: "5s" },
      route: {
        receiver: "chat",
        group_by: ["alertname"],
        group_wait: "500ms",
        group_interval: "5s",
        repeat_interval: "4m",
        routes: [{ receiver: "heartbeat", matchers: ['heartbeat="true"'], group_wait: "0s", group_interval: "1s", repeat_interval: "1s" }],
      },
      inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["alertname"] }],
      receivers: [
        { name: "chat", webhook_configs: [{ url: "http://127.0.0.1:1/chat", send_resolved: true }] },
        { name: "heartbeat", webhook_configs: [{ url: "http://127.0.0.1:1/heartbeat", send_resolved: true }] },
      ],
    });
  });
});
