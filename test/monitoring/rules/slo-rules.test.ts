import { bucketBoundMatcher, formatBucketBound, latencyGoodRatio } from "../../../lib/contracts/promql";
import { SLO_WINDOWS, sloErrorRecord, sloRuleGroups } from "../../../lib/monitoring/rules";
import { INFERENCE_SERVER, TRITON_CONTRACT } from "./fixtures";
import { alert, alertNames, expectConfigError, record } from "./helpers";

const slo = (slos: typeof INFERENCE_SERVER.slos, contract = INFERENCE_SERVER.contract) =>
  sloRuleGroups("PlatformRules", "services[0]", { ...INFERENCE_SERVER, slos, contract });
const SEL = 'namespace="inference", service="inference-server"';

describe("SLO rules", () => {
  const [g] = slo({ availability: 0.995, latency: { objective: 0.99, thresholdSeconds: 0.5 } });

  test("error ratios recorded over every window for both SLOs", () => {
    expect(SLO_WINDOWS).toEqual(["5m", "30m", "1h", "2h", "6h", "1d", "3d"]);
    for (const w of SLO_WINDOWS) {
      expect(record(g, sloErrorRecord(w), { slo: "availability" })).toEqual({
        record: `namespace_service_slo:sli_error:ratio_rate${w}`,
        expr: `(sum(rate(inference_requests_total{${SEL}, status="error"}[${w}])) / sum(rate(inference_requests_total{${SEL}}[${w}])))`,
        labels: { namespace: "inference", service: "inference-server", slo: "availability" },
      });
      expect(record(g, sloErrorRecord(w), { slo: "latency" }).expr).toBe(
        `1 - (sum(rate(inference_request_duration_seconds_bucket{${SEL}, le="0.5"}[${w}])) / sum(rate(inference_request_duration_seconds_count{${SEL}}[${w}])))`,
      );
    }
  });

  test("page at 14.4x (1h and 5m) or 6x (6h and 30m); ticket at 3x (1d and 2h) or 1x (3d and 6h)", () => {
    const r = (w: string) => `namespace_service_slo:sli_error:ratio_rate${w}{${SEL}, slo="availability"}`;
    const pair = (long: string, short: string, threshold: string) => `(\n${r(long)} > ${threshold}\nand\n${r(short)} > ${threshold}\n)`;
    const page = g.rules.find((x) => "alert" in x && x.labels.severity === "critical" && x.labels.slo === "availability");
    const ticket = g.rules.find((x) => "alert" in x && x.labels.severity === "warning" && x.labels.slo === "availability");
    expect(page).toMatchObject({ expr: `${pair("1h", "5m", "(14.4 * 0.005)")}\nor\n${pair("6h", "30m", "(6 * 0.005)")}`, for: "2m" });
    expect(ticket).toMatchObject({ expr: `${pair("1d", "2h", "(3 * 0.005)")}\nor\n${pair("3d", "6h", "(1 * 0.005)")}`, for: "15m" });
    expect(alertNames(g)).toEqual([
      "InferenceSloBudgetBurn/critical",
      "InferenceSloBudgetBurn/warning",
      "InferenceSloBudgetBurn/critical",
      "InferenceSloBudgetBurn/warning",
      "InferenceSloLatencyBucketMissing/warning",
    ]);
  });

  test("the latency budget is 1 - objective, and a missing bucket is reported", () => {
    expect(JSON.stringify(g.rules)).toContain("(14.4 * 0.01)");
    expect(alert(g, "InferenceSloLatencyBucketMissing").expr).toBe(
      `sum by (namespace, service)(rate(inference_requests_total{${SEL}}[5m])) > 0\nunless on ()\n` +
        `(sum(rate(inference_request_duration_seconds_bucket{${SEL}, le="0.5"}[5m])) / sum(rate(inference_request_duration_seconds_count{${SEL}}[5m])))`,
    );
  });

  test("no group without SLOs; availability only without a latency SLO", () => {
    expect(slo(undefined)).toEqual([]);
    expect(slo({})).toEqual([]);
    const [a] = slo({ availability: 0.999 });
    expect(alertNames(a)).toEqual(["InferenceSloBudgetBurn/critical", "InferenceSloBudgetBurn/warning"]);
    expect(JSON.stringify(a.rules)).toContain("(14.4 * 0.001)");
  });

  test("objectives outside (0, 1) are rejected", () => {
    expectConfigError(() => slo({ availability: 1 }), "PlatformRules: 'services[0].slos.availability' must be a fraction strictly between 0 and 1, such as 0.995, got 1");
    expectConfigError(() => slo({ availability: 99.5 }), "PlatformRules: 'services[0].slos.availability' must be a fraction strictly between 0 and 1, such as 0.995, got 99.5");
    expectConfigError(
      () => slo({ latency: { objective: 0, thresholdSeconds: 1 } }),
      "PlatformRules: 'services[0].slos.latency.objective' must be a fraction strictly between 0 and 1, such as 0.995, got 0",
    );
    expectConfigError(
      () => slo({ latency: { objective: 0.99, thresholdSeconds: -1 } }),
      "PlatformRules: 'services[0].slos.latency.thresholdSeconds' must be a number above 0, got -1",
    );
  });

  test("a latency SLO needs a histogram", () => {
    expectConfigError(
      () => slo({ latency: { objective: 0.99, thresholdSeconds: 1 } }, TRITON_CONTRACT),
      `PlatformRules: 'services[0].slos.latency' needs a latency histogram, but contract 'triton' measures latency as sum/count only; drop the latency SLO or expose a histogram, got {"objective":0.99,"thresholdSeconds":1}`,
    );
  });
});

describe("bucket bounds as Prometheus v3 stores them", () => {
  test.each([
    [1, "1.0"],
    [0.5, "0.5"],
    [250, "250.0"],
    [0.0001, "0.0001"],
    [0.00005, "5e-05"],
    [1e6, "1e+06"],
    [1234567, "1.234567e+06"],
    [Infinity, "+Inf"],
  ])("%p -> %s", (value, text) => {
    expect(formatBucketBound(value)).toBe(text);
  });

  test("a whole-second threshold matches le=\"1.0\" (Prometheus 3) and le=\"1\" (Prometheus 2), and milliseconds convert without float noise", () => {
    expect(latencyGoodRatio(INFERENCE_SERVER.contract, INFERENCE_SERVER.selector, 1, "5m")).toContain('le=~"1\\\\.0|1"');
    const ms = { ...INFERENCE_SERVER.contract, latency: { kind: "histogram" as const, name: "request_latency_ms", unit: "milliseconds" as const } };
    expect(latencyGoodRatio(ms, INFERENCE_SERVER.selector, 0.3, "5m")).toContain('le=~"300\\\\.0|300"');
  });

  test.each([
    [0.5, { label: "le", op: "=", value: "0.5" }],
    [1, { label: "le", op: "=~", value: "1\\.0|1" }],
    [2.5, { label: "le", op: "=", value: "2.5" }],
    [1e6, { label: "le", op: "=~", value: "1e\\+06|1000000" }],
  ])("bucket %p matches every spelling Prometheus 2 or 3 stores", (value, matcher) => {
    expect(bucketBoundMatcher(value)).toEqual(matcher);
  });
});
