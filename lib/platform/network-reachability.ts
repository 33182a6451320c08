import { IConstruct } from "constructs";
import { Labels } from "../core/kubernetes/network-policy";
import { networkPolicyResources } from "./network-policy-enforcement";

/**
 * Whether one pod may open a connection to another, decided on paper from the NetworkPolicies a
 * stack writes, with the Kubernetes semantics: a pod selected by no policy of a direction is open
 * in that direction; once selected, only what some rule of a selecting policy allows passes, and
 * a connection needs both the source's egress and the destination's ingress.
 *
 * What paper cannot know: namespaces are matched by their `kubernetes.io/metadata.name` label
 * only (other namespace labels are not known here), and `ipBlock` peers never match a pod (pod
 * addresses are the CNI's choice; the platform reaches pods by selectors). Policies written
 * outside this app, or by charts, are not seen.
 */


/** A pod by namespace and labels. */
export interface PodRef {
  readonly namespace: string;
  readonly labels: Labels;
}

/** A port as a policy may name it: its number and, when the container names it, its name. */
export interface PortRef {
  /** @default - unknown: only a policy naming the port matches */
  readonly number?: number;
  readonly name?: string;
  /** @default "TCP" */
  readonly protocol?: string;
}

interface Expression {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[];
}
interface Selector {
  readonly match_labels?: Labels;
  readonly match_expressions?: readonly Expression[];
}
interface PeerDoc {
  readonly pod_selector?: Selector;
  readonly namespace_selector?: Selector;
  readonly ip_block?: unknown;
}
interface RuleDoc {
  readonly from?: readonly PeerDoc[];
  readonly to?: readonly PeerDoc[];
  readonly ports?: readonly { readonly port?: string; readonly protocol?: string }[];
}
/** A NetworkPolicy as the stack writes it (the provider's snake_case attributes). */
export interface PolicyDoc {
  readonly path: string;
  readonly namespace: string;
  readonly spec: {
    readonly pod_selector?: Selector;
    readonly policy_types?: readonly string[];
    readonly ingress?: readonly RuleDoc[];
    readonly egress?: readonly RuleDoc[];
  };
}

/** The NetworkPolicies written under `scope`, read from the resources' own attributes. */
export function policiesIn(scope: IConstruct): PolicyDoc[] {
  return networkPolicyResources(scope).map((c) => {
    const written = c.toTerraform() as { resource: Record<string, Record<string, { metadata: { namespace?: string }; spec: PolicyDoc["spec"] }>> };
    const attributes = Object.values(written.resource[c.terraformResourceType])[0];
    return { path: c.node.path, namespace: attributes.metadata.namespace ?? "default", spec: attributes.spec };
  });
}

/** Label selector semantics: every matchLabels pair and every expression hold; empty selects all. */
export function selectorMatches(selector: Selector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  const pairs = Object.entries(selector.match_labels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    pairs &&
    (selector.match_expressions ?? []).every((e) => {
      const has = Object.prototype.hasOwnProperty.call(labels, e.key);
      const values = e.values ?? [];
      switch (e.operator) {
        case "In":
          return has && values.includes(labels[e.key]);
        case "NotIn":
          return !has || !values.includes(labels[e.key]);
        case "Exists":
          return has;
        case "DoesNotExist":
          return !has;
        default:
          return false;
      }
    })
  );
}

function peerMatches(peer: PeerDoc, policyNamespace: string, pod: PodRef): boolean {
  if (peer.ip_block !== undefined) return false;
  const namespaceOk = peer.namespace_selector
    ? selectorMatches(peer.namespace_selector, { "kubernetes.io/metadata.name": pod.namespace })
    : pod.namespace === policyNamespace;
  return namespaceOk && selectorMatches(peer.pod_selector, pod.labels);
}

function portMatches(rule: RuleDoc, port: PortRef): boolean {
  if (!rule.ports || rule.ports.length === 0) return true;
  const protocol = port.protocol ?? "TCP";
  return rule.ports.some(
    (p) => (p.protocol ?? "TCP") === protocol && (p.port === undefined || (port.number !== undefined && p.port === String(port.number)) || (port.name !== undefined && p.port === port.name)),
  );
}

/** Whether `direction` lets `self` talk with `peer` on `port`, and if not, the policies that decided. */
function allowedBy(policies: readonly PolicyDoc[], direction: "Ingress" | "Egress", self: PodRef, peer: PodRef, port: PortRef): { allowed: boolean; selecting: string[] } {
  const selecting = policies.filter(
    (p) => p.namespace === self.namespace && (p.spec.policy_types ?? ["Ingress"]).includes(direction) && selectorMatches(p.spec.pod_selector, self.labels),
  );
  if (selecting.length === 0) return { allowed: true, selecting: [] };
  const allowed = selecting.some((p) =>
    (direction === "Ingress" ? p.spec.ingress : p.spec.egress)?.some((rule) => {
      const peers = direction === "Ingress" ? rule.from : rule.to;
      return portMatches(rule, port) && (!peers || peers.length === 0 || peers.some((x) => peerMatches(x, p.namespace, peer)));
    }),
  );
  return { allowed, selecting: selecting.map((p) => p.path) };
}

/** Undefined when `from` may connect to `to` on `port`; otherwise which side blocks, naming its policies. */
export function blockedConnection(policies: readonly PolicyDoc[], from: PodRef, to: PodRef, port: PortRef): string | undefined {
  const egress = allowedBy(policies, "Egress", from, to, port);
  if (!egress.allowed) return `egress of ${from.namespace}/${describe(from.labels)} is limited by ${egress.selecting.join(", ")} and none allows it`;
  const ingress = allowedBy(policies, "Ingress", to, from, port);
  if (!ingress.allowed) return `ingress of ${to.namespace}/${describe(to.labels)} is limited by ${ingress.selecting.join(", ")} and none allows it`;
  return undefined;
}

export function describe(labels: Labels): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ")}}`;
}
