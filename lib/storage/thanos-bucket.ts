import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration, S3BucketLifecycleConfigurationRule } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct, IConstruct } from "constructs";
import { PlatformConfigError } from "../core/errors";
import { checkIntRange, isToken } from "../core/validate";
import { ResolvedThanosRetention, ThanosRetention, resolveThanosRetention } from "./thanos-retention";
import { keepTemplatesLiteral } from "../core/terraform-literals";

/** The bucket Thanos stores blocks in, created here or looked up by name. */
export interface IThanosBucket {
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly region: string;
  /** Key of SSE-KMS; objects are written with it. @default - none: the bucket's own default encryption (existing buckets only) */
  readonly kmsKeyArn?: string;
}

export interface ThanosBucketAccessLogging {
  /** Bucket receiving the server access logs (must allow the S3 logging service to write). */
  readonly bucketName: string;
  /** @default "thanos/" */
  readonly prefix?: string;
}

export interface ThanosBucketProps {
  /** Region of the bucket (the stack's provider region); a passed key must be in it. */
  readonly region: string;
  /** @default - a generated name starting with `namePrefix` */
  readonly bucketName?: string;
  /** @default "thanos-" */
  readonly namePrefix?: string;
  /** A customer-managed key to use. @default - a new key with yearly rotation on */
  readonly kmsKeyArn?: string;
  /** Keep overwritten and deleted objects as noncurrent versions. @default false: the compactor deletes what retention drops */
  readonly versioning?: boolean;
  /** With versioning, days until a noncurrent version is removed. @default 7 */
  readonly noncurrentVersionExpirationDays?: number;
  /** @default 1 */
  readonly abortIncompleteMultipartUploadDays?: number;
  /**
   * A safety-net expiration of every object, in days. Must be longer than the longest retention
   * of the compactor, or it would delete blocks still kept.
   * @default - none: the compactor's retention decides
   */
  readonly expireObjectsAfterDays?: number;
  /** The compactor's retention, so the lifecycle can be checked against it. @default DEFAULT_THANOS_RETENTION */
  readonly retention?: ThanosRetention;
  /** @default true */
  readonly downsampling?: boolean;
  /** Let `terraform destroy` delete a bucket that still holds blocks. @default false */
  readonly forceDestroy?: boolean;
  /** Server access logs to a bucket you name. @default - none */
  readonly accessLogging?: ThanosBucketAccessLogging;
}

export interface ExistingThanosBucketProps {
  /** Name of the existing bucket (required). */
  readonly bucketName: string;
  readonly region: string;
  /** Its SSE-KMS key, if objects should be written with one. @default - the bucket's default encryption */
  readonly kmsKeyArn?: string;
}

const KMS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:(key|alias)\/.+$/;

/**
 * S3 bucket names (AWS "General purpose bucket naming rules"): 3-63 characters of lowercase
 * letters, digits, dots and hyphens, starting and ending with a letter or digit, no "..", not
 * an IP address, none of the reserved prefixes and suffixes.
 */
export function checkS3BucketName(scope: IConstruct | string, prop: string, name: string): void {
  if (isToken(name)) return;
  const ok =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes("..") &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !/^(xn--|sthree-|amzn-s3-demo-)/.test(name) &&
    !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name);
  if (!ok) {
    throw new PlatformConfigError(scope, prop, name, "must be a valid S3 bucket name: 3 to 63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit, not an IP address, no '..' and no reserved prefix or suffix");
  }
}

/** A KMS key (or alias) ARN in the bucket's region: S3 cannot use a key from another region. */
export function checkKmsKeyArn(scope: IConstruct | string, prop: string, arn: string, region: string): void {
  if (isToken(arn)) return;
  const m = KMS_ARN.exec(arn);
  if (!m) throw new PlatformConfigError(scope, prop, arn, "must be a KMS key or alias ARN (arn:aws:kms:<region>:<account>:key/<id>)");
  if (!isToken(region) && m[1] !== region) {
    throw new PlatformConfigError(scope, prop, arn, `must be a key in the bucket's region ${region} (S3 encrypts only with keys of its own region), not in ${m[1]}`);
  }
}

/**
 * The S3 bucket for Thanos blocks, hardened: SSE-KMS with a rotating customer-managed key (or
 * yours) and bucket keys, every public-access block, a policy that denies requests without TLS,
 * bucket-owner-enforced ownership, a lifecycle that cleans up failed multipart uploads (and old
 * versions, with versioning) but never expires blocks the compactor still keeps.
 * `ThanosBucket.fromExisting` points at a bucket you manage and creates nothing.
 */
export class ThanosBucket extends Construct implements IThanosBucket {
  /** An existing bucket (and key) by name: no resource is created. */
  public static fromExisting(scope: IConstruct, id: string, props: ExistingThanosBucketProps): IThanosBucket {
    const path = `${scope.node.path}/${id}`;
    if (!props.bucketName) {
      throw new PlatformConfigError(path, "bucketName", props.bucketName, "must name the existing bucket (existing-bucket mode creates nothing, so it needs the name)");
    }
    checkS3BucketName(path, "bucketName", props.bucketName);
    if (props.kmsKeyArn !== undefined) checkKmsKeyArn(path, "kmsKeyArn", props.kmsKeyArn, props.region);
    return {
      bucketName: props.bucketName,
      bucketArn: `arn:aws:s3:::${props.bucketName}`,
      region: props.region,
      ...(props.kmsKeyArn !== undefined && { kmsKeyArn: props.kmsKeyArn }),
    };
  }

  public readonly bucketName: string;
  public readonly bucketArn: string;
  public readonly region: string;
  public readonly kmsKeyArn: string;
  public readonly bucket: S3Bucket;
  /** The key created here. @default - undefined when a key was passed */
  public readonly kmsKey?: KmsKey;
  public readonly retention: ResolvedThanosRetention;

  constructor(scope: Construct, id: string, props: ThanosBucketProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    const namePrefix = props.namePrefix ?? "thanos-";
    const versioning = props.versioning ?? false;
    const noncurrentDays = props.noncurrentVersionExpirationDays ?? 7;
    const abortDays = props.abortIncompleteMultipartUploadDays ?? 1;
    this.retention = resolveThanosRetention(this, props.retention, props.downsampling ?? true);
    this.region = props.region;

    if (props.bucketName !== undefined) checkS3BucketName(this, "bucketName", props.bucketName);
    // Terraform's bucket_prefix is at most 37 characters.
    if (props.bucketName === undefined && !/^[a-z0-9][a-z0-9.-]{0,36}$/.test(namePrefix)) {
      throw new PlatformConfigError(this, "namePrefix", namePrefix, "must be 1 to 37 lowercase letters, digits, dots or hyphens, starting with a letter or digit");
    }
    if (props.kmsKeyArn !== undefined) checkKmsKeyArn(this, "kmsKeyArn", props.kmsKeyArn, props.region);
    if (props.accessLogging) checkS3BucketName(this, "accessLogging.bucketName", props.accessLogging.bucketName);
    checkIntRange(this, "abortIncompleteMultipartUploadDays", abortDays, 1, 365);
    if (props.noncurrentVersionExpirationDays !== undefined && !versioning) {
      throw new PlatformConfigError(this, "noncurrentVersionExpirationDays", noncurrentDays, "only applies with versioning: true");
    }
    checkIntRange(this, "noncurrentVersionExpirationDays", noncurrentDays, 1, 3650);
    const expireDays = props.expireObjectsAfterDays;
    if (expireDays !== undefined) {
      checkIntRange(this, "expireObjectsAfterDays", expireDays, 1, 36500);
      if (expireDays * 86400 <= this.retention.longestSeconds) {
        const longest = Number.isFinite(this.retention.longestSeconds) ? `${this.retention.longestSeconds / 86400} days` : "forever (a retention of 0d)";
        throw new PlatformConfigError(this, "expireObjectsAfterDays", expireDays, `must be longer than the compactor's longest retention (${longest}), or the bucket would delete blocks the compactor still keeps`);
      }
    }

    if (props.kmsKeyArn === undefined) {
      this.kmsKey = new KmsKey(this, "key", {
        description: "SSE-KMS key of the Thanos metrics bucket",
        enableKeyRotation: true,
        deletionWindowInDays: 30,
      });
    }
    this.kmsKeyArn = props.kmsKeyArn ?? this.kmsKey!.arn;

    this.bucket = new S3Bucket(this, "bucket", {
      ...(props.bucketName !== undefined ? { bucket: props.bucketName } : { bucketPrefix: namePrefix }),
      forceDestroy: props.forceDestroy ?? false,
    });
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;

    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.kmsKeyArn }, bucketKeyEnabled: true }],
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, "public-access", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", { bucket: this.bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
    const tlsOnly = new DataAwsIamPolicyDocument(this, "tls-only", {
      statement: [
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          actions: ["s3:*"],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ],
    });
    // After the public-access block, which S3 evaluates when a policy is put.
    new S3BucketPolicy(this, "policy", { bucket: this.bucket.id, policy: tlsOnly.json, dependsOn: [publicAccess] });

    const rules: S3BucketLifecycleConfigurationRule[] = [
      { id: "abort-incomplete-multipart-uploads", status: "Enabled", filter: [{ prefix: "" }], abortIncompleteMultipartUpload: [{ daysAfterInitiation: abortDays }] },
    ];
    let versioningResource: S3BucketVersioningA | undefined;
    if (versioning) {
      versioningResource = new S3BucketVersioningA(this, "versioning", { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } });
      rules.push({ id: "expire-noncurrent-versions", status: "Enabled", filter: [{ prefix: "" }], noncurrentVersionExpiration: [{ noncurrentDays }] });
    }
    if (expireDays !== undefined) {
      rules.push({ id: "expire-after-longest-retention", status: "Enabled", filter: [{ prefix: "" }], expiration: [{ days: expireDays }] });
    }
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: rules,
      ...(versioningResource && { dependsOn: [versioningResource] }),
    });

    if (props.accessLogging) {
      new S3BucketLoggingA(this, "access-logging", {
        bucket: this.bucket.id,
        targetBucket: props.accessLogging.bucketName,
        targetPrefix: props.accessLogging.prefix ?? "thanos/",
      });
    }
  }
}
