import { IConstruct } from "constructs";
import { parseCidr } from "../core/cidr";
import { PlatformConfigError } from "../core/errors";
import { PRIVATE_RANGES } from "../core/kubernetes/network-policy";
import { checkDns1123Label, checkIntRange } from "../core/validate";

/** Where an InferenceService's pods may open connections. DNS to kube-dns is always allowed. */
export interface InferenceEgress {
  /**
   * HTTPS (TCP 443) to addresses outside the private ranges (10/8, 172.16/12, 192.168/16,
   * 100.64/10): model weights from S3 or a model hub, STS for IRSA. Private ranges are left out
   * because they hold the cluster's own pods and nodes; an interface VPC endpoint (STS, ECR, S3
   * with private DNS) answers on a VPC address: list its subnets under `cidrs`.
   * @default true
   */
  readonly internetHttps?: boolean;
  /** More destinations by address, e.g. a database in the VPC. @default - none */
  readonly cidrs?: readonly EgressCidr[];
  /** Pods of these namespaces, e.g. a feature store in the cluster. @default - none */
  readonly namespaces?: readonly EgressNamespace[];
  /**
   * No egress policy at all: the pods may connect anywhere. Only on its own, never with a list.
   * @default false
   */
  readonly unrestricted?: boolean;
}

export interface EgressCidr {
  /** An IPv4 CIDR block, e.g. 10.0.0.0/16. */
  readonly cidr: string;
  /** TCP ports. */
  readonly ports: readonly number[];
}

export interface EgressNamespace {
  /** The namespace's name. */
  readonly name: string;
  /** TCP ports. */
  readonly ports: readonly number[];
}

/** The egress an InferenceService's policy allows, checked. */
export interface ResolvedEgress {
  readonly internetHttps: boolean;
  readonly cidrs: readonly EgressCidr[];
  readonly namespaces: readonly EgressNamespace[];
}

export { PRIVATE_RANGES };

/**
 * Checks `egress` and returns what the policy allows, or undefined for `unrestricted`. Errors
 * name the setting under `prefix` (`egress.` from code, `services["x"].egress.` from a file).
 */
export function resolveEgress(scope: IConstruct | string, prefix: string, egress: InferenceEgress = {}): ResolvedEgress | undefined {
  const cidrs = egress.cidrs ?? [];
  const namespaces = egress.namespaces ?? [];
  if (egress.unrestricted === true) {
    const listed = [egress.cidrs && "cidrs", egress.namespaces && "namespaces", egress.internetHttps !== undefined && "internetHttps"].filter(Boolean);
    if (listed.length > 0) {
      throw new PlatformConfigError(scope, `${prefix}unrestricted`, true, `allows every destination, so it cannot be combined with ${listed.join(", ")}: remove one or the other`);
    }
    return undefined;
  }
  cidrs.forEach((c, i) => {
    parseCidr(scopeName(scope), `${prefix}cidrs[${i}].cidr`, c.cidr);
    checkPorts(scope, `${prefix}cidrs[${i}].ports`, c.ports);
  });
  namespaces.forEach((n, i) => {
    checkDns1123Label(scope, `${prefix}namespaces[${i}].name`, n.name);
    checkPorts(scope, `${prefix}namespaces[${i}].ports`, n.ports);
  });
  return { internetHttps: egress.internetHttps ?? true, cidrs, namespaces };
}

function checkPorts(scope: IConstruct | string, prop: string, ports: readonly number[]): void {
  if (!Array.isArray(ports) || ports.length === 0) throw new PlatformConfigError(scope, prop, ports, "must list at least one TCP port");
  ports.forEach((port, i) => checkIntRange(scope, `${prop}[${i}]`, port, 1, 65535));
}

function scopeName(scope: IConstruct | string): string {
  return typeof scope === "string" ? scope : scope.node.path;
}
