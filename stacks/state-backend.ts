import { LocalBackend, S3Backend, TerraformStack } from "cdktf";
import { AWS_REGIONS } from "../lib/core/aws-regions";
import { PlatformConfigError } from "../lib/core/errors";

/**
 * Where Terraform keeps the state of both stacks. State holds the Grafana admin password and
 * every secret copied from Secrets Manager, so it is never committed (.gitignore) and, for a
 * team, lives in S3 encrypted at rest with S3's native lock file (Terraform >= 1.10).
 */
export type StateBackendConfig = LocalStateConfig | S3StateConfig;

/** State files at the project root: for trying the platform out alone. */
export interface LocalStateConfig {
  readonly backend: "local";
}

/** State in an S3 bucket you own (versioning on is recommended), encrypted, with a lock file. */
export interface S3StateConfig {
  readonly backend: "s3";
  readonly bucket: string;
  /** @default - the platform's region */
  readonly region?: string;
  /** Objects are `<keyPrefix>/<stack>.tfstate`. @default "gpu-inference-platform" */
  readonly keyPrefix?: string;
  /** KMS key (ARN, alias/<name> or key id) for SSE-KMS. @default - SSE-S3 (AES-256) */
  readonly kmsKeyId?: string;
}

export const DEFAULT_STATE_KEY_PREFIX = "gpu-inference-platform";

const BUCKET = /^(?!xn--)(?!.*\.\.)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KEY_PREFIX = /^[A-Za-z0-9!_.*'()-]+(?:\/[A-Za-z0-9!_.*'()-]+)*$/;
const KMS_KEY = /^(?:arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key|alias)\/[A-Za-z0-9/_-]+|alias\/[A-Za-z0-9/_-]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

/** Checks the `state` setting of the configuration; `src` names where it came from. */
export function resolveStateBackend(src: string, input: Readonly<Record<string, unknown>> | undefined): StateBackendConfig {
  const kind = input?.backend ?? "local";
  if (kind === "local") {
    const extra = Object.keys(input ?? {}).filter((k) => k !== "backend");
    if (extra.length > 0) throw new PlatformConfigError(src, `state.${extra[0]}`, input?.[extra[0]], 'only applies to state.backend "s3"');
    return { backend: "local" };
  }
  if (kind !== "s3") throw new PlatformConfigError(src, "state.backend", kind, 'must be "local" (state files at the project root, for a try-out) or "s3" (a bucket you own, for a team)');
  const bucket = input?.bucket;
  if (typeof bucket !== "string" || !BUCKET.test(bucket)) {
    throw new PlatformConfigError(src, "state.bucket", bucket, "must name an existing S3 bucket (3-63 lower-case letters, digits, '.' and '-') when state.backend is \"s3\"");
  }
  const region = input?.region as string | undefined;
  if (region !== undefined && !(AWS_REGIONS as readonly string[]).includes(region)) throw new PlatformConfigError(src, "state.region", region, `must be an AWS region (${AWS_REGIONS.join(", ")})`);
  const keyPrefix = input?.keyPrefix as string | undefined;
  if (keyPrefix !== undefined && (!KEY_PREFIX.test(keyPrefix) || keyPrefix.length > 900)) {
    throw new PlatformConfigError(src, "state.keyPrefix", keyPrefix, "must be an S3 key prefix such as teams/ml/gpu-platform (letters, digits, !_.*'()- and '/', no leading or trailing '/')");
  }
  const kmsKeyId = input?.kmsKeyId as string | undefined;
  if (kmsKeyId !== undefined && !KMS_KEY.test(kmsKeyId)) {
    throw new PlatformConfigError(src, "state.kmsKeyId", kmsKeyId, "must be a KMS key ARN, alias/<name>, or key id");
  }
  return { backend: "s3", bucket, ...(region && { region }), ...(keyPrefix && { keyPrefix }), ...(kmsKeyId && { kmsKeyId }) };
}

/** Gives a stack its backend; `region` is the platform's, the default for the bucket's. */
export function useStateBackend(stack: TerraformStack, stackName: string, config: StateBackendConfig, region: string): void {
  if (config.backend === "local") {
    useLocalState(stack, stackName);
    return;
  }
  const backend = new S3Backend(stack, {
    bucket: config.bucket,
    key: `${config.keyPrefix ?? DEFAULT_STATE_KEY_PREFIX}/${stackName}.tfstate`,
    region: config.region ?? region,
    encrypt: true,
    ...(config.kmsKeyId && { kmsKeyId: config.kmsKeyId }),
  });
  // S3's native lock file (Terraform >= 1.10) instead of a DynamoDB table; cdktf 0.21 has no prop for it.
  backend.addOverride("use_lockfile", true);
}

/**
 * Local state at the project root, named relative to the directory Terraform runs in
 * (cdktf.out/stacks/<stack>), so the synthesized plan holds no path of the machine that made it
 * and the platform stack's remote-state lookup of the cluster stack finds the same file.
 */
export function useLocalState(stack: TerraformStack, stackName: string): void {
  new LocalBackend(stack, { path: `../../../terraform.${stackName}.tfstate` });
}
