import { IConstruct } from "constructs";
import { PlatformConfigError } from "./errors";
import { isToken } from "./validate";

/**
 * Lengths AWS accepts for names this library derives from user settings, in one place. A
 * `name_prefix` leaves room for the 26 characters Terraform appends (a timestamp and a counter).
 */
const TERRAFORM_PREFIX_SUFFIX = 26;
export const AWS_NAME_LIMITS = {
  /** EC2 CreateLaunchTemplate: LaunchTemplateName, 3 to 128 characters. */
  launchTemplateNamePrefix: { what: "the launch template name prefix", max: 128 - TERRAFORM_PREFIX_SUFFIX },
  /** EKS CreateNodegroup: nodegroupName, 1 to 63 characters. */
  nodeGroupName: { what: "the EKS node group name", max: 63 },
  /** CloudWatch Logs CreateLogGroup: logGroupName, 1 to 512 characters. */
  logGroupName: { what: "the CloudWatch log group name", max: 512 },
} as const;

export type DerivedNameKind = keyof typeof AWS_NAME_LIMITS;

/**
 * Fails when `derived` (built from `value` of the user's setting `prop`) is longer than AWS
 * accepts, naming the setting, the derived name, its length and the limit.
 */
export function checkDerivedName(scope: IConstruct | string, prop: string, value: string, kind: DerivedNameKind, derived: string): void {
  if (isToken(derived)) return;
  const { what, max } = AWS_NAME_LIMITS[kind];
  if (derived.length > max) {
    const shown = derived.length > 60 ? `${derived.slice(0, 40)}…${derived.slice(-12)}` : derived;
    throw new PlatformConfigError(scope, prop, value, `makes ${what} '${shown}' ${derived.length} characters long; AWS accepts at most ${max}: shorten it by ${derived.length - max}`);
  }
}

/** The launch template name prefix of a managed node group (cluster name, then the group's). */
export function launchTemplateNamePrefix(clusterName: string, nodeGroupName: string): string {
  return `${clusterName}-${nodeGroupName}-`;
}
