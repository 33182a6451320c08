import { IConstruct } from "constructs";
import { PlatformConfigError } from "../core/errors";
import { isToken } from "../core/validate";
import { GPU_AMI_KUBERNETES_VERSIONS } from "../versions";

const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;
const MINOR_VERSION = /^1\.(\d+)$/;

/** EKS cluster names: 1-100 characters of letters, digits, '-' and '_', starting alphanumeric. */
export function checkClusterName(scope: IConstruct | string, prop: string, name: string): void {
  if (isToken(name)) return;
  if (!CLUSTER_NAME.test(name)) {
    throw new PlatformConfigError(scope, prop, name, "must be 1-100 characters of letters, digits, '-' and '_', starting with a letter or digit");
  }
}

function minor(version: string): number {
  return Number(MINOR_VERSION.exec(version)![1]);
}

/** The range of Kubernetes versions every GPU AMI type supports. */
export function supportedKubernetesRange(): { min: string; max: string } {
  const ranges = Object.values(GPU_AMI_KUBERNETES_VERSIONS);
  const lo = Math.max(...ranges.map((r) => minor(r.min)));
  const hi = Math.min(...ranges.map((r) => minor(r.max)));
  return { min: `1.${lo}`, max: `1.${hi}` };
}

/** A Kubernetes minor version within `range` (default: what every GPU AMI type supports). */
export function checkKubernetesVersion(
  scope: IConstruct | string,
  prop: string,
  version: string,
  range: { min: string; max: string } = supportedKubernetesRange(),
  what = "supported by the EKS GPU AMIs",
): void {
  if (isToken(version)) return;
  const m = MINOR_VERSION.exec(version);
  if (!m || minor(version) < minor(range.min) || minor(version) > minor(range.max)) {
    throw new PlatformConfigError(scope, prop, version, `must be a Kubernetes minor version from ${range.min} to ${range.max} (${what})`);
  }
}

/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
