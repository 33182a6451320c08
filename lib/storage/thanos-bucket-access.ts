import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Construct } from "constructs";
import { IEksCluster } from "../core/cluster-ref";
import { IrsaRole } from "../cluster/irsa-role";
import { DEFAULT_MONITORING_NAMESPACE, DEFAULT_MONITORING_RELEASE } from "../contracts/monitoring-labels";
import { ServiceAccountRef } from "../core/kubernetes/service-account-ref";
import { checkDns1123Label } from "../core/validate";
import { prometheusServiceAccountName } from "../monitoring/thanos-sidecar";
import { IThanosBucket } from "./thanos-bucket";
import { keepTemplatesLiteral } from "../core/terraform-literals";


/** The Thanos components that touch the bucket. */
export type ThanosBucketComponent = "sidecar" | "storeGateway" | "compactor";

/** The service account of each component that touches the bucket. */
export type ThanosServiceAccounts = Readonly<Record<ThanosBucketComponent, ServiceAccountRef>>;

/** A component's IRSA role and the one service account it trusts. */
export interface ThanosComponentRole {
  readonly roleArn: string;
  readonly serviceAccount: ServiceAccountRef;
}

export type ThanosComponentRoles = Readonly<Record<ThanosBucketComponent, ThanosComponentRole>>;

export interface ThanosServiceAccountOptions {
  /** Namespace of Prometheus and the Thanos components. @default "monitoring" */
  readonly namespace?: string;
  /** kube-prometheus-stack release: the sidecar runs under Prometheus' service account. @default "kube-prometheus-stack" */
  readonly monitoringReleaseName?: string;
}

/** Service account names of the Thanos components: the one place both stacks read them from. */
export function thanosServiceAccounts(options: ThanosServiceAccountOptions = {}): ThanosServiceAccounts {
  const namespace = options.namespace ?? DEFAULT_MONITORING_NAMESPACE;
  return {
    sidecar: { namespace, name: prometheusServiceAccountName(options.monitoringReleaseName ?? DEFAULT_MONITORING_RELEASE) },
    storeGateway: { namespace, name: "thanos-store" },
    compactor: { namespace, name: "thanos-compact" },
  };
}

/**
 * What each component does with the bucket, and nothing more:
 * - the sidecar uploads blocks (PutObject); before uploading it checks whether the block's
 *   meta.json exists (a HEAD: GetObject), and S3 answers a HEAD on a missing key with 403
 *   instead of 404 unless the caller may ListBucket, which would fail every first upload;
 * - the store gateway lists and reads blocks;
 * - the compactor lists, reads, writes compacted and downsampled blocks, and deletes what
 *   retention drops.
 * KMS: writers need GenerateDataKey (and Decrypt, for multipart uploads and reads); readers Decrypt.
 */
export const THANOS_BUCKET_PERMISSIONS: Readonly<Record<ThanosBucketComponent, { readonly bucket: readonly string[]; readonly objects: readonly string[]; readonly kms: readonly string[] }>> = {
  sidecar: { bucket: ["s3:ListBucket"], objects: ["s3:GetObject", "s3:PutObject"], kms: ["kms:Decrypt", "kms:GenerateDataKey"] },
  storeGateway: { bucket: ["s3:ListBucket"], objects: ["s3:GetObject"], kms: ["kms:Decrypt"] },
  compactor: { bucket: ["s3:ListBucket"], objects: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], kms: ["kms:Decrypt", "kms:GenerateDataKey"] },
};

export interface ThanosBucketAccessProps {
  readonly cluster: Pick<IEksCluster, "oidcIssuerUrl" | "oidcProviderArn">;
  readonly bucket: IThanosBucket;
  /** @default thanosServiceAccounts() */
  readonly serviceAccounts?: ThanosServiceAccounts;
}

/**
 * One IRSA role per Thanos component that touches the bucket. Each trusts exactly its own
 * service account and may do only what that component does, on this bucket, its objects and
 * its key: no wildcard resource, no access keys.
 */
export class ThanosBucketAccess extends Construct {
  public readonly roles: ThanosComponentRoles;

  constructor(scope: Construct, id: string, props: ThanosBucketAccessProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    const accounts = props.serviceAccounts ?? thanosServiceAccounts();
    for (const [component, sa] of Object.entries(accounts)) {
      checkDns1123Label(this, `serviceAccounts.${component}.namespace`, sa.namespace);
    }
    const bucket = props.bucket;
    const role = (component: ThanosBucketComponent): ThanosComponentRole => {
      const allowed = THANOS_BUCKET_PERMISSIONS[component];
      const statement: DataAwsIamPolicyDocumentStatement[] = [
        { sid: "Bucket", effect: "Allow", actions: [...allowed.bucket], resources: [bucket.bucketArn] },
        { sid: "Objects", effect: "Allow", actions: [...allowed.objects], resources: [`${bucket.bucketArn}/*`] },
        ...(bucket.kmsKeyArn !== undefined ? [{ sid: "Key", effect: "Allow", actions: [...allowed.kms], resources: [bucket.kmsKeyArn] }] : []),
      ];
      const policy = new DataAwsIamPolicyDocument(this, `${component}-policy`, { statement });
      const sa = accounts[component];
      const irsa = new IrsaRole(this, component, { cluster: props.cluster, namespace: sa.namespace, serviceAccount: sa.name, inlinePolicyJson: policy.json });
      return { roleArn: irsa.role.arn, serviceAccount: sa };
    };
    this.roles = { sidecar: role("sidecar"), storeGateway: role("storeGateway"), compactor: role("compactor") };
  }
}
