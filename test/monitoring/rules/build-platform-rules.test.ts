import { AlertRule, buildPlatformRules, DEFAULT_RUNBOOK_BASE_URL, isAlertRule, RuleGroup } from "../../../lib/monitoring/rules";
import { FIXTURE_OPTIONS, INFERENCE_SERVER } from "./fixtures";
import { expectConfigError } from "./helpers";

const alerts = (groups: readonly RuleGroup[]): AlertRule[] => groups.flatMap((g) => g.rules.filter(isAlertRule));

describe("buildPlatformRules on the fixture", () => {
  const groups = buildPlatformRules(FIXTURE_OPTIONS);

  test("groups in order: gpu, each service's inference and SLO groups, platform, thanos", () => {
    expect(groups.map((g) => [g.name, g.rules.length])).toEqual([
      ["gpu", 16],
      ["inference-inference-inference-server", 19],
      ["slo-inference-inference-server", 19],
      // No outcome: 4 records per level (overall and per module) and no error alerts; 3 domain-metric alerts.
      ["inference-avatar-talking-head", 20],
      ["slo-avatar-talking-head", 10],
      // A separate error counter: the ratio and the absolute floor.
      ["inference-inference-face-swap-fleet", 18],
      ["platform", 3],
      ["thanos", 11],
    ]);
    expect(alerts(groups)).toHaveLength(74);
    expect(new Set(alerts(groups).map((a) => a.alert)).size).toBe(42);
  });

  test("every alert links its runbook under the default base URL", () => {
    expect(DEFAULT_RUNBOOK_BASE_URL).toBe("https://runbooks.gpu-platform.dev/alerts/");
    for (const a of alerts(groups)) expect(a.annotations.runbook_url).toBe(`https://runbooks.gpu-platform.dev/alerts/${a.alert.toLowerCase()}`);
  });

  test("the scrape interval sets the per-service evaluation interval", () => {
    const slow = buildPlatformRules({ ...FIXTURE_OPTIONS, scrapeInterval: "30s" });
    expect(slow[1].interval).toBe("30s");
    expect(buildPlatformRules({ ...FIXTURE_OPTIONS, scrapeInterval: undefined })[1].interval).toBe("15s");
  });
});

describe("buildPlatformRules options", () => {
  test("a configurable runbook base, with or without a trailing slash; an explicit runbook_url stays", () => {
    const own: AlertRule = {
      alert: "QueueStuck",
      expr: "max(queue_depth) > 100",
      labels: { severity: "warning" },
      annotations: { summary: "Queue stuck.", description: "Depth {{ $value }}.", runbook_url: "https://wiki.example.com/queue" },
    };
    for (const base of ["https://wiki.example.com/runbooks", "https://wiki.example.com/runbooks/"]) {
      const groups = buildPlatformRules({ ...FIXTURE_OPTIONS, runbookBaseUrl: base, userRules: [{ name: "team-a", rules: [own] }] });
      const byName = new Map(alerts(groups).map((a) => [a.alert, a.annotations.runbook_url]));
      expect(byName.get("GpuXidFatal")).toBe("https://wiki.example.com/runbooks/gpuxidfatal");
      expect(byName.get("QueueStuck")).toBe("https://wiki.example.com/queue");
    }
  });

  test("rejects a runbook base that is no URL, a bad scrape interval, a service listed twice", () => {
    expectConfigError(
      () => buildPlatformRules({ ...FIXTURE_OPTIONS, runbookBaseUrl: "runbooks.example.com" }),
      `PlatformRules: 'runbookBaseUrl' must be an http:// or https:// URL, got "runbooks.example.com"`,
    );
    expectConfigError(
      () => buildPlatformRules({ ...FIXTURE_OPTIONS, scrapeInterval: "15" }),
      `PlatformRules: 'scrapeInterval' must be a Prometheus duration such as 30s, 5m, 1h or 1h30m, got "15"`,
    );
    expectConfigError(
      () => buildPlatformRules({ ...FIXTURE_OPTIONS, services: [INFERENCE_SERVER, { ...INFERENCE_SERVER, deployment: "other" }] }),
      `PlatformRules: 'services[*].selector' must hold unique names; this one appears more than once, got "inference/inference-server"`,
    );
  });

  test("errors carry the construct path when a construct is the scope", () => {
    const scope = { node: { path: "Platform/Monitoring" } } as unknown as Parameters<typeof buildPlatformRules>[1];
    expectConfigError(
      () => buildPlatformRules({ ...FIXTURE_OPTIONS, gpu: { memoryCriticalPercent: 101 } }, scope),
      "Platform/Monitoring: 'gpu.memoryCriticalPercent' must be a percentage above 0 and at most 100, got 101",
    );
  });
});
