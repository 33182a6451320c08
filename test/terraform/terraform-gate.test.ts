import { DEFAULT_CONFIG, resolveConfig } from "../../stacks/config";
import { synthDefaultApp } from "../support/synth";
import { TerraformGateResult, describeWithTerraform, expectGatePassed, terraformGate, terraformGateAll } from "../support/terraform-gate";

/** Every variant of the default app whose plan differs in shape, both stacks each. */
function appStacks(): Record<string, object> {
  const variants = {
    "default app": DEFAULT_CONFIG,
    "existing cluster": resolveConfig({ cluster: { mode: "existing", name: "team-gpu" } }),
    "existing cluster, VPC CNI enforcing policies": resolveConfig({ cluster: { mode: "existing", name: "team-gpu", networkPolicyEnforcement: "vpc-cni" } }),
    "Bottlerocket spot pool": resolveConfig({
      gpuPools: [
        { name: "g5-ondemand", instanceTypes: ["g5.xlarge"], capacityType: "ON_DEMAND", minSize: 3, maxSize: 6 },
        { name: "br-spot", instanceTypes: ["g6.xlarge", "g5.2xlarge"], capacityType: "SPOT", amiType: "BOTTLEROCKET_x86_64_NVIDIA", minSize: 0, maxSize: 8 },
      ],
    }),
  };
  return Object.fromEntries(
    Object.entries(variants).flatMap(([name, config]) => {
      const { cluster, platform } = synthDefaultApp(config);
      return [
        [`${name}: cluster`, cluster],
        [`${name}: platform`, platform],
      ];
    }),
  );
}

/** A stack with one resource waiting on a namespace, `dependsOn` written as given. */
function namespaceWaiter(dependsOn: string): object {
  return {
    terraform: { required_providers: { kubernetes: { source: "hashicorp/kubernetes", version: "2.38.0" } } },
    resource: {
      kubernetes_namespace_v1: { x: { metadata: { name: "x" } } },
      kubernetes_config_map_v1: { y: { depends_on: [dependsOn], metadata: { name: "y", namespace: "x" } } },
    },
  };
}

describeWithTerraform("Terraform gate: terraform init on every synthesized stack", () => {
  const stacks = appStacks();
  let results: Record<string, TerraformGateResult>;
  beforeAll(async () => {
    results = await terraformGateAll(stacks);
  });

  test.each(Object.keys(stacks))("%s: Terraform loads the configuration", (name) => {
    expectGatePassed(name, results[name]);
  });

  test("an interpolated depends_on (the bug the walker had) fails the gate with Terraform's message", async () => {
    const result = await terraformGate(namespaceWaiter("${kubernetes_namespace_v1.x}"));
    expect(result.problems.join("\n")).toContain("Error: Invalid expression");
    expect(result.problems.join("\n")).toContain("A single static variable reference is required");
    expect(() => expectGatePassed("bad", result)).toThrow(/Terraform rejects stack 'bad':\nError: Terraform encountered problems during initialisation[\s\S]*in resource\.kubernetes_config_map_v1\.y\.depends_on/);
  });

  test("the same stack with a static reference passes: only the provider installation fails", async () => {
    const result = await terraformGate(namespaceWaiter("kubernetes_namespace_v1.x"));
    expect(result.problems).toEqual([]);
    expect(result.reachedProviders).toBe(true);
    expect(result.output).toContain("Error: Failed to query available provider packages");
    expect(result.output).toContain("not found in any of the search locations");
  });

  test("a duplicate declaration fails the gate", async () => {
    const text = JSON.stringify(namespaceWaiter("kubernetes_namespace_v1.x")).replace(
      '"resource":{',
      '"resource":[{"kubernetes_namespace_v1":{"x":{"metadata":{"name":"again"}}}},{',
    ).replace(/}}$/, "}]}");
    const result = await terraformGate(text);
    expect(result.problems.join("\n")).toContain("Error: Duplicate resource");
  });
});
