import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { Testing } from "cdktf";
import { MonitoringCatalog } from "../../lib/contracts/monitoring-catalog";
import { monitoringLabelContract } from "../../lib/contracts/monitoring-labels";
import { GpuPool } from "../../lib/gpu/gpu-pool";
import { MonitoringStack } from "../../lib/monitoring/monitoring-stack";
import { unreachableScrapeTargetErrors } from "../../lib/monitoring/monitoring-network-policies";
import { blockedConnection, PolicyDoc, policiesIn, selectorMatches } from "../../lib/platform/network-reachability";
import { PlatformStack } from "../../stacks/platform-stack";
import { clusterStack } from "../support/fixtures";
import { synthDefaultApp, synthStack } from "../support/synth";
import { buildApp } from "../../stacks/app";
import { DEFAULT_CONFIG } from "../../stacks/config";

describe("label selectors, as the Kubernetes docs define them", () => {
  const pod = { app: "web", tier: "frontend", environment: "production" };
  test.each([
    [undefined, true],
    [{}, true],
    [{ match_labels: { app: "web" } }, true],
    [{ match_labels: { app: "web", tier: "backend" } }, false],
    [{ match_expressions: [{ key: "environment", operator: "In", values: ["production", "qa"] }] }, true],
    [{ match_expressions: [{ key: "tier", operator: "NotIn", values: ["frontend", "backend"] }] }, false],
    [{ match_expressions: [{ key: "partition", operator: "NotIn", values: ["a"] }] }, true],
    [{ match_expressions: [{ key: "partition", operator: "Exists" }] }, false],
    [{ match_expressions: [{ key: "partition", operator: "DoesNotExist" }] }, true],
    [{ match_labels: { app: "web" }, match_expressions: [{ key: "tier", operator: "Exists" }] }, true],
  ])("%j selects {app=web, tier=frontend, environment=production}: %s", (selector, expected) => {
    expect(selectorMatches(selector, pod)).toBe(expected);
  });
});

describe("a connection on paper", () => {
  const a = { namespace: "a", labels: { app: "client" } };
  const b = { namespace: "b", labels: { app: "server" } };
  const policy = (namespace: string, spec: PolicyDoc["spec"]): PolicyDoc => ({ path: `${namespace}/policy`, namespace, spec });
  const fromA = { from: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "a" } } }] };

  test("no policy: open", () => {
    expect(blockedConnection([], a, b, { number: 80 })).toBeUndefined();
  });

  test("an ingress policy on the server: only its peers and ports", () => {
    const onlyA80 = policy("b", { pod_selector: {}, policy_types: ["Ingress"], ingress: [{ ...fromA, ports: [{ port: "80", protocol: "TCP" }] }] });
    expect(blockedConnection([onlyA80], a, b, { number: 80 })).toBeUndefined();
    expect(blockedConnection([onlyA80], a, b, { number: 81 })).toBe("ingress of b/{app=server} is limited by b/policy and none allows it");
    expect(blockedConnection([onlyA80], a, b, { number: 80, protocol: "UDP" })).toBeDefined();
    expect(blockedConnection([onlyA80], { namespace: "c", labels: {} }, b, { number: 80 })).toBeDefined();
  });

  test("a named port matches the container port's name, not its number", () => {
    const named = policy("b", { pod_selector: {}, policy_types: ["Ingress"], ingress: [{ ...fromA, ports: [{ port: "metrics" }] }] });
    expect(blockedConnection([named], a, b, { number: 9090, name: "metrics" })).toBeUndefined();
    expect(blockedConnection([named], a, b, { number: 9090 })).toBeDefined();
  });

  test("a pod selector without a namespace selector means the policy's own namespace", () => {
    const samePods = policy("b", { pod_selector: {}, policy_types: ["Ingress"], ingress: [{ from: [{ pod_selector: { match_labels: { app: "client" } } }] }] });
    expect(blockedConnection([samePods], a, b, { number: 80 })).toBeDefined();
    expect(blockedConnection([samePods], { namespace: "b", labels: { app: "client" } }, b, { number: 80 })).toBeUndefined();
  });

  test("egress: a deny-all on the client blocks, whatever the server allows", () => {
    const denyEgress = policy("a", { pod_selector: {}, policy_types: ["Egress"] });
    expect(blockedConnection([denyEgress], a, b, { number: 80 })).toBe("egress of a/{app=client} is limited by a/policy and none allows it");
    const allowB = policy("a", { pod_selector: { match_labels: { app: "client" } }, policy_types: ["Egress"], egress: [{ to: [{ namespace_selector: { match_expressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["b"] }] } }] }] });
    expect(blockedConnection([denyEgress, allowB], a, b, { number: 80 })).toBeUndefined();
  });

  test("an ipBlock never stands for a pod", () => {
    const cidrOnly = policy("b", { pod_selector: {}, policy_types: ["Ingress"], ingress: [{ from: [{ ip_block: { cidr: "0.0.0.0/0" } }] }] });
    expect(blockedConnection([cidrOnly], a, b, { number: 80 })).toBeDefined();
  });
});

describe("the platform's NetworkPolicies", () => {
  const { platform, app } = synthDefaultApp();
  const policies = platform.resource!.kubernetes_network_policy_v1 as Record<string, { metadata: { name: string; namespace: string }; spec: { policy_types: string[]; pod_selector: object } }>;
  const byName = (ns: string, name: string) => Object.values(policies).find((p) => p.metadata.namespace === ns && p.metadata.name === name)!;

  test("each platform namespace denies everything by default, then names its flows", () => {
    const names = Object.values(policies)
      .map((p) => `${p.metadata.namespace}/${p.metadata.name}`)
      .sort();
    expect(names).toEqual([
      "inference/inference-server",
      "inference/inference-server-egress",
      "monitoring/alertmanager",
      "monitoring/default-deny",
      "monitoring/dns-and-api-server",
      "monitoring/grafana",
      "monitoring/kube-state-metrics",
      "monitoring/prometheus",
      "monitoring/prometheus-adapter",
      "monitoring/prometheus-operator",
      "monitoring/thanos-compact",
      "monitoring/thanos-query",
      "monitoring/thanos-query-frontend",
      "monitoring/thanos-store",
      "nvidia/dcgm-exporter",
      "nvidia/default-deny",
      "nvidia/dns-and-api-server",
    ]);
    for (const ns of ["monitoring", "nvidia"]) expect(byName(ns, "default-deny").spec).toEqual({ pod_selector: {}, policy_types: ["Ingress", "Egress"] });
  });

  test("every scrape target of the default app is reachable from Prometheus on paper", () => {
    const stack = app.node.findChild("platform") as PlatformStack;
    expect(policiesIn(stack)).toHaveLength(17);
    // The targets checked: the chart's five, the catalog's (inference, Thanos, autoscaler) and DCGM.
    expect(stack.catalog.serviceMonitors.map((sm) => sm.name).sort()).toEqual(["cluster-autoscaler", "inference-server", "thanos-compact", "thanos-query", "thanos-query-frontend", "thanos-store"]);
    expect(unreachableScrapeTargetErrors(stack, stack.catalog)).toEqual([]);
  });
});

describe("a scrape target a NetworkPolicy shuts out fails synth", () => {
  function userApp(policySpec: ConstructorParameters<typeof NetworkPolicyV1>[2]["spec"]) {
    const stack = clusterStack();
    const catalog = new MonitoringCatalog(monitoringLabelContract());
    new MonitoringStack(stack, "monitoring", {
      clusterName: "vision",
      catalog,
      gpuPools: [GpuPool.fromExisting({ poolName: "l4" })],
      systemNodeLabels: { role: "system" },
      storageClass: "gp3",
    });
    // A team's own exporter, scraped on 9102, in a namespace with its own policy.
    catalog.addServiceMonitor({ name: "queue-exporter", namespace: "vision", selectorLabels: { app: "queue-exporter" }, port: "metrics", targetPort: 9102 });
    new NetworkPolicyV1(stack, "vision-policy", { metadata: { name: "default-deny", namespace: "vision" }, spec: policySpec });
    return stack;
  }

  test("a default deny in the target's namespace: the target, its port and the policy are named", () => {
    const stack = userApp({ podSelector: {}, policyTypes: ["Ingress"] });
    expect(() => Testing.synth(stack, true)).toThrow(
      "Prometheus cannot scrape 'queue-exporter' (pods vision/{app=queue-exporter}, port 9102): ingress of vision/{app=queue-exporter} is limited by test/vision-policy and none allows it",
    );
  });

  test("the monitoring namespace allowed on another port: still shut out", () => {
    const from = [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }];
    expect(() => Testing.synth(userApp({ podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from, ports: [{ port: "8080", protocol: "TCP" }] }] }), true)).toThrow(
      "Prometheus cannot scrape 'queue-exporter'",
    );
    // The right port, through matchExpressions: reachable, synth passes.
    const anyOf = [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["monitoring", "ingress"] }] } }];
    expect(() => Testing.synth(userApp({ podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: anyOf, ports: [{ port: "9102", protocol: "TCP" }] }] }), true)).not.toThrow();
  });

  test("the platform's own policies narrowed: the DCGM exporter's ingress from another namespace is caught", () => {
    const stack = clusterStack();
    const catalog = new MonitoringCatalog(monitoringLabelContract());
    new MonitoringStack(stack, "monitoring", { clusterName: "vision", catalog, gpuPools: [], systemNodeLabels: { role: "system" }, storageClass: "gp3" });
    catalog.addServiceMonitor({ name: "dcgm-like", namespace: "nvidia", selectorLabels: { "app.kubernetes.io/name": "dcgm-exporter" }, port: "metrics", targetPort: 9400 });
    new NetworkPolicyV1(stack, "narrowed", {
      metadata: { name: "dcgm-exporter", namespace: "nvidia" },
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "dcgm-exporter" } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } } }], ports: [{ port: "9400", protocol: "TCP" }] }],
      },
    });
    expect(() => Testing.synth(stack, true)).toThrow("Prometheus cannot scrape 'dcgm-like' (pods nvidia/{app.kubernetes.io/name=dcgm-exporter}, port 9400): ingress of nvidia/");
  });

  test("the default app with the DCGM exporter's own policy taken out: the namespace's default deny shuts Prometheus out", () => {
    const built = buildApp(DEFAULT_CONFIG, Testing.app());
    built.cluster.prepareStack();
    expect(built.platform.node.findChild("gpu").node.tryRemoveChild("dcgm-exporter-network-policy")).toBe(true);
    expect(() => synthStack(built.platform)).toThrow(
      "Prometheus cannot scrape 'dcgm-exporter' (pods nvidia/{app.kubernetes.io/name=dcgm-exporter}, port 9400): ingress of nvidia/{app.kubernetes.io/name=dcgm-exporter} is limited by platform/gpu/default-deny and none allows it",
    );
  });

  test("networkPolicies: false writes none of the monitoring namespace's policies", () => {
    const stack = clusterStack();
    new MonitoringStack(stack, "monitoring", {
      clusterName: "vision",
      catalog: new MonitoringCatalog(monitoringLabelContract()),
      gpuPools: [],
      systemNodeLabels: { role: "system" },
      storageClass: "gp3",
      networkPolicies: false,
    });
    expect(policiesIn(stack)).toEqual([]);
  });
});
