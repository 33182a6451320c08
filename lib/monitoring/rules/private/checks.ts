import { IConstruct } from "constructs";
import { PlatformConfigError } from "../../../core/errors";

/** Option checks shared by the rule packs; each throws a PlatformConfigError naming the prop. */
export { checkBelow, checkNonNegative, checkObjective, checkPercent, checkPositive, checkWindow } from "../../../core/validate";

type Scope = IConstruct | string;

export function checkHttpUrl(scope: Scope, prop: string, value: string): void {
  if (!/^https?:\/\/[^\s/]+\S*$/.test(value)) {
    throw new PlatformConfigError(scope, prop, value, "must be an http:// or https:// URL");
  }
}
