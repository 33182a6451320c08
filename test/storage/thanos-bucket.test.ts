import { ThanosBucket, ThanosBucketProps } from "../../lib/storage/thanos-bucket";
import { THANOS_BUCKET_PERMISSIONS, ThanosBucketAccess, thanosServiceAccounts } from "../../lib/storage/thanos-bucket-access";
import { expectConfigError } from "../monitoring/rules/helpers";
import { awsStack, fakeCluster } from "../support/fixtures";
import { TfJson, resourceAt, resourcesOf, synthStack } from "../support/synth";

const KEY_ARN = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function synthBucket(props: Partial<ThanosBucketProps> = {}): { doc: TfJson; bucket: ThanosBucket } {
  const stack = awsStack();
  const bucket = new ThanosBucket(stack, "thanos-bucket", { region: "us-west-2", ...props });
  return { doc: synthStack(stack), bucket };
}

interface PolicyStatement {
  readonly sid?: string;
  readonly effect: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly principals?: { type: string; identifiers: string[] }[];
  readonly condition?: { test: string; variable: string; values: string[] }[];
}

function statements(doc: TfJson, pathSuffix: string): PolicyStatement[] {
  return (doc.data?.aws_iam_policy_document ? resourceAt({ resource: doc.data }, "aws_iam_policy_document", pathSuffix).statement : []) as PolicyStatement[];
}

describe("ThanosBucket", () => {
  const { doc } = synthBucket();

  test("SSE-KMS with a new customer-managed key, rotation on, bucket keys on", () => {
    const key = resourceAt(doc, "aws_kms_key", "thanos-bucket/key");
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    const sse = resourceAt(doc, "aws_s3_bucket_server_side_encryption_configuration", "thanos-bucket/encryption");
    expect(sse.rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\.thanos-bucket_key_[0-9A-F]{8}\.arn\}$/) }, bucket_key_enabled: true },
    ]);
  });

  test("a key the user passes is used and no key is created", () => {
    const { doc: own } = synthBucket({ kmsKeyArn: KEY_ARN });
    expect(resourcesOf(own, "aws_kms_key")).toEqual({});
    const sse = resourceAt(own, "aws_s3_bucket_server_side_encryption_configuration", "thanos-bucket/encryption");
    expect((sse.rule as { apply_server_side_encryption_by_default: { kms_master_key_id: string } }[])[0].apply_server_side_encryption_by_default.kms_master_key_id).toBe(KEY_ARN);
  });

  test("all four public-access blocks and bucket-owner-enforced ownership", () => {
    expect(resourceAt(doc, "aws_s3_bucket_public_access_block", "thanos-bucket/public-access")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(resourceAt(doc, "aws_s3_bucket_ownership_controls", "thanos-bucket/ownership").rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
  });

  test("a bucket policy denies every request without TLS, on the bucket and its objects", () => {
    const [deny] = statements(doc, "thanos-bucket/tls-only");
    expect(deny).toEqual({
      sid: "DenyInsecureTransport",
      effect: "Deny",
      principals: [{ type: "*", identifiers: ["*"] }],
      actions: ["s3:*"],
      resources: [expect.stringMatching(/^\$\{aws_s3_bucket\.thanos-bucket_[0-9A-F]{8}\.arn\}$/), expect.stringMatching(/^\$\{aws_s3_bucket\.thanos-bucket_[0-9A-F]{8}\.arn\}\/\*$/)],
      condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    });
    const policy = resourceAt(doc, "aws_s3_bucket_policy", "thanos-bucket/policy");
    expect(policy.policy).toMatch(/^\$\{data\.aws_iam_policy_document\.thanos-bucket_tls-only_[0-9A-F]{8}\.json\}$/);
    expect(policy.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_public_access_block\.thanos-bucket_public-access_/)]);
  });

  test("force_destroy off, a name prefix, no versioning, a lifecycle that only aborts failed uploads", () => {
    expect(resourceAt(doc, "aws_s3_bucket", "thanos-bucket")).toMatchObject({ force_destroy: false, bucket_prefix: "thanos-" });
    expect(resourcesOf(doc, "aws_s3_bucket_versioning")).toEqual({});
    expect(resourceAt(doc, "aws_s3_bucket_lifecycle_configuration", "thanos-bucket/lifecycle").rule).toEqual([
      { id: "abort-incomplete-multipart-uploads", status: "Enabled", filter: [{ prefix: "" }], abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }] },
    ]);
    expect(resourcesOf(doc, "aws_s3_bucket_logging")).toEqual({});
  });

  test("opt-ins: force_destroy, versioning with noncurrent expiry, a safety-net expiration, access logging", () => {
    const { doc: custom } = synthBucket({
      bucketName: "acme-thanos-blocks",
      forceDestroy: true,
      versioning: true,
      noncurrentVersionExpirationDays: 14,
      expireObjectsAfterDays: 400,
      accessLogging: { bucketName: "acme-access-logs" },
    });
    expect(resourceAt(custom, "aws_s3_bucket", "thanos-bucket")).toMatchObject({ force_destroy: true, bucket: "acme-thanos-blocks" });
    expect(resourceAt(custom, "aws_s3_bucket_versioning", "thanos-bucket/versioning").versioning_configuration).toEqual({ status: "Enabled" });
    expect(resourceAt(custom, "aws_s3_bucket_lifecycle_configuration", "thanos-bucket/lifecycle").rule).toEqual([
      { id: "abort-incomplete-multipart-uploads", status: "Enabled", filter: [{ prefix: "" }], abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }] },
      { id: "expire-noncurrent-versions", status: "Enabled", filter: [{ prefix: "" }], noncurrent_version_expiration: [{ noncurrent_days: 14 }] },
      { id: "expire-after-longest-retention", status: "Enabled", filter: [{ prefix: "" }], expiration: [{ days: 400 }] },
    ]);
    expect(resourceAt(custom, "aws_s3_bucket_logging", "thanos-bucket/access-logging")).toMatchObject({ target_bucket: "acme-access-logs", target_prefix: "thanos/" });
  });

  test("an existing bucket (and key) by name creates nothing", () => {
    const stack = awsStack();
    const existing = ThanosBucket.fromExisting(stack, "thanos-bucket", { bucketName: "acme-metrics", region: "us-west-2", kmsKeyArn: KEY_ARN });
    expect(existing).toEqual({ bucketName: "acme-metrics", bucketArn: "arn:aws:s3:::acme-metrics", region: "us-west-2", kmsKeyArn: KEY_ARN });
    expect(synthStack(stack).resource).toBeUndefined();
  });

  describe("bad input", () => {
    test("an invalid S3 bucket name", () => {
      expectConfigError(
        () => synthBucket({ bucketName: "Thanos_Blocks" }),
        `test/thanos-bucket: 'bucketName' must be a valid S3 bucket name: 3 to 63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit, not an IP address, no '..' and no reserved prefix or suffix, got "Thanos_Blocks"`,
      );
      for (const name of ["ab", "a..b", "192.168.1.10", "xn--thanos", "thanos-s3alias", `${"a".repeat(64)}`, "-thanos"]) {
        expect(() => synthBucket({ bucketName: name })).toThrow(`'bucketName' must be a valid S3 bucket name`);
      }
    });

    test("existing-bucket mode without a name", () => {
      expectConfigError(
        () => ThanosBucket.fromExisting(awsStack(), "thanos-bucket", { bucketName: "", region: "us-west-2" }),
        `test/thanos-bucket: 'bucketName' must name the existing bucket (existing-bucket mode creates nothing, so it needs the name), got ""`,
      );
    });

    test("a KMS key from another region than the bucket", () => {
      const other = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
      expectConfigError(
        () => synthBucket({ kmsKeyArn: other }),
        `test/thanos-bucket: 'kmsKeyArn' must be a key in the bucket's region us-west-2 (S3 encrypts only with keys of its own region), not in eu-west-1, got "${other}"`,
      );
      expectConfigError(
        () => ThanosBucket.fromExisting(awsStack(), "thanos-bucket", { bucketName: "acme-metrics", region: "us-west-2", kmsKeyArn: other }),
        `test/thanos-bucket: 'kmsKeyArn' must be a key in the bucket's region us-west-2 (S3 encrypts only with keys of its own region), not in eu-west-1, got "${other}"`,
      );
      expectConfigError(
        () => synthBucket({ kmsKeyArn: "1234abcd-12ab-34cd-56ef-1234567890ab" }),
        `test/thanos-bucket: 'kmsKeyArn' must be a KMS key or alias ARN (arn:aws:kms:<region>:<account>:key/<id>), got "1234abcd-12ab-34cd-56ef-1234567890ab"`,
      );
    });

    test("a lifecycle expiration at or below the compactor's longest retention", () => {
      expectConfigError(
        () => synthBucket({ expireObjectsAfterDays: 365 }),
        "test/thanos-bucket: 'expireObjectsAfterDays' must be longer than the compactor's longest retention (365 days), or the bucket would delete blocks the compactor still keeps, got 365",
      );
      expectConfigError(
        () => synthBucket({ expireObjectsAfterDays: 90, retention: { raw: "30d", fiveMinutes: "60d", oneHour: "0d" } }),
        "test/thanos-bucket: 'expireObjectsAfterDays' must be longer than the compactor's longest retention (forever (a retention of 0d)), or the bucket would delete blocks the compactor still keeps, got 90",
      );
      // Without downsampling only raw data is kept: 40 days is longer than 30.
      expect(() => synthBucket({ expireObjectsAfterDays: 40, downsampling: false })).not.toThrow();
    });

    test("noncurrent expiry without versioning", () => {
      expectConfigError(() => synthBucket({ noncurrentVersionExpirationDays: 3 }), "test/thanos-bucket: 'noncurrentVersionExpirationDays' only applies with versioning: true, got 3");
    });
  });
});

describe("ThanosBucketAccess", () => {
  const stack = awsStack();
  const bucket = new ThanosBucket(stack, "thanos-bucket", { region: "us-west-2" });
  new ThanosBucketAccess(stack, "thanos-access", { cluster: fakeCluster(), bucket });
  const doc = synthStack(stack);
  const bucketRef = expect.stringMatching(/^\$\{aws_s3_bucket\.thanos-bucket_[0-9A-F]{8}\.arn\}$/);
  const objectsRef = expect.stringMatching(/^\$\{aws_s3_bucket\.thanos-bucket_[0-9A-F]{8}\.arn\}\/\*$/);
  const keyRef = expect.stringMatching(/^\$\{aws_kms_key\.thanos-bucket_key_[0-9A-F]{8}\.arn\}$/);

  test.each([
    ["sidecar", ["s3:ListBucket"], ["s3:GetObject", "s3:PutObject"], ["kms:Decrypt", "kms:GenerateDataKey"]],
    ["storeGateway", ["s3:ListBucket"], ["s3:GetObject"], ["kms:Decrypt"]],
    ["compactor", ["s3:ListBucket"], ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], ["kms:Decrypt", "kms:GenerateDataKey"]],
  ])("%s: only its actions, on this bucket, its objects and its key", (component, bucketActions, objectActions, kmsActions) => {
    expect(statements(doc, `thanos-access/${component}-policy`)).toEqual([
      { sid: "Bucket", effect: "Allow", actions: bucketActions, resources: [bucketRef] },
      { sid: "Objects", effect: "Allow", actions: objectActions, resources: [objectsRef] },
      { sid: "Key", effect: "Allow", actions: kmsActions, resources: [keyRef] },
    ]);
  });

  test("the store gateway never writes or deletes, the sidecar never deletes", () => {
    expect(THANOS_BUCKET_PERMISSIONS.storeGateway.objects).not.toContain("s3:PutObject");
    expect(THANOS_BUCKET_PERMISSIONS.sidecar.objects).not.toContain("s3:DeleteObject");
  });

  test.each([
    ["sidecar", "system:serviceaccount:monitoring:kube-prometheus-stack-prometheus"],
    ["storeGateway", "system:serviceaccount:monitoring:thanos-store"],
    ["compactor", "system:serviceaccount:monitoring:thanos-compact"],
  ])("%s trusts exactly %s", (component, subject) => {
    // The issuer without its scheme, as IAM names the OIDC condition keys.
    const issuer = '${replace("https://oidc.eks.us-west-2.amazonaws.com/id/ABC", "https://", "")}';
    const [trust] = statements(doc, `thanos-access/${component}/trust`);
    expect(trust.actions).toEqual(["sts:AssumeRoleWithWebIdentity"]);
    expect(trust.condition).toEqual([
      { test: "StringEquals", variable: `${issuer}:sub`, values: [subject] },
      { test: "StringEquals", variable: `${issuer}:aud`, values: ["sts.amazonaws.com"] },
    ]);
  });

  test("no wildcard resource and no access key anywhere", () => {
    const json = JSON.stringify(doc);
    const granted = Object.keys(doc.data!.aws_iam_policy_document)
      .filter((id) => id.includes("-policy_"))
      .flatMap((id) => (doc.data!.aws_iam_policy_document[id].statement as PolicyStatement[]).flatMap((s) => s.resources));
    expect(granted.length).toBe(9);
    expect(granted.filter((r) => r === "*" || r.endsWith(":*"))).toEqual([]);
    expect(resourcesOf(doc, "aws_iam_access_key")).toEqual({});
    expect(json).not.toMatch(/access_key|secret_key|AKIA/);
  });

  test("service account names come from one place, for both stacks", () => {
    expect(thanosServiceAccounts({ namespace: "observability", monitoringReleaseName: "prom" })).toEqual({
      sidecar: { namespace: "observability", name: "prom-kube-prometheus-stack-prometheus" },
      storeGateway: { namespace: "observability", name: "thanos-store" },
      compactor: { namespace: "observability", name: "thanos-compact" },
    });
  });
});
