import { AlertRule, RecordingRule, Severity } from "../rule-types";

export interface AlertSpec {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly severity: Severity;
  /** Static labels besides severity. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly description: string;
}

/** An alert rule in the rule-file key order; the runbook link is added later, in one step. */
export function alertRule(spec: AlertSpec): AlertRule {
  return {
    alert: spec.alert,
    expr: spec.expr,
    ...(spec.for !== undefined ? { for: spec.for } : {}),
    labels: { severity: spec.severity, ...spec.labels },
    annotations: { summary: spec.summary, description: spec.description },
  };
}

export function recordingRule(record: string, expr: string, labels?: Readonly<Record<string, string>>): RecordingRule {
  return labels && Object.keys(labels).length ? { record, expr, labels } : { record, expr };
}
