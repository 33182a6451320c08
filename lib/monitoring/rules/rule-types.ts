import { ALERT_SEVERITIES, AlertSeverity } from "../alertmanager/alert-severity";

/**
 * Alert and recording rules as plain typed data, in the shape of a Prometheus rule file
 * (kubernetes-mixin style): packs build them, one post-processing step adds runbook links,
 * validation checks them, and rendering writes them out unchanged.
 */

/** The fixed severities; the same list Alertmanager routing and inhibition match on. */
export type Severity = AlertSeverity;
export const SEVERITIES: readonly Severity[] = ALERT_SEVERITIES;

/** Static labels of an alert: `severity` is required, any other label is free. */
export type AlertLabels = Readonly<Record<string, string>> & { readonly severity: Severity };

export interface AlertAnnotations {
  /** One line: what is wrong, for the notification title. */
  readonly summary: string;
  /** What is wrong where, and how bad: must show the value with `{{ $value }}` (any formatting). */
  readonly description: string;
  /** @default - the runbook base URL followed by the lowercase alert name, added by `addRunbookLinks` */
  readonly runbook_url?: string;
}

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  /** How long the expression must hold before the alert fires. @default - fires at the first evaluation */
  readonly for?: string;
  readonly labels: AlertLabels;
  readonly annotations: AlertAnnotations;
}

export interface RecordingRule {
  /** Name in the `level:metric:operations` convention. */
  readonly record: string;
  readonly expr: string;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

export type Rule = AlertRule | RecordingRule;

export interface RuleGroup {
  /** Unique across all groups: it names the rule file and the PrometheusRule object. */
  readonly name: string;
  /** @default - the Prometheus global evaluation interval */
  readonly interval?: string;
  readonly rules: readonly Rule[];
}

export function isAlertRule(rule: Rule): rule is AlertRule {
  return "alert" in rule;
}

/** The name a rule is known by: its alert name or recorded metric name. */
export function ruleName(rule: Rule): string {
  return isAlertRule(rule) ? rule.alert : rule.record;
}

/**
 * Label of the always-firing heartbeat alert. Alertmanager routes it (and only it) to the
 * dead-man's-switch receiver, which pages when the heartbeat stops arriving.
 */
export const HEARTBEAT_LABEL = { name: "heartbeat", value: "true" } as const;
