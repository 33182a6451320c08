import { PlatformConfigError } from "../../../lib/core/errors";
import { AlertRule, isAlertRule, RecordingRule, RuleGroup, Severity } from "../../../lib/monitoring/rules";

/** Asserts `fn` throws a PlatformConfigError with exactly `message`. */
export function expectConfigError(fn: () => unknown, message: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(PlatformConfigError);
  expect((thrown as Error).message).toBe(message);
}

export function group(groups: readonly RuleGroup[], name: string): RuleGroup {
  const found = groups.find((g) => g.name === name);
  if (!found) throw new Error(`no group ${name} in ${groups.map((g) => g.name).join(", ")}`);
  return found;
}

export function alert(g: RuleGroup, name: string, severity?: Severity): AlertRule {
  const found = g.rules.filter(isAlertRule).filter((r) => r.alert === name && (severity === undefined || r.labels.severity === severity));
  if (found.length !== 1) throw new Error(`expected one alert ${name} ${severity ?? ""} in ${g.name}, found ${found.length}`);
  return found[0];
}

export function record(g: RuleGroup, name: string, labels: Readonly<Record<string, string>> = {}): RecordingRule {
  const found = g.rules
    .filter((r): r is RecordingRule => !isAlertRule(r))
    .filter((r) => r.record === name && Object.entries(labels).every(([k, v]) => r.labels?.[k] === v));
  if (found.length !== 1) throw new Error(`expected one record ${name} in ${g.name}, found ${found.length}`);
  return found[0];
}

export function alertNames(g: RuleGroup): string[] {
  return g.rules.filter(isAlertRule).map((r) => `${r.alert}/${r.labels.severity}`);
}
