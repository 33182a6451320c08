import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsEksAddon } from "@cdktf/provider-aws/lib/data-aws-eks-addon";
import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { DataAwsIamOpenidConnectProvider } from "@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsIamSessionContext } from "@cdktf/provider-aws/lib/data-aws-iam-session-context";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { EksCluster as EksClusterResource } from "@cdktf/provider-aws/lib/eks-cluster";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Annotations, Fn, Op, TerraformSelf } from "cdktf";
import { Construct } from "constructs";
import { iamRoleNamePrefix } from "../core/aws-name-limits";
import { contains, parseCidr } from "../core/cidr";
import { PlatformConfigError } from "../core/errors";
import { isToken } from "../core/validate";
import { IEksCluster, NetworkPolicyEnforcement } from "../core/cluster-ref";
import { LOG_RETENTION_DAYS, checkClusterName, checkKubernetesVersion } from "./cluster-validation";
import { keyPolicyForLogGroup, managedPolicyArn, partitionOf } from "./private/aws-policies";
import { keepTemplatesLiteral } from "../core/terraform-literals";
import { deployerEgressCidr, EGRESS_LOOKUP_URL } from "./private/deployer-egress";

export interface EksClusterOptions {
  /** Cluster name: 1-100 characters, letters, digits, '-' and '_', starting with a letter or digit. */
  readonly clusterName: string;
  /** Kubernetes minor version ("1.35"). */
  readonly kubernetesVersion: string;
  /** Kubernetes service CIDR. @default "172.20.0.0/16" */
  readonly serviceCidr?: string;
  /**
   * Whether the API endpoint is reachable from the internet (always reachable from the VPC).
   * @default true
   */
  readonly endpointPublicAccess?: boolean;
  /**
   * CIDRs allowed to reach the public endpoint: your deployers' egress. A /0 range needs
   * `allowEndpointFromAnywhere`.
   * @default - the deployer's egress address as a /32, looked up when Terraform plans
   * (https://checkip.amazonaws.com); synth warns that no other machine can reach the endpoint
   */
  readonly endpointPublicAccessCidrs?: readonly string[];
  /**
   * Allows `0.0.0.0/0` in `endpointPublicAccessCidrs`: the API endpoint reachable from the whole
   * internet (authentication still required). Asked for by name, never a default.
   * @default false
   */
  readonly allowEndpointFromAnywhere?: boolean;
  /**
   * IAM principals (role or user ARNs) granted cluster-admin through EKS access entries,
   * in addition to the identity running the deployment.
   * @default - only the deployer
   */
  readonly adminPrincipalArns?: readonly string[];
  /** Retention of the control-plane log group. @default 90 */
  readonly logRetentionDays?: number;
}

export interface EksClusterProps extends EksClusterOptions {
  /** Subnets of the control plane ENIs and nodes (private, two or more zones). */
  readonly subnetIds: string[];
}

/** Said when the endpoint allow-list defaults to the deployer's address: for the library and the app. */
export const ENDPOINT_LIMITED_TO_DEPLOYER =
  "The EKS API endpoint is reachable only from the deployer's egress address, looked up when Terraform plans (" +
  EGRESS_LOOKUP_URL +
  ", as <address>/32): other machines (CI, teammates) cannot reach it, and a plan from another address replaces the allow-list. " +
  "To allow them, list their egress CIDRs in endpointPublicAccessCidrs (default app: cluster.endpointPublicAccessCidrs or GPU_PLATFORM_ENDPOINT_CIDRS); " +
  "0.0.0.0/0 only with allowEndpointFromAnywhere: true.";

/** An IAM role or user ARN: path and name characters only, so no wildcard grants admin to a pattern. */
const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;
/** Ranges EKS accepts for the service CIDR (RFC 1918). */
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
const DEFAULT_SERVICE_CIDR = "172.20.0.0/16";
/** All five control-plane log types: audit and authenticator logs are what an incident review needs. */
const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/**
 * A new EKS cluster: secrets envelope-encrypted with a dedicated KMS key, all control-plane
 * logs kept for a bounded time, API-mode access entries (the deployer is admin by an explicit
 * entry, not by the implicit creator grant), and the OIDC provider for IRSA.
 */
export class EksCluster extends Construct implements IEksCluster {
  /**
   * Looks up an existing cluster and its OIDC provider by name. `networkPolicyEnforcement` states
   * what enforces NetworkPolicies there (it cannot be looked up); unset, synth warns wherever a
   * NetworkPolicy is written.
   */
  public static fromClusterName(
    scope: Construct,
    id: string,
    clusterName: string,
    options: { nodeSubnetIds?: string[]; networkPolicyEnforcement?: NetworkPolicyEnforcement } = {},
  ): IEksCluster {
    checkClusterName(`${scope.node.path}/${id}`, "clusterName", clusterName);
    const c = new Construct(scope, id);
    const cluster = new DataAwsEksCluster(c, "cluster", { name: clusterName });
    const issuer = cluster.identity.get(0).oidc.get(0).issuer;
    const oidc = new DataAwsIamOpenidConnectProvider(c, "oidc", { url: issuer });
    if (options.networkPolicyEnforcement?.byVpcCniAddon) {
      // A statement about a cluster we do not manage: the plan reads the add-on back and stops if it is false.
      new DataAwsEksAddon(c, "vpc-cni", {
        clusterName: cluster.name,
        addonName: "vpc-cni",
        lifecycle: {
          postcondition: [
            {
              // An expression, so built from cdktf tokens: a hand-written "${...}" string would be escaped as text.
              condition: Op.eq(Fn.try([Fn.lookup(Fn.jsondecode(TerraformSelf.getString("configuration_values")), "enableNetworkPolicy"), "false"]), "true"),
              errorMessage:
                'networkPolicyEnforcement is "vpc-cni", but the vpc-cni add-on of this cluster does not set enableNetworkPolicy to "true": enable it (aws eks update-addon --addon-name vpc-cni --configuration-values \'{"enableNetworkPolicy":"true"}\') or declare another enforcer.',
            },
          ],
        },
      });
    }
    return {
      clusterName: cluster.name,
      endpoint: cluster.endpoint,
      certificateAuthorityData: cluster.certificateAuthority.get(0).data,
      oidcIssuerUrl: issuer,
      oidcProviderArn: oidc.arn,
      kubernetesVersion: cluster.version,
      nodeSubnetIds: options.nodeSubnetIds ?? Fn.tolist(cluster.vpcConfig.get(0).subnetIds),
      ...(options.networkPolicyEnforcement && { networkPolicyEnforcement: options.networkPolicyEnforcement }),
    };
  }

  public readonly clusterName: string;
  public readonly endpoint: string;
  public readonly certificateAuthorityData: string;
  public readonly oidcIssuerUrl: string;
  public readonly oidcProviderArn: string;
  public readonly kubernetesVersion: string;
  public readonly nodeSubnetIds: string[];
  public readonly resource: EksClusterResource;
  public readonly secretsKey: KmsKey;

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    const publicAccess = props.endpointPublicAccess ?? true;
    const publicCidrs = props.endpointPublicAccessCidrs ?? [];
    const serviceCidr = props.serviceCidr ?? DEFAULT_SERVICE_CIDR;
    const retention = props.logRetentionDays ?? 90;

    checkClusterName(this, "clusterName", props.clusterName);
    checkKubernetesVersion(this, "kubernetesVersion", props.kubernetesVersion);
    publicCidrs.forEach((cidr, i) => parseCidr(this.node.path, `endpointPublicAccessCidrs[${i}]`, cidr));
    const service = parseCidr(this.node.path, "serviceCidr", serviceCidr);
    if (service.prefix < 12 || service.prefix > 24) {
      throw new PlatformConfigError(this, "serviceCidr", serviceCidr, "must have a prefix between /12 and /24 (EKS limit)");
    }
    if (!PRIVATE_RANGES.some((r) => contains(parseCidr(this.node.path, "serviceCidr", r), service))) {
      throw new PlatformConfigError(this, "serviceCidr", serviceCidr, `must lie inside a private range EKS accepts (${PRIVATE_RANGES.join(", ")})`);
    }
    if (!LOG_RETENTION_DAYS.includes(retention)) {
      throw new PlatformConfigError(this, "logRetentionDays", retention, `must be one of ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    (props.adminPrincipalArns ?? []).forEach((arn, i) => {
      if (!isToken(arn) && !IAM_PRINCIPAL_ARN.test(arn)) {
        throw new PlatformConfigError(this, `adminPrincipalArns[${i}]`, arn, "must be the ARN of one IAM role or user, without wildcards (arn:aws:iam::123456789012:role/name)");
      }
    });
    if (!publicAccess && props.endpointPublicAccessCidrs !== undefined) {
      throw new PlatformConfigError(this, "endpointPublicAccessCidrs", publicCidrs, "only applies when endpointPublicAccess is true");
    }
    if (publicAccess && props.endpointPublicAccessCidrs !== undefined && publicCidrs.length === 0) {
      // EKS reads an empty list as 0.0.0.0/0.
      throw new PlatformConfigError(
        this,
        "endpointPublicAccessCidrs",
        publicCidrs,
        "must list at least one CIDR (an empty list would open the endpoint to 0.0.0.0/0); leave it out to allow the deployer's egress address only",
      );
    }
    const anywhere = publicCidrs.filter((cidr) => !isToken(cidr) && parseCidr(this.node.path, "endpointPublicAccessCidrs", cidr).prefix === 0);
    if (anywhere.length > 0 && !props.allowEndpointFromAnywhere) {
      throw new PlatformConfigError(
        this,
        "endpointPublicAccessCidrs",
        publicCidrs,
        "must not open the API endpoint to the whole internet unless allowEndpointFromAnywhere is true; list your deployers' egress CIDRs instead",
      );
    }
    if (publicAccess && anywhere.length > 0) {
      Annotations.of(this).addWarning(
        "The EKS API endpoint is reachable from 0.0.0.0/0 (authentication still required); set endpointPublicAccessCidrs to your deployers' egress CIDRs.",
      );
    }

    let allowedCidrs = [...publicCidrs];
    if (publicAccess && props.endpointPublicAccessCidrs === undefined) {
      allowedCidrs = [deployerEgressCidr(this, "deployer-egress")];
      Annotations.of(this).addWarning(ENDPOINT_LIMITED_TO_DEPLOYER);
    }

    const trust = new DataAwsIamPolicyDocument(this, "cluster-trust", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole", "sts:TagSession"],
          principals: [{ type: "Service", identifiers: ["eks.amazonaws.com"] }],
        },
      ],
    });
    const role = new IamRole(this, "cluster-role", { namePrefix: iamRoleNamePrefix(`${props.clusterName}-cluster-`), assumeRolePolicy: trust.json });
    const policy = new IamRolePolicyAttachment(this, "cluster-policy", {
      role: role.name,
      policyArn: managedPolicyArn(this, "AmazonEKSClusterPolicy"),
    });

    const caller = new DataAwsCallerIdentity(this, "caller", {});
    const logGroupName = `/aws/eks/${props.clusterName}/cluster`;
    const [accountAdministers, logsEncrypt] = keyPolicyForLogGroup(this, caller.accountId, logGroupName, "LogsEncryptControlPlaneLogGroup");
    this.secretsKey = new KmsKey(this, "secrets-key", {
      description: `Envelope encryption of Kubernetes secrets and control-plane logs of EKS cluster ${props.clusterName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: new DataAwsIamPolicyDocument(this, "secrets-key-policy", {
        statement: [
          accountAdministers,
          {
            sid: "ClusterEncryptsSecrets",
            effect: "Allow",
            actions: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:ListGrants"],
            resources: ["*"],
            principals: [{ type: "AWS", identifiers: [role.arn] }],
          },
          {
            sid: "ClusterGrantsForItsResources",
            effect: "Allow",
            actions: ["kms:CreateGrant"],
            resources: ["*"],
            principals: [{ type: "AWS", identifiers: [role.arn] }],
            condition: [{ test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] }],
          },
          logsEncrypt,
        ],
      }).json,
    });

    // Created before the cluster so EKS writes into a log group with bounded retention, encrypted with the key.
    const logs = new CloudwatchLogGroup(this, "control-plane-logs", {
      name: logGroupName,
      retentionInDays: retention,
      kmsKeyId: this.secretsKey.arn,
    });

    this.resource = new EksClusterResource(this, "cluster", {
      name: props.clusterName,
      version: props.kubernetesVersion,
      roleArn: role.arn,
      vpcConfig: {
        subnetIds: props.subnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: publicAccess,
        ...(publicAccess && { publicAccessCidrs: allowedCidrs }),
      },
      kubernetesNetworkConfig: { serviceIpv4Cidr: serviceCidr },
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: this.secretsKey.arn } },
      enabledClusterLogTypes: CONTROL_PLANE_LOGS,
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
      // Add-ons are managed explicitly (with IRSA roles), not bootstrapped unmanaged.
      bootstrapSelfManagedAddons: false,
      dependsOn: [policy, logs],
    });

    const oidc = new IamOpenidConnectProvider(this, "oidc", {
      url: this.resource.identity.get(0).oidc.get(0).issuer,
      clientIdList: ["sts.amazonaws.com"],
    });

    // The deployer may be an assumed role; access entries need the role ARN, not the session ARN.
    const session = new DataAwsIamSessionContext(this, "caller-session", { arn: caller.arn });
    const admins = [session.issuerArn, ...(props.adminPrincipalArns ?? [])];
    admins.forEach((principal, i) => {
      const entry = new EksAccessEntry(this, `admin-${i}`, { clusterName: this.resource.name, principalArn: principal, type: "STANDARD" });
      new EksAccessPolicyAssociation(this, `admin-${i}-policy`, {
        clusterName: this.resource.name,
        principalArn: entry.principalArn,
        policyArn: `arn:${partitionOf(this)}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
        accessScope: { type: "cluster" },
      });
    });

    this.clusterName = this.resource.name;
    this.endpoint = this.resource.endpoint;
    this.certificateAuthorityData = this.resource.certificateAuthority.get(0).data;
    this.oidcIssuerUrl = this.resource.identity.get(0).oidc.get(0).issuer;
    this.oidcProviderArn = oidc.arn;
    this.kubernetesVersion = props.kubernetesVersion;
    this.nodeSubnetIds = props.subnetIds;
  }
}
