import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { TerraformStack } from "cdktf";
import { IConstruct } from "constructs";

/** The stack's AWS partition (aws, aws-cn, aws-us-gov), from one shared data source. */
export function partitionOf(scope: IConstruct): string {
  const stack = TerraformStack.of(scope);
  const partition =
    (stack.node.tryFindChild("aws-partition") as DataAwsPartition | undefined) ?? new DataAwsPartition(stack, "aws-partition", {});
  return partition.partition;
}

/** ARN of an AWS managed IAM policy in the stack's partition. */
export function managedPolicyArn(scope: IConstruct, name: string): string {
  return `arn:${partitionOf(scope)}:iam::aws:policy/${name}`;
}
