import { Token } from "cdktf";
import { IConstruct } from "constructs";
import { PlatformConfigError } from "./errors";

type Scope = IConstruct | string;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const PROMETHEUS_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const PROMETHEUS_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Prometheus duration: one or more number+unit pairs, largest unit first (model/time.ParseDuration). */
const PROMETHEUS_DURATION = /^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/;

/** True for values still unresolved at construction time; those are checked by Terraform, not here. */
export function isToken(value: unknown): boolean {
  return (typeof value === "string" || typeof value === "number") && Token.isUnresolved(value);
}

/** RFC 1123 label, as Kubernetes requires for names of namespaces, services and most objects. */
export function checkDns1123Label(scope: Scope, prop: string, value: string): void {
  if (isToken(value)) return;
  if (value.length === 0 || value.length > 63 || !DNS1123_LABEL.test(value)) {
    throw new PlatformConfigError(
      scope,
      prop,
      value,
      "must be a DNS-1123 label (1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit)",
    );
  }
}

/** RFC 1035 label: a DNS-1123 label starting with a letter, as Kubernetes requires for a Service's name. */
export function checkDns1035Label(scope: Scope, prop: string, value: string): void {
  if (isToken(value)) return;
  if (value.length === 0 || value.length > 63 || !DNS1035_LABEL.test(value)) {
    throw new PlatformConfigError(
      scope,
      prop,
      value,
      "must be a DNS-1035 label, as it names a Kubernetes Service (1-63 characters of a-z, 0-9 and '-', starting with a letter and ending with a letter or digit)",
    );
  }
}

export function checkPrometheusMetricName(scope: Scope, prop: string, value: string): void {
  if (!PROMETHEUS_METRIC_NAME.test(value)) {
    throw new PlatformConfigError(scope, prop, value, "must be a valid Prometheus metric name matching [a-zA-Z_:][a-zA-Z0-9_:]*");
  }
}

export function checkPrometheusLabelName(scope: Scope, prop: string, value: string): void {
  if (!PROMETHEUS_LABEL_NAME.test(value) || value.startsWith("__")) {
    throw new PlatformConfigError(
      scope,
      prop,
      value,
      "must be a valid Prometheus label name matching [a-zA-Z_][a-zA-Z0-9_]* and not starting with '__'",
    );
  }
}

/** Integer within [min, max], inclusive. */
export function checkIntRange(scope: Scope, prop: string, value: number, min: number, max: number): void {
  if (isToken(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new PlatformConfigError(scope, prop, value, `must be an integer between ${min} and ${max}`);
  }
}

/** Parses a Prometheus duration such as "5m" or "1h30m" into seconds; throws on anything else. */
export function parsePrometheusDuration(scope: Scope, prop: string, value: string): number {
  const m = typeof value === "string" && value !== "" ? PROMETHEUS_DURATION.exec(value) : null;
  if (!m) {
    throw new PlatformConfigError(scope, prop, value, "must be a Prometheus duration such as 30s, 5m, 1h or 1h30m");
  }
  const unit = (i: number, seconds: number) => (m[i] ? Number(m[i]) * seconds : 0);
  return (
    unit(2, 365 * 86400) + unit(4, 7 * 86400) + unit(6, 86400) + unit(8, 3600) + unit(10, 60) + unit(12, 1) + unit(14, 0.001)
  );
}

/** Rejects duplicates in a list of names, naming the first duplicate. */
export function checkUnique(scope: Scope, prop: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      throw new PlatformConfigError(scope, prop, name, "must hold unique names; this one appears more than once");
    }
    seen.add(name);
  }
}

export function checkPercent(scope: Scope, prop: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0 || value > 100) {
    throw new PlatformConfigError(scope, prop, value, "must be a percentage above 0 and at most 100");
  }
}

export function checkPositive(scope: Scope, prop: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new PlatformConfigError(scope, prop, value, "must be a number above 0");
  }
}

export function checkNonNegative(scope: Scope, prop: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new PlatformConfigError(scope, prop, value, "must be a number of 0 or more");
  }
}

/** A Prometheus duration of more than zero seconds; returns its length in seconds. */
export function checkWindow(scope: Scope, prop: string, value: string): number {
  const seconds = parsePrometheusDuration(scope, prop, value);
  if (seconds <= 0) throw new PlatformConfigError(scope, prop, value, "must be a Prometheus duration longer than 0s");
  return seconds;
}

/** An SLO objective: 1 would leave no error budget, 0 would promise nothing. */
export function checkObjective(scope: Scope, prop: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0 || value >= 1) {
    throw new PlatformConfigError(scope, prop, value, "must be a fraction strictly between 0 and 1, such as 0.995");
  }
}

/** A lower (warning) threshold must stay below the higher (critical) one, or the warning never shows alone. */
export function checkBelow(scope: Scope, prop: string, value: number, upperProp: string, upper: number): void {
  if (value >= upper) {
    throw new PlatformConfigError(scope, prop, value, `must be below '${upperProp}' (${upper})`);
  }
}
