import { IConstruct } from "constructs";
import { PlatformConfigError } from "../../../core/errors";
import { parsePrometheusDuration } from "../../../core/validate";

/** Option checks shared by the rule packs; each throws a PlatformConfigError naming the prop. */

type Scope = IConstruct | string;

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

/** A Prometheus duration of more than zero seconds; returns its length in seconds. */
export function checkWindow(scope: Scope, prop: string, value: string): number {
  const seconds = parsePrometheusDuration(scope, prop, value);
  if (seconds <= 0) throw new PlatformConfigError(scope, prop, value, "must be a Prometheus duration longer than 0s");
  return seconds;
}

export function checkHttpUrl(scope: Scope, prop: string, value: string): void {
  if (!/^https?:\/\/[^\s/]+\S*$/.test(value)) {
    throw new PlatformConfigError(scope, prop, value, "must be an http:// or https:// URL");
  }
}
