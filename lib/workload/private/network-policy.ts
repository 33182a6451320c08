import { NetworkPolicyV1, NetworkPolicyV1SpecIngressFrom } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { egressRules, Flow, INTERNET_HTTPS, KUBE_DNS } from "../../core/kubernetes/network-policy";
import { ResolvedEgress } from "../egress";
import { Construct } from "constructs";
import { InferenceSettings, objectMeta } from "./settings";

/** Ingress only: the serving port from the allowed namespaces, the metrics port from monitoring only. */
export function buildNetworkPolicy(scope: Construct, s: InferenceSettings): NetworkPolicyV1 {
  const monitoringPeer: NetworkPolicyV1SpecIngressFrom = {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": s.monitoringNamespace } },
  };
  const servingPeers: NetworkPolicyV1SpecIngressFrom[] =
    s.allowServingFrom === undefined
      ? // Every namespace carries this label (Kubernetes >= 1.22); explicit rather than an empty selector.
        [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "Exists" }] } }]
      : [
          {
            namespaceSelector: {
              matchExpressions: [
                {
                  key: "kubernetes.io/metadata.name",
                  operator: "In",
                  // Metrics on the serving port: Prometheus must reach it too.
                  values: [...new Set([...s.allowServingFrom, ...(s.metricsPort === undefined ? [s.monitoringNamespace] : [])])],
                },
              ],
            },
          },
        ];
  return new NetworkPolicyV1(scope, "network-policy", {
    dependsOn: s.dependsOn,
    metadata: objectMeta(s),
    spec: {
      podSelector: { matchLabels: { ...s.selectorLabels } },
      policyTypes: ["Ingress"],
      ingress: [
        { ports: [{ port: String(s.servingPort), protocol: "TCP" }], from: servingPeers },
        ...(s.metricsPort === undefined ? [] : [{ ports: [{ port: String(s.metricsPort), protocol: "TCP" }], from: [monitoringPeer] }]),
      ],
    },
  });
}

/**
 * Egress only, a policy of its own so the plan shows it apart: DNS, then what `egress` allows.
 * Anything else (other pods, the VPC, IMDS) is refused once a policy selects the pods for Egress.
 */
export function buildEgressPolicy(scope: Construct, s: InferenceSettings, egress: ResolvedEgress): NetworkPolicyV1 {
  const flows: Flow[] = [
    KUBE_DNS,
    ...(egress.internetHttps ? [INTERNET_HTTPS] : []),
    ...egress.cidrs.map((c) => ({ peers: [{ cidr: c.cidr }], ports: c.ports })),
    ...egress.namespaces.map((n) => ({ peers: [{ namespace: n.name }], ports: n.ports })),
  ];
  const meta = objectMeta(s);
  return new NetworkPolicyV1(scope, "egress-policy", {
    dependsOn: s.dependsOn,
    metadata: { ...meta, name: `${meta.name}-egress` },
    spec: {
      podSelector: { matchLabels: { ...s.selectorLabels } },
      policyTypes: ["Egress"],
      egress: egressRules(flows),
    },
  });
}
