import { AlertRule, buildPlatformRules, Rule, RuleGroup, validateRuleGroups } from "../../../lib/monitoring/rules";
import { FIXTURE_OPTIONS } from "./fixtures";
import { expectConfigError } from "./helpers";

const ALERT: AlertRule = {
  alert: "QueueStuck",
  expr: "max(queue_depth) > 100",
  for: "5m",
  labels: { severity: "warning" },
  annotations: { summary: "Queue stuck.", description: "Queue depth is {{ $value }}." },
};

/** Validates one user group holding `rules`, as buildPlatformRules does for userRules. */
function validate(...rules: Rule[]): void {
  validateRuleGroups("PlatformRules", "userRules", [{ name: "team-a", rules }]);
}

const RULE = 'PlatformRules: \'userRules["team-a"].rules["QueueStuck"]';

describe("validateRuleGroups", () => {
  test("accepts a valid alert, and the same alert name with another severity", () => {
    expect(() => validate(ALERT, { ...ALERT, labels: { severity: "critical" } })).not.toThrow();
  });

  test("rejects an unknown severity", () => {
    const rule = { ...ALERT, labels: { severity: "page" } } as unknown as AlertRule;
    expectConfigError(() => validate(rule), `${RULE}.labels.severity' must be one of critical, warning, info, got "page"`);
  });

  test("rejects a for that is not a Prometheus duration", () => {
    expectConfigError(
      () => validate({ ...ALERT, for: "5 minutes" }),
      `${RULE}.for' must be a Prometheus duration such as 30s, 5m, 1h or 1h30m, got "5 minutes"`,
    );
  });

  test("a PromQL syntax error names the group, the rule, the character and the text around it", () => {
    expectConfigError(
      () => validate({ ...ALERT, expr: 'rate(http_requests_total{job="api"}[5m]) >> 1' }),
      `${RULE}.expr' must be valid PromQL: syntax error at character 43 (…quests_total{job="api"}[5m]) >»> 1), got "rate(http_requests_total{job=\\"api\\"}[5m]) >> 1"`,
    );
    expectConfigError(
      () => validate({ ...ALERT, expr: "sum(rate(up[5m]) > 0" }),
      `${RULE}.expr' must be valid PromQL: syntax error at character 21 (sum(rate(up[5m]) > 0»), got "sum(rate(up[5m]) > 0"`,
    );
  });

  test("a misspelt function is a syntax error", () => {
    expectConfigError(
      () => validate({ ...ALERT, expr: "predict_liner(x[1h], 60) > 0" }),
      `${RULE}.expr' must be valid PromQL: syntax error at character 14 (predict_liner»(x[1h], 60) > 0), got "predict_liner(x[1h], 60) > 0"`,
    );
  });

  test("a PromQL type error names the group and rule, quotes the part with its position, and says what was expected", () => {
    expectConfigError(
      () => validate({ ...ALERT, expr: "rate(queue_depth) > 100" }),
      `${RULE}.expr' must be valid PromQL: expected type matrix in call to function "rate", got vector at characters 6-16 (queue_depth), got "rate(queue_depth) > 100"`,
    );
    expectConfigError(
      () => validate({ ...ALERT, expr: "max_over_time(queue_depth[5m]) > 100 and 1" }),
      `${RULE}.expr' must be valid PromQL: set operator not allowed in binary scalar expression at characters 1-42 (max_over_time(queue_depth[5m]) > 100 and 1), got "max_over_time(queue_depth[5m]) > 100 and 1"`,
    );
    expectConfigError(
      () => validate({ ...ALERT, expr: 'topk(queue_depth, 3) > "a"' }),
      `${RULE}.expr' must be valid PromQL: expected type scalar in aggregation parameter, got vector at characters 6-16 (queue_depth), got "topk(queue_depth, 3) > \\"a\\""`,
    );
  });

  test("what Prometheus's parser refuses and the linter lets through fails too, in Prometheus's words", () => {
    expectConfigError(
      () => validate({ ...ALERT, expr: "max_over_time((queue_depth)[1h]) > 100" }),
      `${RULE}.expr' must be valid PromQL: ranges only allowed for vector selectors at characters 15-27 ((queue_depth)), got "max_over_time((queue_depth)[1h]) > 100"`,
    );
    expectConfigError(
      () => validate({ ...ALERT, expr: "sum(queue_depth) offset 1h > 100" }),
      `${RULE}.expr' must be valid PromQL: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery at characters 1-26 (sum(queue_depth) offset 1h), got "sum(queue_depth) offset 1h > 100"`,
    );
    expectConfigError(
      () => validate({ ...ALERT, expr: "max(queue_depth, 100)" }),
      `${RULE}.expr' must be valid PromQL: wrong number of arguments for aggregate expression provided, expected 1, got 2 at characters 1-21 (max(queue_depth, 100)), got "max(queue_depth, 100)"`,
    );
    expect(() => validate({ ...ALERT, expr: "queue_depth > queue_depth offset 1h" })).not.toThrow();
  });

  test("an alert or recording rule must evaluate to an instant vector or a scalar, as Prometheus evaluates rules", () => {
    expectConfigError(
      () => validate({ ...ALERT, expr: "queue_depth[5m]" }),
      `${RULE}.expr' must be valid PromQL: evaluates to a range vector, where only an instant vector or a scalar is accepted, got "queue_depth[5m]"`,
    );
    expectConfigError(
      () => validate({ record: "job:queue_depth:max", expr: '"high"' }),
      `PlatformRules: 'userRules["team-a"].rules["job:queue_depth:max"].expr' must be valid PromQL: evaluates to a string, where only an instant vector or a scalar is accepted, got "\\"high\\""`,
    );
    expect(() => validate({ record: "job:queue_depth:max", expr: "scalar(max(queue_depth))" }, { ...ALERT, expr: "max(queue_depth) > bool 100" })).not.toThrow();
  });

  test("rejects an empty expression", () => {
    expectConfigError(() => validate({ ...ALERT, expr: " " }), `${RULE}.expr' must be a non-empty PromQL expression, got " "`);
  });

  test("rejects two rules with the same name and the same labels", () => {
    expectConfigError(
      () => validate(ALERT, { ...ALERT, expr: "max(queue_depth) > 200" }),
      `PlatformRules: 'userRules["team-a"].rules' must not hold two rules with the same name and the same labels (promtool reports them as duplicates), got {"name":"QueueStuck","labels":{"severity":"warning"}}`,
    );
  });

  test("rejects duplicate recording rules too", () => {
    const rec = { record: "job:queue_depth:max", expr: "max by (job) (queue_depth)" };
    expectConfigError(
      () => validate(rec, { ...rec }),
      `PlatformRules: 'userRules["team-a"].rules' must not hold two rules with the same name and the same labels (promtool reports them as duplicates), got {"name":"job:queue_depth:max","labels":{}}`,
    );
  });

  test("rejects an invalid label name", () => {
    expectConfigError(
      () => validate({ ...ALERT, labels: { severity: "warning", "owning-team": "a" } }),
      `${RULE}.labels.owning-team' must be a valid Prometheus label name matching [a-zA-Z_][a-zA-Z0-9_]* and not starting with '__', got "owning-team"`,
    );
  });

  test("rejects a recording rule name outside level:metric:operations", () => {
    expectConfigError(
      () => validate({ record: "queue_depth_max", expr: "max(queue_depth)" }),
      `PlatformRules: 'userRules["team-a"].rules["queue_depth_max"].record' must be a metric name in the level:metric:operations convention, such as namespace_service:inference_requests:rate5m, got "queue_depth_max"`,
    );
    expectConfigError(
      () => validate({ record: "job:queue-depth:max", expr: "max(queue_depth)" }),
      `PlatformRules: 'userRules["team-a"].rules["job:queue-depth:max"].record' must be a metric name in the level:metric:operations convention, such as namespace_service:inference_requests:rate5m, got "job:queue-depth:max"`,
    );
  });

  test("rejects an alert name that is not an identifier", () => {
    expectConfigError(
      () => validate({ ...ALERT, alert: "Queue stuck" }),
      `PlatformRules: 'userRules["team-a"].rules["Queue stuck"].alert' must start with a letter and hold only letters, digits and '_', such as GpuMemoryPressure, got "Queue stuck"`,
    );
  });

  test("rejects a description that does not show the value", () => {
    expectConfigError(
      () => validate({ ...ALERT, annotations: { summary: "Queue stuck.", description: "The queue is stuck." } }),
      `${RULE}.annotations.description' must show the alert's value with a {{ $value }} template (e.g. {{ $value | humanizePercentage }}), got "The queue is stuck."`,
    );
  });

  test("rejects an empty summary and a runbook_url that is no URL", () => {
    expectConfigError(
      () => validate({ ...ALERT, annotations: { ...ALERT.annotations, summary: "" } }),
      `${RULE}.annotations.summary' must be a non-empty one-line summary, got ""`,
    );
    expectConfigError(
      () => validate({ ...ALERT, annotations: { ...ALERT.annotations, runbook_url: "wiki/queue" } }),
      `${RULE}.annotations.runbook_url' must be an http:// or https:// URL, got "wiki/queue"`,
    );
  });

  test("rejects group names that cannot name a file and a PrometheusRule, and duplicates", () => {
    expectConfigError(
      () => validateRuleGroups("PlatformRules", "userRules", [{ name: "Team A", rules: [ALERT] }]),
      `PlatformRules: 'userRules[0].name' must be a DNS-1123 subdomain of at most 200 characters (lowercase a-z, 0-9, '-' and '.'), as it names a rule file and a PrometheusRule, got "Team A"`,
    );
    const g: RuleGroup = { name: "team-a", rules: [ALERT] };
    expectConfigError(
      () => validateRuleGroups("PlatformRules", "userRules", [g, g]),
      `PlatformRules: 'userRules[*].name' must hold unique names; this one appears more than once, got "team-a"`,
    );
  });

  test("rejects a group interval that is not a duration", () => {
    expectConfigError(
      () => validateRuleGroups("PlatformRules", "userRules", [{ name: "team-a", interval: "often", rules: [ALERT] }]),
      `PlatformRules: 'userRules["team-a"].interval' must be a Prometheus duration such as 30s, 5m, 1h or 1h30m, got "often"`,
    );
  });
});

describe("userRules in buildPlatformRules", () => {
  test("get the same checks as generated rules", () => {
    expectConfigError(
      () => buildPlatformRules({ ...FIXTURE_OPTIONS, userRules: [{ name: "team-a", rules: [{ ...ALERT, expr: "max(queue_depth) >" }] }] }),
      `${RULE}.expr' must be valid PromQL: syntax error at character 19 (max(queue_depth) >»), got "max(queue_depth) >"`,
    );
  });

  test("may not reuse a generated group's name", () => {
    expectConfigError(
      () => buildPlatformRules({ ...FIXTURE_OPTIONS, userRules: [{ name: "gpu", rules: [ALERT] }] }),
      `PlatformRules: 'userRules[*].name' must hold unique names; this one appears more than once, got "gpu"`,
    );
  });

  test("are appended after the generated groups, with runbook links added", () => {
    const groups = buildPlatformRules({ ...FIXTURE_OPTIONS, userRules: [{ name: "team-a", rules: [ALERT] }] });
    expect(groups[groups.length - 1]).toEqual({
      name: "team-a",
      rules: [{ ...ALERT, annotations: { ...ALERT.annotations, runbook_url: "https://runbooks.gpu-platform.dev/alerts/queuestuck" } }],
    });
  });
});
