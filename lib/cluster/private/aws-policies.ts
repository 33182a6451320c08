import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
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

/** The stack's AWS region and DNS suffix, from shared data sources (service principals such as logs.<region>.<suffix>). */
export function regionOf(scope: IConstruct): { region: string; dnsSuffix: string } {
  const stack = TerraformStack.of(scope);
  const region = (stack.node.tryFindChild("aws-region") as DataAwsRegion | undefined) ?? new DataAwsRegion(stack, "aws-region", {});
  const partition =
    (stack.node.tryFindChild("aws-partition") as DataAwsPartition | undefined) ?? new DataAwsPartition(stack, "aws-partition", {});
  return { region: region.region, dnsSuffix: partition.dnsSuffix };
}
