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

/** A KMS key policy statement, as DataAwsIamPolicyDocument takes it. */
export interface KeyPolicyStatement {
  readonly sid: string;
  readonly effect: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly principals: { type: string; identifiers: string[] }[];
  readonly condition?: { test: string; variable: string; values: string[] }[];
}

/**
 * The two statements every key of this library starts from: the account keeps control of the key
 * (AWS's baseline: without it a wrong policy locks the key for good; the account's IAM policies
 * then decide who administers it), and CloudWatch Logs may use it for one log group only (the
 * encryption context names the group's ARN).
 */
export function keyPolicyForLogGroup(scope: IConstruct, accountId: string, logGroupName: string, sid: string): KeyPolicyStatement[] {
  const partition = partitionOf(scope);
  const { region, dnsSuffix } = regionOf(scope);
  return [
    { sid: "AccountAdministers", effect: "Allow", actions: ["kms:*"], resources: ["*"], principals: [{ type: "AWS", identifiers: [`arn:${partition}:iam::${accountId}:root`] }] },
    {
      sid,
      effect: "Allow",
      actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      resources: ["*"],
      principals: [{ type: "Service", identifiers: [`logs.${region}.${dnsSuffix}`] }],
      condition: [{ test: "ArnEquals", variable: "kms:EncryptionContext:aws:logs:arn", values: [`arn:${partition}:logs:${region}:${accountId}:log-group:${logGroupName}`] }],
    },
  ];
}
