import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { iamRoleNamePrefix } from "../core/aws-name-limits";
import { managedPolicyArn } from "./private/aws-policies";
import { keepTemplatesLiteral } from "../core/terraform-literals";

/**
 * The IAM role of managed node group instances: join the cluster and pull images, nothing
 * else. The VPC CNI's permissions live on its own IRSA role, not here, so pods that reach
 * the instance profile gain no network-admin rights (and IMDSv2 with hop limit 1 keeps pods
 * away from the instance profile in the first place).
 */
export class NodeRole extends Construct {
  public readonly role: IamRole;

  constructor(scope: Construct, id: string, props: { readonly clusterName: string }) {
    super(scope, id);
    keepTemplatesLiteral(this);
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [{ effect: "Allow", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] }],
    });
    this.role = new IamRole(this, "role", { namePrefix: iamRoleNamePrefix(`${props.clusterName}-node-`), assumeRolePolicy: trust.json });
    ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"].forEach((name) => {
      new IamRolePolicyAttachment(this, name, { role: this.role.name, policyArn: managedPolicyArn(this, name) });
    });
  }

  public get arn(): string {
    return this.role.arn;
  }
}
