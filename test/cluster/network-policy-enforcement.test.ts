import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { App, Testing } from "cdktf";
import { NetworkPolicyEnforcement } from "../../lib/core/cluster-ref";
import { addNetworkPolicyEnforcementCheck } from "../../lib/platform/network-policy-enforcement";
import { buildApp } from "../../stacks/app";
import { DEFAULT_CONFIG, resolveConfig } from "../../stacks/config";
import { clusterStack, fakeCluster } from "../support/fixtures";
import { resourcesOf, synthDefaultApp } from "../support/synth";

const UNKNOWN_WARNING = /NetworkPolicies .*network-policy.* are written, but it is unknown whether the cluster enforces them/;

function warningsOf(app: App): string[] {
  return app.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data)));
}

function existing(networkPolicyEnforcement?: string) {
  return resolveConfig({ cluster: { mode: "existing", name: "team-gpu", ...(networkPolicyEnforcement && { networkPolicyEnforcement }) } });
}

describe("every NetworkPolicy the platform writes has an enforcer", () => {
  test("default app: the platform stack writes NetworkPolicies and the cluster stack's VPC CNI enforces them", () => {
    const { cluster, platform, app } = synthDefaultApp();
    expect(Object.keys(resourcesOf(platform, NetworkPolicyV1.tfResourceType)).length).toBeGreaterThan(0);
    const cni = Object.values(resourcesOf(cluster, "aws_eks_addon")).find((a) => a.addon_name === "vpc-cni")!;
    expect(JSON.parse(cni.configuration_values as string)).toMatchObject({ enableNetworkPolicy: "true" });
    expect(warningsOf(app).filter((w) => UNKNOWN_WARNING.test(w))).toEqual([]);
  });

  test("the new cluster's handle states the VPC CNI as enforcer", () => {
    const built = buildApp(DEFAULT_CONFIG, Testing.app());
    expect(built.cluster.cluster.networkPolicyEnforcement?.enforcer).toBe("the VPC CNI add-on (enableNetworkPolicy)");
    expect(built.platform.cluster.networkPolicyEnforcement).toBe(built.cluster.cluster.networkPolicyEnforcement);
  });

  test("existing cluster, enforcement not stated: synth succeeds with one warning saying how to declare it", () => {
    const { app } = synthDefaultApp(existing());
    const warnings = warningsOf(app).filter((w) => UNKNOWN_WARNING.test(w));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("platform/inference-server/network-policy");
    expect(warnings[0]).toContain('cluster.networkPolicyEnforcement "vpc-cni" or "engine"');
    expect(warnings[0]).toContain(`--configuration-values '{"enableNetworkPolicy":"true"}'`);
  });

  test.each(["vpc-cni", "engine"])("existing cluster stated as enforced by %s: no warning", (setting) => {
    const { app } = synthDefaultApp(existing(setting));
    expect(warningsOf(app).filter((w) => UNKNOWN_WARNING.test(w))).toEqual([]);
  });

  test('existing cluster stated as "vpc-cni": the plan reads the add-on back and stops unless it enables policies', () => {
    const { cluster } = synthDefaultApp(existing("vpc-cni"));
    const [addon] = Object.values(cluster.data?.aws_eks_addon ?? {});
    expect(addon).toMatchObject({ addon_name: "vpc-cni", cluster_name: expect.stringMatching(/^\$\{data\.aws_eks_cluster\./) });
    const [check] = (addon.lifecycle as { postcondition: { condition: string; error_message: string }[] }).postcondition;
    // Built from tokens, so it stays an expression (the literal escape does not touch it).
    expect(check.condition).toBe('${(try(jsondecode(self.configuration_values).enableNetworkPolicy, "false") == "true")}');
    expect(check.error_message).toContain('the vpc-cni add-on of this cluster does not set enableNetworkPolicy to "true"');
    // Another engine cannot be read back: nothing to look up.
    expect(synthDefaultApp(existing("engine")).cluster.data?.aws_eks_addon).toBeUndefined();
  });

  test("existing cluster stated as enforcing nothing: synth fails naming the policies", () => {
    expect(() => synthDefaultApp(existing("none"))).toThrow(
      /\[platform\] NetworkPolicies .*platform\/monitoring\/default-deny.*platform\/inference-server\/network-policy, platform\/inference-server\/egress-policy.* would not be enforced: the cluster states that nothing enforces NetworkPolicies, so they would block nothing; enable it on the cluster/,
    );
  });

  test("a stack that writes no NetworkPolicy needs no enforcer", () => {
    const stack = clusterStack();
    addNetworkPolicyEnforcementCheck(stack, { ...fakeCluster(), networkPolicyEnforcement: NetworkPolicyEnforcement.none() });
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });

  test("a library user's NetworkPolicy on a cluster stated as enforcing nothing fails synth", () => {
    const stack = clusterStack();
    addNetworkPolicyEnforcementCheck(stack, { ...fakeCluster(), networkPolicyEnforcement: NetworkPolicyEnforcement.none() });
    new NetworkPolicyV1(stack, "deny-all", { metadata: { name: "deny-all", namespace: "x" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } });
    expect(() => Testing.synth(stack, true)).toThrow("NetworkPolicies test/deny-all would not be enforced");
  });
});

describe("config: cluster.networkPolicyEnforcement", () => {
  test("is read in existing-cluster mode", () => {
    expect(existing("vpc-cni").cluster).toEqual({ mode: "existing", name: "team-gpu", networkPolicyEnforcement: "vpc-cni" });
  });

  test("rejects values it does not know", () => {
    expect(() => existing("calico")).toThrow(`config: 'cluster.networkPolicyEnforcement' must be one of vpc-cni, engine, none, got "calico"`);
  });

  test("rejects the setting on a new cluster, which enforces policies through its own VPC CNI add-on", () => {
    expect(() => resolveConfig({ cluster: { networkPolicyEnforcement: "vpc-cni" } })).toThrow(
      `config: 'cluster.networkPolicyEnforcement' only applies to an existing cluster (cluster.mode "existing"); a new cluster has its VPC CNI add-on enforce NetworkPolicies, got "vpc-cni"`,
    );
  });
});
