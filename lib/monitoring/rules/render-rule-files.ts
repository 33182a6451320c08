import { toYaml } from "../../core/yaml";
import { isAlertRule, Rule, RuleGroup } from "./rule-types";

/** One Prometheus rule file (`groups:` format), as `promtool check rules` reads it. */
export interface RenderedRuleFile {
  readonly fileName: string;
  readonly yaml: string;
}

/** The `spec` of one PrometheusRule that kube-prometheus-stack creates from `additionalPrometheusRulesMap`. */
export interface PrometheusRuleSpec {
  readonly groups: readonly RuleGroup[];
}

/**
 * Value of kube-prometheus-stack's `additionalPrometheusRulesMap`: PrometheusRule name suffix to
 * its spec. The chart labels each PrometheusRule with its release, so Prometheus's default
 * ruleSelector picks them up, and they plan on an empty cluster (no kubernetes_manifest).
 */
export type AdditionalPrometheusRulesMap = Readonly<Record<string, PrometheusRuleSpec>>;

/** The file name a group renders to. */
export function ruleFileName(group: RuleGroup): string {
  return `${group.name}.rules.yaml`;
}

/** One file per group, keys in rule-file order whatever order the caller built them in. */
export function renderRuleFiles(groups: readonly RuleGroup[]): RenderedRuleFile[] {
  return groups.map((group) => ({ fileName: ruleFileName(group), yaml: toYaml({ groups: [normalizeGroup(group)] }) }));
}

/** One PrometheusRule per group, named after the group. */
export function additionalPrometheusRulesMap(groups: readonly RuleGroup[]): AdditionalPrometheusRulesMap {
  return Object.fromEntries(groups.map((group) => [group.name, { groups: [normalizeGroup(group)] }]));
}

function normalizeGroup(group: RuleGroup): RuleGroup {
  return {
    name: group.name,
    ...(group.interval !== undefined ? { interval: group.interval } : {}),
    rules: group.rules.map(normalizeRule),
  };
}

function normalizeRule(rule: Rule): Rule {
  if (!isAlertRule(rule)) {
    return { record: rule.record, expr: rule.expr, ...(rule.labels ? { labels: { ...rule.labels } } : {}) };
  }
  const a = rule.annotations;
  return {
    alert: rule.alert,
    expr: rule.expr,
    ...(rule.for !== undefined ? { for: rule.for } : {}),
    labels: { ...rule.labels },
    annotations: {
      summary: a.summary,
      description: a.description,
      ...(a.runbook_url !== undefined ? { runbook_url: a.runbook_url } : {}),
    },
  };
}
