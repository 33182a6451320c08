import { resolveConfig } from "../../stacks/config";
import { synthDefaultApp } from "../support/synth";
import { describeWithTerraform, expectGatePassed, terraformGate } from "../support/terraform-gate";

// Each test synthesizes the default app (and may run Terraform): seconds on a loaded machine.
jest.setTimeout(60_000);

const S3 = { backend: "s3", bucket: "acme-terraform-state", keyPrefix: "ml/gpu-platform", kmsKeyId: "alias/terraform-state" };

describe("state backend", () => {
  test("default: local state files at the project root", () => {
    const { cluster } = synthDefaultApp(resolveConfig({}));
    expect(cluster.terraform?.backend).toEqual({ local: { path: "../../../terraform.cluster.tfstate" } });
  });

  test("s3: encrypted, with S3's lock file, one object per stack; the platform reads the cluster's state from it", () => {
    const { cluster, platform } = synthDefaultApp(resolveConfig({ region: "eu-west-1", state: S3 }));
    expect(cluster.terraform?.backend).toEqual({
      s3: { bucket: "acme-terraform-state", key: "ml/gpu-platform/cluster.tfstate", region: "eu-west-1", encrypt: true, kms_key_id: "alias/terraform-state", use_lockfile: true },
    });
    expect((platform.terraform?.backend as { s3: { key: string } }).s3.key).toBe("ml/gpu-platform/platform.tfstate");
    const remote = Object.values((platform.data as Record<string, Record<string, { backend: string; config: Record<string, unknown> }>>).terraform_remote_state);
    expect(remote).toEqual([expect.objectContaining({ backend: "s3", config: expect.objectContaining({ bucket: "acme-terraform-state", key: "ml/gpu-platform/cluster.tfstate" }) })]);
  });

  test("s3: the bucket's region may differ from the platform's", () => {
    const { cluster } = synthDefaultApp(resolveConfig({ region: "eu-west-1", state: { backend: "s3", bucket: "acme-state", region: "us-east-1" } }));
    expect(cluster.terraform?.backend).toEqual({ s3: { bucket: "acme-state", key: "gpu-inference-platform/cluster.tfstate", region: "us-east-1", encrypt: true, use_lockfile: true } });
  });

  test.each([
    [{ backend: "gcs" }, `config: 'state.backend' must be "local" (state files at the project root, for a try-out) or "s3" (a bucket you own, for a team), got "gcs"`],
    [{ backend: "s3" }, `config: 'state.bucket' must name an existing S3 bucket (3-63 lower-case letters, digits, '.' and '-') when state.backend is "s3", got undefined`],
    [{ backend: "s3", bucket: "Acme_State" }, `'state.bucket' must name an existing S3 bucket (3-63 lower-case letters, digits, '.' and '-') when state.backend is "s3", got "Acme_State"`],
    [{ backend: "s3", bucket: "acme", keyPrefix: "/abs/" }, `'state.keyPrefix' must be an S3 key prefix such as teams/ml/gpu-platform (letters, digits, !_.*'()- and '/', no leading or trailing '/'), got "/abs/"`],
    [{ backend: "s3", bucket: "acme", region: "mars-1" }, "'state.region' must be an AWS region"],
    [{ backend: "s3", bucket: "acme", kmsKeyId: "my key" }, `'state.kmsKeyId' must be a KMS key ARN, alias/<name>, or key id, got "my key"`],
    [{ backend: "local", bucket: "acme" }, `config: 'state.bucket' only applies to state.backend "s3", got "acme"`],
    [{ backend: "s3", bucket: "acme", lock: true }, "config: 'state.lock' is not a known setting"],
  ])("%j is refused", (state, message) => {
    expect(() => resolveConfig({ state } as never)).toThrow(message);
  });
});

describeWithTerraform("Terraform loads the S3 backend configuration", () => {
  test("both stacks", async () => {
    const { cluster, platform } = synthDefaultApp(resolveConfig({ state: S3 }));
    expectGatePassed("cluster", await terraformGate(cluster));
    expectGatePassed("platform", await terraformGate(platform));
  }, 60_000);
});
