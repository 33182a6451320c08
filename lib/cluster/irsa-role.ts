import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { iamRoleNamePrefix } from "../core/aws-name-limits";
import { IEksCluster } from "../core/cluster-ref";
import { keepTemplatesLiteral } from "../core/terraform-literals";

export interface IrsaRoleProps {
  readonly cluster: Pick<IEksCluster, "oidcIssuerUrl" | "oidcProviderArn">;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** ARNs of managed policies to attach. @default - none */
  readonly managedPolicyArns?: readonly string[];
  /** An inline policy document (JSON). @default - none */
  readonly inlinePolicyJson?: string;
}

/**
 * IAM role for one Kubernetes service account (IRSA). The trust policy names the exact
 * `system:serviceaccount:<namespace>:<name>` subject and the STS audience, so no other pod
 * in the cluster can assume it.
 */
export class IrsaRole extends Construct {
  public readonly role: IamRole;

  constructor(scope: Construct, id: string, props: IrsaRoleProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    const issuer = Fn.replace(props.cluster.oidcIssuerUrl, "https://", "");
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRoleWithWebIdentity"],
          principals: [{ type: "Federated", identifiers: [props.cluster.oidcProviderArn] }],
          condition: [
            { test: "StringEquals", variable: `${issuer}:sub`, values: [`system:serviceaccount:${props.namespace}:${props.serviceAccount}`] },
            { test: "StringEquals", variable: `${issuer}:aud`, values: ["sts.amazonaws.com"] },
          ],
        },
      ],
    });
    this.role = new IamRole(this, "role", {
      namePrefix: iamRoleNamePrefix(`irsa-${props.serviceAccount}-`),
      assumeRolePolicy: trust.json,
      ...(props.inlinePolicyJson && { inlinePolicy: [{ name: "scoped", policy: props.inlinePolicyJson }] }),
    });
    (props.managedPolicyArns ?? []).forEach((arn, i) => {
      new IamRolePolicyAttachment(this, `policy${i}`, { role: this.role.name, policyArn: arn });
    });
  }
}
