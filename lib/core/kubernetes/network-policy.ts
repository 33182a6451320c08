import { NetworkPolicyV1, NetworkPolicyV1SpecEgressTo, NetworkPolicyV1SpecIngressFrom } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { Construct } from "constructs";
import { NamespaceRef, namespaceDependencies } from "./namespace-ref";

/**
 * The vocabulary of the platform's NetworkPolicies: who (a peer), on which ports (a flow), for
 * which pods (a component). Each layer describes the flows of what it deploys; these builders
 * write them, so every policy has the same shape in the plan.
 */

export type Labels = Readonly<Record<string, string>>;

/**
 * Private IPv4 ranges, and the shared range EKS custom networking gives pods: the cluster's pods,
 * nodes, control-plane ENIs and VPC live here, so "the internet" is everything else.
 */
export const PRIVATE_RANGES: readonly string[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

/** Pods by labels in a namespace: the policy's own when `namespace` is left out, every namespace with "*". */
export interface PodPeer {
  readonly namespace?: string;
  /** @default - every pod of the namespace */
  readonly pods?: Labels;
}

/** Addresses outside the pod network: nodes, the control plane, the internet. */
export interface CidrPeer {
  readonly cidr: string;
  readonly except?: readonly string[];
}

export type Peer = PodPeer | CidrPeer;

export interface Port {
  readonly port: number;
  /** @default "TCP" */
  readonly protocol?: "TCP" | "UDP";
}

/** Peers and the ports they may use; no ports means every port. */
export interface Flow {
  readonly peers: readonly Peer[];
  readonly ports?: readonly (number | Port)[];
}

/** The pods of one component and the connections they may accept and open, besides DNS. */
export interface ComponentFlows {
  /** Name of the policy, e.g. "prometheus". */
  readonly name: string;
  readonly pods: Labels;
  readonly ingress?: readonly Flow[];
  readonly egress?: readonly Flow[];
}

/** Every pod of the cluster (host-network pods are not pods to a NetworkPolicy). */
export const ANY_POD: PodPeer = { namespace: "*" };

/** Nodes and the control plane's ENIs: kubelet, host-network exporters, webhook callers. */
export const CLUSTER_NETWORK: readonly CidrPeer[] = PRIVATE_RANGES.map((cidr) => ({ cidr }));

/**
 * The API server, on 443 in the private ranges: the `kubernetes` Service's ClusterIP lies in the
 * service CIDR (private, checked at synth) and its endpoints are the EKS control-plane ENIs in
 * the cluster's subnets, so the rule holds whether the VPC CNI's policy agent matches the
 * address before or after the Service is translated (aws-network-policy-agent#549 shows the
 * ClusterIP being matched).
 */
export const API_SERVER: Flow = { peers: CLUSTER_NETWORK, ports: [443] };

/** HTTPS to AWS APIs and webhooks on the internet (S3, STS, KMS, Slack, PagerDuty). */
export const INTERNET_HTTPS: Flow = { peers: [{ cidr: "0.0.0.0/0", except: PRIVATE_RANGES }], ports: [443] };

/** kube-dns in kube-system over UDP and TCP (large answers fall back to TCP). */
export const KUBE_DNS: Flow = {
  peers: [{ namespace: "kube-system", pods: { "k8s-app": "kube-dns" } }],
  ports: [
    { port: 53, protocol: "UDP" },
    { port: 53, protocol: "TCP" },
  ],
};

function isCidr(peer: Peer): peer is CidrPeer {
  return "cidr" in peer;
}

/** The provider's peer block, shared by `from` and `to`. */
function peerBlock(peer: Peer): NetworkPolicyV1SpecIngressFrom & NetworkPolicyV1SpecEgressTo {
  if (isCidr(peer)) return { ipBlock: { cidr: peer.cidr, ...(peer.except && { except: [...peer.except] }) } };
  const namespaceSelector =
    peer.namespace === undefined
      ? undefined
      : peer.namespace === "*"
        ? { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "Exists" }] }
        : { matchLabels: { "kubernetes.io/metadata.name": peer.namespace } };
  return {
    ...(namespaceSelector && { namespaceSelector }),
    // An empty selector selects every pod; written explicitly when no namespace narrows the peer.
    ...(peer.pods || !namespaceSelector ? { podSelector: { matchLabels: { ...(peer.pods ?? {}) } } } : {}),
  };
}

function portBlocks(ports: NonNullable<Flow["ports"]>): { port: string; protocol: string }[] {
  return ports.map((p) => (typeof p === "number" ? { port: String(p), protocol: "TCP" } : { port: String(p.port), protocol: p.protocol ?? "TCP" }));
}

/** Flows as the provider's `egress` blocks. */
export function egressRules(flows: readonly Flow[]): { to: NetworkPolicyV1SpecEgressTo[]; ports?: { port: string; protocol: string }[] }[] {
  return flows.map((f) => ({ to: f.peers.map(peerBlock), ...(f.ports && { ports: portBlocks(f.ports) }) }));
}

/** Flows as the provider's `ingress` blocks. */
export function ingressRules(flows: readonly Flow[]): { from: NetworkPolicyV1SpecIngressFrom[]; ports?: { port: string; protocol: string }[] }[] {
  return flows.map((f) => ({ from: f.peers.map(peerBlock), ...(f.ports && { ports: portBlocks(f.ports) }) }));
}

/** One policy for a component: its pods, ingress from and egress to exactly the flows listed. */
export function writeComponentPolicy(scope: Construct, namespace: NamespaceRef, c: ComponentFlows): NetworkPolicyV1 {
  const types = [...(c.ingress ? ["Ingress"] : []), ...(c.egress ? ["Egress"] : [])];
  return new NetworkPolicyV1(scope, `${c.name}-network-policy`, {
    dependsOn: namespaceDependencies(namespace),
    metadata: { name: c.name, namespace: namespace.name },
    spec: {
      podSelector: { matchLabels: { ...c.pods } },
      policyTypes: types,
      ...(c.ingress && { ingress: ingressRules(c.ingress) }),
      ...(c.egress && { egress: egressRules(c.egress) }),
    },
  });
}

/**
 * A namespace's baseline: nothing in or out for any pod, except DNS and the API server (every
 * controller, sidecar and chart hook here talks to it; RBAC decides what each may do there).
 * Components' own policies then add exactly their flows.
 */
export function writeDefaultDeny(scope: Construct, namespace: NamespaceRef): NetworkPolicyV1[] {
  const dependsOn = namespaceDependencies(namespace);
  return [
    new NetworkPolicyV1(scope, "default-deny", {
      dependsOn,
      metadata: { name: "default-deny", namespace: namespace.name },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    }),
    writeComponentPolicy(scope, namespace, { name: "dns-and-api-server", pods: {}, egress: [KUBE_DNS, API_SERVER] }),
  ];
}
