import { readFileSync } from "fs";
import { join } from "path";
import { Testing } from "cdktf";
import { EC2_INSTANCE_TYPES } from "../../lib/core/ec2-instance-types.generated";
import { architectureOf, checkInstanceType, isEc2InstanceType } from "../../lib/core/ec2-instance-types";
import { NVIDIA_GPUS_PER_INSTANCE } from "../../lib/gpu/gpu-instance-types";
import { SystemNodeGroup } from "../../lib/cluster/system-node-group";
import { GENERATED_PATH, instanceTypesModule } from "../../scripts/generate-instance-types";
import { clusterStack, fakeCluster } from "../support/fixtures";
import { synthDefaultApp } from "../support/synth";

describe("EC2 instance types from the SDK's list", () => {
  test("the committed list is what the pinned @aws-sdk/client-ec2 gives (npm run generate:instance-types)", () => {
    expect(readFileSync(join(__dirname, "../..", GENERATED_PATH), "utf8")).toBe(instanceTypesModule());
  });

  test("the hand-kept GPU table names exactly the sizes EC2 has in each of its families", () => {
    for (const [family, sizes] of Object.entries(NVIDIA_GPUS_PER_INSTANCE)) {
      expect([family, Object.keys(sizes).sort()]).toEqual([family, [...(EC2_INSTANCE_TYPES[family] ?? [])].sort()]);
    }
  });

  test.each([
    ["m6i.xlarge", true],
    ["g6e.12xlarge", true],
    ["p6-b200.48xlarge", true],
    ["m6i.huge", false],
    ["m6i", false],
    ["xx.large", false],
  ])("%s exists: %s", (type, exists) => expect(isEc2InstanceType(type)).toBe(exists));

  test.each([
    ["m6i", "x86_64"],
    ["m7a", "x86_64"],
    ["g5", "x86_64"],
    ["gr6", "x86_64"],
    ["p6-b200", "x86_64"],
    ["m7g", "arm64"],
    ["c7gn", "arm64"],
    ["g5g", "arm64"],
    ["t4g", "arm64"],
    ["x2gd", "arm64"],
    ["im4gn", "arm64"],
    ["a1", "arm64"],
    ["p6e-gb200", "arm64"],
    ["mac2-m2", "arm64"],
    ["mac1", "x86_64"],
  ])("%s runs %s", (family, arch) => expect(architectureOf(family)).toBe(arch));

  test("a typo names the closest families", () => {
    expect(() => checkInstanceType("s", "instanceTypes[0]", "m6.xlarge", "x86_64", "AL2023_x86_64_STANDARD")).toThrow('no family "m6" exists; did you mean m6a, m6g, m6gd?');
  });
});

describe("system pool instance types", () => {
  const system = (instanceTypes: string[]) =>
    new SystemNodeGroup(clusterStack(), "system", { cluster: fakeCluster(), nodeRoleArn: "arn:aws:iam::123456789012:role/nodes", instanceTypes });

  test("a Graviton type on the x86 system AMI fails at synth, naming the setting", () => {
    expect(() => system(["m6i.xlarge", "m7g.large"])).toThrow(
      "test/system: 'instanceTypes[1]' must run the AMI's architecture: m7g.large is arm64 (AWS Graviton) but amiType AL2023_x86_64_STANDARD is x86_64, got \"m7g.large\"",
    );
  });

  test("a type EC2 does not have fails at synth", () => {
    expect(() => system(["m6i.jumbo"])).toThrow("test/system: 'instanceTypes[0]' must be an EC2 instance type (family.size, as EC2 lists them): m6i comes in m6i.large, m6i.xlarge,");
  });

  test("the plan asks EC2 for each type's architectures and stops before anything is created", () => {
    const stack = clusterStack();
    new SystemNodeGroup(stack, "system", { cluster: fakeCluster(), nodeRoleArn: "arn:aws:iam::123456789012:role/nodes", instanceTypes: ["m6i.xlarge"] });
    const data = JSON.parse(Testing.synth(stack)).data.aws_ec2_instance_type as Record<string, { instance_type: string; lifecycle: { postcondition: { condition: string; error_message: string }[] } }>;
    const [lookup] = Object.values(data);
    expect(lookup.instance_type).toBe("m6i.xlarge");
    // Built from tokens: an expression for Terraform, untouched by the literal escape.
    expect(lookup.lifecycle.postcondition[0].condition).toBe('${contains(self.supported_architectures, "x86_64")}');
    expect(lookup.lifecycle.postcondition[0].error_message).toBe(
      "Node group system: instance type m6i.xlarge does not support x86_64, the architecture of amiType AL2023_x86_64_STANDARD; choose an x86_64 type or an AMI type for its architecture.",
    );
  });

  test("the default app looks up each distinct type of each node group once", () => {
    const { cluster } = synthDefaultApp();
    const types = Object.values(cluster.data!.aws_ec2_instance_type as Record<string, { instance_type: string }>).map((d) => d.instance_type);
    expect(types.sort()).toEqual(["g5.2xlarge", "g5.xlarge", "g6.2xlarge", "g6.xlarge", "g6e.xlarge", "m6i.xlarge"]);
  });
});
