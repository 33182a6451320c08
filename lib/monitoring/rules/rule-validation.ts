import { IConstruct } from "constructs";
import { PlatformConfigError } from "../../core/errors";
import { checkPrometheusLabelName, checkUnique, parsePrometheusDuration } from "../../core/validate";
import { PromqlCheckOptions, promqlProblem } from "../private/promql-check";
import { checkHttpUrl } from "./private/checks";
import { AlertRule, isAlertRule, RecordingRule, RuleGroup, ruleName, SEVERITIES } from "./rule-types";

type Scope = IConstruct | string;

/**
 * Group names become rule file names and PrometheusRule object names (with the chart's release
 * prefix), so they must be DNS-1123 subdomains with room left for that prefix.
 */
const GROUP_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const GROUP_NAME_MAX = 200;
/** Alert names are metric-name-like (rulefmt) and end up lowercased in runbook URLs. */
const ALERT_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** The recording-rule naming convention of the Prometheus docs: `level:metric:operations`. */
const RECORD_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_]+$/;
/** `{{ $value }}` with any pipeline, e.g. `{{ $value | humanizePercentage }}`. */
const SHOWS_VALUE = /\{\{[^}]*\$value[^}]*\}\}/;
/** What a rule expression may evaluate to (rules/manager.go, EngineQueryFunc). */
const RULE_RESULT_TYPES = ["vector", "scalar"] as const;

/**
 * Checks rule groups as Prometheus and promtool would, and a few house rules on top, before
 * anything is rendered. `prop` prefixes every message (`rules`, `userRules`), and each message
 * names the group and the rule.
 */
export function validateRuleGroups(scope: Scope, prop: string, groups: readonly RuleGroup[], options: PromqlCheckOptions = {}): void {
  groups.forEach((group, index) => {
    if (typeof group.name !== "string" || group.name.length > GROUP_NAME_MAX || !GROUP_NAME.test(group.name)) {
      throw new PlatformConfigError(
        scope,
        `${prop}[${index}].name`,
        group.name,
        `must be a DNS-1123 subdomain of at most ${GROUP_NAME_MAX} characters (lowercase a-z, 0-9, '-' and '.'), as it names a rule file and a PrometheusRule`,
      );
    }
    const groupProp = `${prop}["${group.name}"]`;
    if (group.interval !== undefined) parsePrometheusDuration(scope, `${groupProp}.interval`, group.interval);
    group.rules.forEach((rule) => validateRule(scope, `${groupProp}.rules["${ruleName(rule)}"]`, rule, options));
    checkNoDuplicateRules(scope, `${groupProp}.rules`, group);
  });
  checkUnique(
    scope,
    `${prop}[*].name`,
    groups.map((g) => g.name),
  );
}

function validateRule(scope: Scope, prop: string, rule: AlertRule | RecordingRule, options: PromqlCheckOptions): void {
  if (isAlertRule(rule)) {
    if (!ALERT_NAME.test(rule.alert)) {
      throw new PlatformConfigError(scope, `${prop}.alert`, rule.alert, "must start with a letter and hold only letters, digits and '_', such as GpuMemoryPressure");
    }
  } else if (!RECORD_NAME.test(rule.record)) {
    throw new PlatformConfigError(
      scope,
      `${prop}.record`,
      rule.record,
      "must be a metric name in the level:metric:operations convention, such as namespace_service:inference_requests:rate5m",
    );
  }
  checkExpr(scope, `${prop}.expr`, rule.expr, options);
  for (const name of Object.keys(rule.labels ?? {})) checkPrometheusLabelName(scope, `${prop}.labels.${name}`, name);
  if (isAlertRule(rule)) validateAlertParts(scope, prop, rule);
}

function validateAlertParts(scope: Scope, prop: string, rule: AlertRule): void {
  if (rule.for !== undefined) parsePrometheusDuration(scope, `${prop}.for`, rule.for);
  const severity: string = rule.labels.severity;
  if (!(SEVERITIES as readonly string[]).includes(severity)) {
    throw new PlatformConfigError(scope, `${prop}.labels.severity`, severity, `must be one of ${SEVERITIES.join(", ")}`);
  }
  const a = rule.annotations;
  if (!a.summary || !a.summary.trim()) {
    throw new PlatformConfigError(scope, `${prop}.annotations.summary`, a.summary, "must be a non-empty one-line summary");
  }
  if (!SHOWS_VALUE.test(a.description ?? "")) {
    throw new PlatformConfigError(
      scope,
      `${prop}.annotations.description`,
      a.description,
      "must show the alert's value with a {{ $value }} template (e.g. {{ $value | humanizePercentage }})",
    );
  }
  if (a.runbook_url !== undefined) checkHttpUrl(scope, `${prop}.annotations.runbook_url`, a.runbook_url);
}

function checkExpr(scope: Scope, prop: string, expr: string, options: PromqlCheckOptions): void {
  if (typeof expr !== "string" || !expr.trim()) {
    throw new PlatformConfigError(scope, prop, expr, "must be a non-empty PromQL expression");
  }
  // Prometheus evaluates a rule only to an instant vector or a scalar ("rule result is not a
  // vector or scalar" at every evaluation otherwise), though promtool's `check rules` lets
  // `up[5m]` and "text" through.
  const problem = promqlProblem(expr, RULE_RESULT_TYPES, options);
  if (problem) {
    throw new PlatformConfigError(scope, prop, expr, `must be valid PromQL: ${problem}`);
  }
}

/**
 * Two rules of a group with the same name and the same static labels are what promtool reports
 * as duplicates: they write the same series, or raise alerts Alertmanager cannot tell apart.
 * The same alert name with another severity is allowed: it is the warning/critical pair that
 * Alertmanager's inhibition (equal alertname) relies on.
 */
function checkNoDuplicateRules(scope: Scope, prop: string, group: RuleGroup): void {
  const seen = new Set<string>();
  for (const rule of group.rules) {
    const labels = Object.entries(rule.labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
    const key = JSON.stringify([ruleName(rule), labels]);
    if (seen.has(key)) {
      throw new PlatformConfigError(
        scope,
        prop,
        { name: ruleName(rule), labels: Object.fromEntries(labels) },
        "must not hold two rules with the same name and the same labels (promtool reports them as duplicates)",
      );
    }
    seen.add(key);
  }
}
