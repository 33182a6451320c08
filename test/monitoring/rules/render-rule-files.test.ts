import { parse } from "yaml";
import { additionalPrometheusRulesMap, buildPlatformRules, renderRuleFiles, RuleGroup } from "../../../lib/monitoring/rules";
import { FIXTURE_OPTIONS } from "./fixtures";

describe("rendering", () => {
  const groups = buildPlatformRules(FIXTURE_OPTIONS);

  test("one Prometheus rule file per group, which parses back to the group", () => {
    const files = renderRuleFiles(groups);
    expect(files.map((f) => f.fileName)).toEqual([
      "gpu.rules.yaml",
      "inference-inference-inference-server.rules.yaml",
      "slo-inference-inference-server.rules.yaml",
      "inference-avatar-talking-head.rules.yaml",
      "slo-avatar-talking-head.rules.yaml",
      "inference-inference-face-swap-fleet.rules.yaml",
      "platform.rules.yaml",
      "thanos.rules.yaml",
    ]);
    files.forEach((file, i) => expect(parse(file.yaml)).toEqual({ groups: [groups[i]] }));
  });

  test("keys in rule-file order whatever order the caller used, multi-line PromQL as block scalars", () => {
    const scrambled: RuleGroup = {
      rules: [
        { annotations: { description: "v {{ $value }}", summary: "s" }, labels: { severity: "info" }, expr: "vector(1)", alert: "A", for: "1m" },
        { expr: "sum(up)\nor\nvector(0)", record: "job:up:sum" },
      ],
      name: "mine",
    };
    const yaml = renderRuleFiles([scrambled])[0].yaml;
    expect(yaml).toBe(
      [
        "groups:",
        "  - name: mine",
        "    rules:",
        "      - alert: A",
        "        expr: vector(1)",
        "        for: 1m",
        "        labels:",
        "          severity: info",
        "        annotations:",
        "          summary: s",
        '          description: v {{ $value }}',
        "      - record: job:up:sum",
        "        expr: |-",
        "          sum(up)",
        "          or",
        "          vector(0)",
        "",
      ].join("\n"),
    );
  });

  test("additionalPrometheusRulesMap holds one PrometheusRule per group, named after it", () => {
    const map = additionalPrometheusRulesMap(groups);
    expect(Object.keys(map)).toEqual(groups.map((g) => g.name));
    expect(map.gpu).toEqual({ groups: [groups[0]] });
  });
});
