import { Fn } from "cdktf";
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
  /** IAM CreateRole: RoleName, 1 to 64 characters; the provider's name_prefix leaves 38. */
  iamRoleNamePrefix: { what: "the IAM role name prefix", max: 64 - TERRAFORM_PREFIX_SUFFIX },
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

/**
 * The `name_prefix` of an IAM role, cut to what AWS leaves room for. Cutting a prefix is safe: it
 * is only a readable hint, the role's uniqueness comes from Terraform's suffix, so unlike a name
 * it never needs to fail. A name known only at apply is cut by Terraform: cutting its token here
 * would break it.
 */
export function iamRoleNamePrefix(prefix: string): string {
  const max = AWS_NAME_LIMITS.iamRoleNamePrefix.max;
  return isToken(prefix) ? Fn.substr(prefix, 0, max) : prefix.slice(0, max);
}
