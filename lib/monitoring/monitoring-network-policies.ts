import { Construct, IConstruct } from "constructs";
import { MonitoringCatalog } from "../contracts/monitoring-catalog";
import { ScrapeEndpoint, scrapeEndpoints } from "../contracts/scrape-targets";
import { blockedConnection, describe, policiesIn } from "../platform/network-reachability";
import { NamespaceRef } from "../core/kubernetes/namespace-ref";
import {
  ANY_POD,
  API_SERVER,
  CLUSTER_NETWORK,
  ComponentFlows,
  Flow,
  INTERNET_HTTPS,
  KUBE_DNS,
  Labels,
  PodPeer,
  writeComponentPolicy,
  writeDefaultDeny,
} from "../core/kubernetes/network-policy";

/**
 * Pod labels of kube-prometheus-stack's components (chart 88.5.3): the operator puts
 * `app.kubernetes.io/name` on the Prometheus and Alertmanager pods it runs, the subcharts on theirs.
 */
export const KPS_PODS = {
  prometheus: { "app.kubernetes.io/name": "prometheus" },
  alertmanager: { "app.kubernetes.io/name": "alertmanager" },
  grafana: { "app.kubernetes.io/name": "grafana" },
  kubeStateMetrics: { "app.kubernetes.io/name": "kube-state-metrics" },
  operator: { "app.kubernetes.io/component": "prometheus-operator" },
} as const satisfies Record<string, Labels>;

export const PROMETHEUS_ADAPTER_PODS: Labels = { "app.kubernetes.io/name": "prometheus-adapter" };

/** Ports the platform's monitoring components listen on. */
export const MONITORING_PORTS = {
  prometheus: 9090,
  thanosSidecarGrpc: 10901,
  thanosSidecarHttp: 10902,
  configReloader: 8080,
  alertmanager: 9093,
  alertmanagerCluster: 9094,
  grafana: 3000,
  kubeStateMetrics: 8080,
  kubeStateMetricsTelemetry: 8081,
  /** The operator's HTTPS port: metrics and the admission webhook (prometheusOperator.tls.internalPort). */
  operator: 10250,
  /** prometheus-adapter's secure port (listenPort), which the API server calls for custom metrics. */
  prometheusAdapter: 6443,
} as const;

/** Host-network scrape targets on the nodes: kubelet (cAdvisor) and node-exporter. */
const NODE_PORTS = [10250, 9100];

/** Any pod of the monitoring namespace: Prometheus scrapes each component, Grafana and Query read their APIs. */
const SAME_NAMESPACE: PodPeer = {};

/**
 * The flows of kube-prometheus-stack in the monitoring namespace, on top of the namespace's
 * default deny (DNS and the API server stay open to every pod there).
 * - Prometheus may connect to any pod (the namespaces' own ingress policies decide what it may
 *   scrape), to the nodes' kubelet and node-exporter, and with Thanos to S3 over HTTPS.
 * - Alertmanager sends to receivers over HTTPS anywhere, and to in-cluster receivers (a WeCom
 *   bridge, a webhook) on any pod; its replicas gossip on 9094.
 * - Grafana reads Prometheus, Alertmanager and Thanos in its namespace.
 * - The operator's webhook and the adapter's API are called by the API server (cluster network).
 */
export function monitoringComponentFlows(options: { readonly thanos: boolean }): ComponentFlows[] {
  const P = MONITORING_PORTS;
  const alertmanagerPeers: Flow = {
    peers: [{ pods: KPS_PODS.alertmanager }],
    ports: [
      { port: P.alertmanagerCluster, protocol: "TCP" },
      { port: P.alertmanagerCluster, protocol: "UDP" },
    ],
  };
  return [
    {
      name: "prometheus",
      pods: KPS_PODS.prometheus,
      ingress: [{ peers: [SAME_NAMESPACE], ports: [P.prometheus, P.thanosSidecarGrpc, P.thanosSidecarHttp, P.configReloader] }],
      egress: [{ peers: [ANY_POD] }, { peers: CLUSTER_NETWORK, ports: NODE_PORTS }, ...(options.thanos ? [INTERNET_HTTPS] : [])],
    },
    {
      name: "alertmanager",
      pods: KPS_PODS.alertmanager,
      ingress: [{ peers: [SAME_NAMESPACE], ports: [P.alertmanager, P.configReloader] }, alertmanagerPeers],
      egress: [INTERNET_HTTPS, { peers: [ANY_POD] }, alertmanagerPeers],
    },
    {
      name: "grafana",
      pods: KPS_PODS.grafana,
      ingress: [{ peers: [SAME_NAMESPACE], ports: [P.grafana] }],
      egress: [{ peers: [SAME_NAMESPACE], ports: [P.prometheus, P.alertmanager] }],
    },
    {
      name: "kube-state-metrics",
      pods: KPS_PODS.kubeStateMetrics,
      ingress: [{ peers: [SAME_NAMESPACE], ports: [P.kubeStateMetrics, P.kubeStateMetricsTelemetry] }],
    },
    {
      name: "prometheus-operator",
      pods: KPS_PODS.operator,
      ingress: [{ peers: [SAME_NAMESPACE, ...CLUSTER_NETWORK], ports: [P.operator] }],
    },
  ];
}

/**
 * prometheus-adapter: called by the API server (aggregated custom metrics API), reads Prometheus.
 * It may live outside the monitoring namespace, so DNS and the API server are in its own policy.
 * With a Prometheus URL of its own, the adapter may reach any pod on that port.
 */
export function prometheusAdapterFlows(prometheus: { readonly namespace: string; readonly port: number; readonly kubePrometheusStack: boolean }): ComponentFlows {
  const target: PodPeer = prometheus.kubePrometheusStack ? { namespace: prometheus.namespace, pods: KPS_PODS.prometheus } : ANY_POD;
  return {
    name: "prometheus-adapter",
    pods: PROMETHEUS_ADAPTER_PODS,
    ingress: [{ peers: [{ namespace: prometheus.namespace }, ...CLUSTER_NETWORK], ports: [MONITORING_PORTS.prometheusAdapter] }],
    egress: [KUBE_DNS, API_SERVER, { peers: [target], ports: [prometheus.port] }],
  };
}

/** The monitoring namespace's default deny and kube-prometheus-stack's flows. */
export function writeMonitoringNetworkPolicies(scope: Construct, namespace: NamespaceRef, options: { readonly thanos: boolean }): void {
  writeDefaultDeny(scope, namespace);
  for (const flows of monitoringComponentFlows(options)) writeComponentPolicy(scope, namespace, flows);
}


/** The chart's own scrape targets in the monitoring namespace (its ServiceMonitors, not in the catalog). */
function chartScrapeEndpoints(namespace: string): { readonly name: string; readonly endpoint: ScrapeEndpoint }[] {
  const P = MONITORING_PORTS;
  const at = (name: string, pods: Labels, port: number) => ({ name, endpoint: { namespace, pods, port } });
  return [
    at("prometheus", KPS_PODS.prometheus, P.prometheus),
    at("alertmanager", KPS_PODS.alertmanager, P.alertmanager),
    at("grafana", KPS_PODS.grafana, P.grafana),
    at("kube-state-metrics", KPS_PODS.kubeStateMetrics, P.kubeStateMetrics),
    at("prometheus-operator", KPS_PODS.operator, P.operator),
  ];
}

/**
 * Every scrape target Prometheus is given (the chart's, the catalog's ServiceMonitors, the
 * registered exporters) checked on paper against the stack's NetworkPolicies: Prometheus' egress
 * and the target's ingress must both let the scrape through, or its series would silently stop.
 */
export function unreachableScrapeTargetErrors(stack: IConstruct, catalog: MonitoringCatalog): string[] {
  const policies = policiesIn(stack);
  if (policies.length === 0) return [];
  const namespace = catalog.labels.namespace;
  const prometheus = { namespace, labels: KPS_PODS.prometheus };
  const targets = [
    ...chartScrapeEndpoints(namespace),
    ...catalog.serviceMonitors.map((sm) => ({ name: sm.name, endpoint: { namespace: sm.namespace, pods: sm.selectorLabels, port: sm.targetPort, portName: sm.port } })),
    ...scrapeEndpoints(stack),
  ];
  return targets.flatMap(({ name, endpoint: e }) => {
    const blocked = blockedConnection(policies, prometheus, { namespace: e.namespace, labels: e.pods }, { number: e.port, name: e.portName });
    const port = e.port ?? e.portName;
    return blocked ? [`Prometheus cannot scrape '${name}' (pods ${e.namespace}/${describe(e.pods)}, port ${port}): ${blocked}`] : [];
  });
}
