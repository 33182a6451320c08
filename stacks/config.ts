import { existsSync, readFileSync, statSync } from "fs";
import { extname } from "path";
import { parseDocument } from "yaml";
import { GpuAmiType } from "../lib/cluster/gpu-node-group";
import { NatGatewayMode, validateNetwork } from "../lib/cluster/eks-network";
import { checkClusterName, checkKubernetesVersion } from "../lib/cluster/cluster-validation";
import { AWS_REGIONS } from "../lib/core/aws-regions";
import { checkDerivedName, launchTemplateNamePrefix } from "../lib/core/aws-name-limits";
import { checkAwsTags } from "../lib/core/aws-tags";
import { PlatformConfigError } from "../lib/core/errors";
import { checkUnique } from "../lib/core/validate";
import { DEFAULT_KUBERNETES_VERSION } from "../lib/versions";
import { checkKmsKeyArn, checkS3BucketName } from "../lib/storage/thanos-bucket";
import { DEFAULT_THANOS_RETENTION, resolveThanosRetention } from "../lib/storage/thanos-retention";
import { InferenceEgress } from "../lib/workload/egress";
import { parseEnvValue, resolveEnv } from "../lib/workload/env-value";
import { AlertingConfig, parseSecretReference } from "./alerting-config";
import { checkShape, EGRESS_SHAPE, isObject, Json, JsonObject, Shape } from "./config-shape";
import { StateBackendConfig, resolveStateBackend } from "./state-backend";
import { checkedEgress, resolveServices, ServiceConfig, SERVICES_SHAPE } from "./service-config";

export type { ServiceConfig } from "./service-config";

/** Configuration of the default app: every field has a default, so it synthesizes with no input. */
export interface PlatformConfig {
  readonly region: string;
  readonly cluster: NewClusterConfig | ExistingClusterConfig;
  readonly gpuPools: readonly GpuPoolConfig[];
  readonly systemPool: SystemPoolConfig;
  /** Tags on every AWS resource (provider default_tags). */
  readonly tags: Readonly<Record<string, string>>;
  readonly devicePlugin: { readonly timeSlicingReplicas?: number };
  /**
   * The single default inference service, used when `services` is not set.
   */
  readonly inference: InferenceConfig;
  /**
   * The app's model servers, each with its image, pool, metric contract, autoscaling, SLOs and
   * domain metrics; replaces the single default service of `inference`.
   * @default - undefined: one service, `inference-server`, from `inference`
   */
  readonly services?: readonly ServiceConfig[];
  /** Notification channels. @default - none: alerts visible in Alertmanager and Grafana only */
  readonly alerting: AlertingConfig;
  /** Cluster Autoscaler on every node group. */
  readonly nodeAutoscaling: NodeAutoscalingConfig;
  /** Long-term metrics in S3 through Thanos. @default - on, with a new bucket; undefined when `thanos.enabled: false` */
  readonly thanos?: ThanosConfig;
  /** Where Terraform keeps state (it holds secrets). @default { backend: "local" } */
  readonly state?: StateBackendConfig;
}

export interface NodeAutoscalingConfig {
  /** Install Cluster Autoscaler and let it size the system and GPU pools. @default true */
  readonly enabled: boolean;
  /**
   * Kubernetes minor of an existing cluster, which picks the Cluster Autoscaler release
   * (a new cluster's own version is used). @default - the default minor, with a synth warning
   */
  readonly kubernetesVersion?: string;
}

export interface ThanosConfig {
  readonly bucket: NewThanosBucketConfig | ExistingThanosBucketConfig;
  /** Compactor retention per resolution ("0d" keeps forever). */
  readonly retention: { readonly raw: string; readonly fiveMinutes: string; readonly oneHour: string };
  readonly downsampling: boolean;
  /** Prometheus' local retention once blocks are shipped. */
  readonly prometheusRetention: string;
}

export interface NewThanosBucketConfig {
  readonly mode: "new";
  /** @default - a generated name starting with "thanos-" */
  readonly name?: string;
  /** @default - a new customer-managed key with rotation */
  readonly kmsKeyArn?: string;
  readonly forceDestroy: boolean;
  readonly versioning: boolean;
  /** Bucket receiving server access logs. @default - no access logging */
  readonly accessLogBucket?: string;
  /** Safety-net expiration, longer than the longest retention. @default - none */
  readonly expireObjectsAfterDays?: number;
}

export interface ExistingThanosBucketConfig {
  readonly mode: "existing";
  readonly name: string;
  /** @default - the bucket's default encryption */
  readonly kmsKeyArn?: string;
}

export interface InferenceConfig {
  /** Model server image exposing the default metric contract. */
  readonly image: string;
  /** GPU pool it runs on. @default - the first GPU pool */
  readonly gpuPool?: string;
  /**
   * A second GPU pool the service may also run on when its own is full (the primary stays
   * preferred); capacity checks count both. "none" keeps the service on one pool.
   * @default - the first other GPU pool when there are several (the default pools: the HPA's 10
   * replicas need the 6 on-demand and the 8 spot GPUs); none with a single pool
   */
  readonly overflowPool?: string;
  /** Most replicas the HPA may run; must fit the pools' GPUs. @default 10 */
  readonly maxReplicas?: number;
  /**
   * Environment of the model server: text, or a secret by reference, `kubernetes:<secret>/<key>`
   * (a Secret you create in the inference namespace) or `aws-secretsmanager:<id>[#<json key>]`
   * (copied at apply). Text under a name like `*_TOKEN`, `*_KEY`, `*PASSWORD*` or `*SECRET*` is refused.
   * @default - HOME=/tmp only
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Where the model server may connect (DNS always). @default - HTTPS to the internet only */
  readonly egress?: InferenceEgress;
}

/**
 * Stand-in image of the default app, so the plan synthesizes and can be reviewed before you
 * have a model server; synth warns while it is in use. Set `inference.image` to your server.
 */
export const PLACEHOLDER_INFERENCE_IMAGE = "registry.example.com/inference-server:set-inference-image";

export interface NewClusterConfig {
  readonly mode: "new";
  readonly name: string;
  readonly kubernetesVersion: string;
  readonly endpointPublicAccess: boolean;
  /** CIDRs allowed to reach the public endpoint. @default - the deployer's egress address, looked up at plan time */
  readonly endpointPublicAccessCidrs?: readonly string[];
  /** Allows 0.0.0.0/0 in endpointPublicAccessCidrs. @default false */
  readonly allowEndpointFromAnywhere?: boolean;
  readonly adminPrincipalArns: readonly string[];
  readonly logRetentionDays: number;
  readonly network: NetworkConfig;
}

export interface ExistingClusterConfig {
  readonly mode: "existing";
  readonly name: string;
  /** Subnets for the node groups this app adds. @default - the cluster's own subnets */
  readonly nodeSubnetIds?: readonly string[];
  /**
   * What enforces NetworkPolicies on the cluster: its VPC CNI add-on with `enableNetworkPolicy`
   * (the plan reads the add-on back and stops if it is not), another policy engine, or nothing
   * (then synth fails: the platform's policies would block nothing).
   * @default - unknown: synth warns and says how to declare it
   */
  readonly networkPolicyEnforcement?: NetworkPolicyEnforcementSetting;
}

export const NETWORK_POLICY_ENFORCEMENT_SETTINGS = ["vpc-cni", "engine", "none"] as const;
export type NetworkPolicyEnforcementSetting = (typeof NETWORK_POLICY_ENFORCEMENT_SETTINGS)[number];

export interface NetworkConfig {
  readonly vpcCidr: string;
  readonly privateSubnetCidrs: readonly string[];
  readonly publicSubnetCidrs: readonly string[];
  readonly serviceCidr: string;
  readonly natGateways: NatGatewayMode;
}

export interface GpuPoolConfig {
  readonly name: string;
  readonly instanceTypes: readonly string[];
  readonly capacityType: "ON_DEMAND" | "SPOT";
  readonly amiType: GpuAmiType;
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
  readonly diskSizeGiB: number;
}

export interface SystemPoolConfig {
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
  readonly diskSizeGiB: number;
}

export const DEFAULT_NETWORK: NetworkConfig = {
  vpcCidr: "10.0.0.0/16",
  // /19 per zone: room for VPC-CNI pod IPs on large GPU nodes.
  privateSubnetCidrs: ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"],
  publicSubnetCidrs: ["10.0.96.0/22", "10.0.100.0/22", "10.0.104.0/22"],
  serviceCidr: "172.20.0.0/16",
  natGateways: "single",
};

export const DEFAULT_CONFIG: PlatformConfig = {
  region: "us-west-2",
  cluster: {
    mode: "new",
    name: "gpu-inference",
    kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
    endpointPublicAccess: true,
    // endpointPublicAccessCidrs unset: the deployer's egress address, looked up at plan time; never open by default.
    adminPrincipalArns: [],
    logRetentionDays: 90,
    network: DEFAULT_NETWORK,
  },
  gpuPools: [
    // Steady capacity for the 3 default replicas, one per zone.
    { name: "g5-ondemand", instanceTypes: ["g5.xlarge"], capacityType: "ON_DEMAND", amiType: "AL2023_x86_64_NVIDIA", minSize: 3, maxSize: 6, desiredSize: 3, diskSizeGiB: 200 },
    // Burst capacity: several L4/A10G/L40S shapes so one exhausted spot pool does not block scale-out.
    { name: "g6-spot", instanceTypes: ["g6.xlarge", "g6.2xlarge", "g5.2xlarge", "g6e.xlarge"], capacityType: "SPOT", amiType: "AL2023_x86_64_NVIDIA", minSize: 0, maxSize: 8, desiredSize: 0, diskSizeGiB: 200 },
  ],
  systemPool: { instanceTypes: ["m6i.xlarge"], minSize: 3, maxSize: 6, desiredSize: 3, diskSizeGiB: 100 },
  tags: { "managed-by": "cdktf", project: "gpu-inference-platform" },
  devicePlugin: {},
  // The on-demand pool alone (6 GPUs) cannot hold the HPA's 10 replicas: the spot pool takes the rest.
  inference: { image: PLACEHOLDER_INFERENCE_IMAGE, overflowPool: "g6-spot" },
  alerting: {},
  nodeAutoscaling: { enabled: true },
  thanos: {
    bucket: { mode: "new", forceDestroy: false, versioning: false },
    retention: DEFAULT_THANOS_RETENTION,
    downsampling: true,
    prometheusRetention: "7d",
  },
  state: { backend: "local" },
};

/* ---------- input: a partial config from a file and the environment ---------- */

const GPU_POOL_SHAPE: Shape = {
  name: "string", instanceTypes: "string[]", capacityType: "string", amiType: "string",
  minSize: "number", maxSize: "number", desiredSize: "number", diskSizeGiB: "number",
};

/** Keys a config file may set; anything else is a misspelling and is rejected. */
const INPUT_SHAPE: Shape = {
  region: "string",
  cluster: {
    mode: "string", name: "string", kubernetesVersion: "string", endpointPublicAccess: "boolean",
    endpointPublicAccessCidrs: "string[]", allowEndpointFromAnywhere: "boolean", adminPrincipalArns: "string[]", logRetentionDays: "number", nodeSubnetIds: "string[]",
    networkPolicyEnforcement: "string",
  },
  network: { vpcCidr: "string", privateSubnetCidrs: "string[]", publicSubnetCidrs: "string[]", serviceCidr: "string", natGateways: "string" },
  gpuPools: [GPU_POOL_SHAPE],
  systemPool: { instanceTypes: "string[]", minSize: "number", maxSize: "number", desiredSize: "number", diskSizeGiB: "number" },
  tags: "map",
  devicePlugin: { timeSlicingReplicas: "number" },
  inference: { image: "string", gpuPool: "string", overflowPool: "string", maxReplicas: "number", env: "map", egress: EGRESS_SHAPE },
  services: SERVICES_SHAPE,
  alerting: { slackWebhookUrl: "string", pagerdutyRoutingKey: "string", wecomRobotBridgeUrl: "string" },
  nodeAutoscaling: { enabled: "boolean", kubernetesVersion: "string" },
  thanos: {
    enabled: "boolean",
    bucket: {
      mode: "string", name: "string", kmsKeyArn: "string", forceDestroy: "boolean", versioning: "boolean",
      accessLogBucket: "string", expireObjectsAfterDays: "number",
    },
    retention: { raw: "string", fiveMinutes: "string", oneHour: "string" },
    downsampling: "boolean",
    prometheusRetention: "string",
  },
  state: { backend: "string", bucket: "string", region: "string", keyPrefix: "string", kmsKeyId: "string" },
};

/** Bucket options only a new bucket has. */
const NEW_BUCKET_ONLY = ["forceDestroy", "versioning", "accessLogBucket", "expireObjectsAfterDays"] as const;

/** Options only a new cluster has; setting one in existing-cluster mode is an error. */
const NEW_CLUSTER_ONLY = ["kubernetesVersion", "endpointPublicAccess", "endpointPublicAccessCidrs", "allowEndpointFromAnywhere", "adminPrincipalArns", "logRetentionDays"] as const;

/** Reads a JSON or YAML config file; malformed text is an error naming the file and the position. */
export function readConfigFile(path: string): JsonObject {
  if (!existsSync(path)) {
    throw new PlatformConfigError("config", "GPU_PLATFORM_CONFIG", path, "must name an existing JSON or YAML file");
  }
  if (statSync(path).isDirectory()) {
    throw new PlatformConfigError("config", "GPU_PLATFORM_CONFIG", path, "must name a JSON or YAML file, not a directory");
  }
  // A byte-order mark is how some editors start UTF-8 files; it is not part of the settings.
  const text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  if (text.trim() === "") {
    throw new PlatformConfigError(path, "(file)", "", "must hold an object of settings ({} for none), but the file is empty");
  }
  const parsed = extname(path) === ".json" ? parseJsonFile(path, text) : parseYamlFile(path, text);
  if (!isObject(parsed)) throw new PlatformConfigError(path, "(file)", parsed, "must hold an object of settings");
  const deepest = nestingDepth(parsed);
  if (deepest > MAX_NESTING) {
    const tooDeep = new PlatformConfigError(path, "(file)", undefined, "");
    tooDeep.message = `${path}: nests objects or lists more than ${MAX_NESTING} levels deep; the settings nest only a few levels`;
    throw tooDeep;
  }
  return parsed;
}

/** Far beyond the deepest setting, and far below what exhausts the stack of the checks that walk it. */
const MAX_NESTING = 32;

/** How deep `value` nests, counted without recursion so a hostile file cannot exhaust the stack. */
function nestingDepth(value: Json): number {
  let deepest = 0;
  const pending: Array<[Json, number]> = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, depth] = next;
    if (node === null || typeof node !== "object") continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_NESTING) break;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return deepest;
}

class ConfigSyntaxError extends PlatformConfigError {
  constructor(path: string, line: number, column: number, problem: string) {
    super(`${path}:${line}:${column}`, "(syntax)", undefined, problem);
    this.message = `${path}:${line}:${column}: ${problem}`;
  }
}

function lineAndColumn(text: string, offset: number): [number, number] {
  const before = text.slice(0, offset).split("\n");
  return [before.length, before[before.length - 1].length + 1];
}

function parseJsonFile(path: string, text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : snippetOffset(text, message);
    const [line, column] = offset === undefined ? [1, 1] : lineAndColumn(text, offset);
    // Node quotes the text around the error ('..."key": xoxb-12"... is not valid JSON'): a secret
    // may sit there, so the message keeps only the problem and the position says where.
    const problem = message.replace(/ in JSON at position \d+.*$/, "").replace(/,\s*(?:\.\.\.)?"[\s\S]*"(?:\.\.\.)? is not valid JSON$/, "");
    throw new ConfigSyntaxError(path, line, column, `invalid JSON: ${problem}`);
  }
}

/** Where Node's quoted excerpt of the text sits (it shows 10 characters before the error when it cuts). */
function snippetOffset(text: string, message: string): number | undefined {
  const m = /^Unexpected token '(.)', (\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON$/.exec(message);
  if (!m) return undefined;
  const start = text.indexOf(m[3]);
  if (start < 0) return undefined;
  return start + (m[2] ? 10 : Math.max(0, m[3].indexOf(m[1])));
}

/** YAML 1.2 with merge keys (<<) supported, duplicate keys rejected, and aliases bounded. */
function parseYamlFile(path: string, text: string): Json {
  let doc;
  try {
    doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: false });
  } catch (e) {
    throw new ConfigSyntaxError(path, 1, 1, `cannot be read as YAML: ${(e as Error).message}`);
  }
  const first = doc.errors[0];
  if (first) {
    const [line, column] = lineAndColumn(text, first.pos[0]);
    // The parser recurses per level: a very deep document overflows its stack before any check of ours.
    const problem = first instanceof Error && /call stack/.test(first.message) ? `nests more deeply than can be read (at most ${MAX_NESTING} levels are accepted)` : first.message.split("\n")[0];
    throw new ConfigSyntaxError(path, line, column, `invalid YAML: ${problem}`);
  }
  try {
    // maxAliasCount stops a "billion laughs" document from expanding into gigabytes.
    return doc.toJS({ maxAliasCount: 100 }) as Json;
  } catch (e) {
    throw new ConfigSyntaxError(path, 1, 1, `cannot be read as YAML: ${(e as Error).message}`);
  }
}

/** Environment variables the app reads, each overriding the config file. */
export const CONFIG_ENV = {
  file: "GPU_PLATFORM_CONFIG",
  region: "GPU_PLATFORM_REGION",
  clusterName: "GPU_PLATFORM_CLUSTER_NAME",
  existingCluster: "GPU_PLATFORM_EXISTING_CLUSTER",
  kubernetesVersion: "GPU_PLATFORM_KUBERNETES_VERSION",
  endpointCidrs: "GPU_PLATFORM_ENDPOINT_CIDRS",
  inferenceImage: "GPU_PLATFORM_INFERENCE_IMAGE",
} as const;

function envOverrides(env: Readonly<Record<string, string | undefined>>): JsonObject {
  const cluster: JsonObject = {};
  const out: JsonObject = {};
  if (env[CONFIG_ENV.region]) out.region = env[CONFIG_ENV.region]!;
  if (env[CONFIG_ENV.clusterName]) cluster.name = env[CONFIG_ENV.clusterName]!;
  if (env[CONFIG_ENV.existingCluster]) {
    cluster.mode = "existing";
    cluster.name = env[CONFIG_ENV.existingCluster]!;
  }
  if (env[CONFIG_ENV.kubernetesVersion]) cluster.kubernetesVersion = env[CONFIG_ENV.kubernetesVersion]!;
  if (env[CONFIG_ENV.endpointCidrs]) cluster.endpointPublicAccessCidrs = env[CONFIG_ENV.endpointCidrs]!.split(",").map((s) => s.trim());
  if (Object.keys(cluster).length) out.cluster = cluster;
  if (env[CONFIG_ENV.inferenceImage]) out.inference = { image: env[CONFIG_ENV.inferenceImage]! };
  return out;
}

function merge(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? merge(out[k] as JsonObject, v) : v;
  return out;
}

const oneOf = <T extends string>(source: string, prop: string, value: string, allowed: readonly T[]): T => {
  if (!(allowed as readonly string[]).includes(value)) throw new PlatformConfigError(source, prop, value, `must be one of ${allowed.join(", ")}`);
  return value as T;
};

/**
 * Resolves the app's configuration: defaults, then the file named by GPU_PLATFORM_CONFIG,
 * then environment variables. Everything is validated here or by the constructs at synth.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): PlatformConfig {
  const file = env[CONFIG_ENV.file] ? readConfigFile(env[CONFIG_ENV.file]!) : {};
  const fromEnv = envOverrides(env);
  checkShape(env[CONFIG_ENV.file] ?? "config", "", file, INPUT_SHAPE);
  return resolveConfig(merge(file, fromEnv));
}

/** Applies defaults to a checked partial input and validates the result. */
export function resolveConfig(input: JsonObject): PlatformConfig {
  const src = "config";
  checkShape(src, "", input, INPUT_SHAPE);
  const c = (input.cluster ?? {}) as JsonObject;
  const d = DEFAULT_CONFIG.cluster as NewClusterConfig;
  const mode = oneOf(src, "cluster.mode", (c.mode as string) ?? "new", ["new", "existing"]);
  const region = oneOf(src, "region", (input.region as string) ?? DEFAULT_CONFIG.region, AWS_REGIONS);
  const name = (c.name as string) ?? d.name;
  checkClusterName(src, "cluster.name", name);

  let cluster: NewClusterConfig | ExistingClusterConfig;
  if (mode === "existing") {
    const newOnly = [...NEW_CLUSTER_ONLY.filter((k) => k in c).map((k) => `cluster.${k}`), ...(input.network ? ["network"] : [])];
    if (newOnly.length) {
      throw new PlatformConfigError(src, newOnly[0], input.network && newOnly[0] === "network" ? input.network : c[newOnly[0].slice(8)], `only applies to a new cluster (cluster.mode "new"); an existing cluster keeps its own settings: remove ${newOnly.join(", ")}`);
    }
    const enforcement = c.networkPolicyEnforcement === undefined
      ? undefined
      : oneOf(src, "cluster.networkPolicyEnforcement", c.networkPolicyEnforcement as string, NETWORK_POLICY_ENFORCEMENT_SETTINGS);
    cluster = {
      mode,
      name,
      ...(c.nodeSubnetIds && { nodeSubnetIds: checkSubnetIds(src, c.nodeSubnetIds as string[]) }),
      ...(enforcement && { networkPolicyEnforcement: enforcement }),
    };
  } else {
    if (c.nodeSubnetIds) {
      throw new PlatformConfigError(src, "cluster.nodeSubnetIds", c.nodeSubnetIds, 'only applies to an existing cluster (cluster.mode "existing"); a new cluster places nodes in its private subnets');
    }
    if (c.networkPolicyEnforcement !== undefined) {
      throw new PlatformConfigError(src, "cluster.networkPolicyEnforcement", c.networkPolicyEnforcement, 'only applies to an existing cluster (cluster.mode "existing"); a new cluster has its VPC CNI add-on enforce NetworkPolicies');
    }
    const n = (input.network ?? {}) as JsonObject;
    const network: NetworkConfig = {
      vpcCidr: (n.vpcCidr as string) ?? DEFAULT_NETWORK.vpcCidr,
      privateSubnetCidrs: (n.privateSubnetCidrs as string[]) ?? DEFAULT_NETWORK.privateSubnetCidrs,
      publicSubnetCidrs: (n.publicSubnetCidrs as string[]) ?? DEFAULT_NETWORK.publicSubnetCidrs,
      serviceCidr: (n.serviceCidr as string) ?? DEFAULT_NETWORK.serviceCidr,
      natGateways: oneOf(src, "network.natGateways", (n.natGateways as string) ?? DEFAULT_NETWORK.natGateways, ["single", "perZone"]),
    };
    validateNetwork("config.network", { clusterName: name, ...network });
    if (c.endpointPublicAccess === false && c.endpointPublicAccessCidrs !== undefined) {
      throw new PlatformConfigError(src, "cluster.endpointPublicAccessCidrs", c.endpointPublicAccessCidrs, "only applies when cluster.endpointPublicAccess is true");
    }
    const kubernetesVersion = (c.kubernetesVersion as string) ?? d.kubernetesVersion;
    checkKubernetesVersion(src, "cluster.kubernetesVersion", kubernetesVersion);
    cluster = {
      mode,
      name,
      kubernetesVersion,
      endpointPublicAccess: (c.endpointPublicAccess as boolean) ?? d.endpointPublicAccess,
      ...(c.endpointPublicAccessCidrs !== undefined && { endpointPublicAccessCidrs: c.endpointPublicAccessCidrs as string[] }),
      ...(c.allowEndpointFromAnywhere === true && { allowEndpointFromAnywhere: true }),
      adminPrincipalArns: (c.adminPrincipalArns as string[]) ?? d.adminPrincipalArns,
      logRetentionDays: (c.logRetentionDays as number) ?? d.logRetentionDays,
      network,
    };
  }

  const pools = input.gpuPools === undefined
    ? DEFAULT_CONFIG.gpuPools
    : (input.gpuPools as JsonObject[]).map((p, i): GpuPoolConfig => {
        if (typeof p.name !== "string" || !Array.isArray(p.instanceTypes)) {
          throw new PlatformConfigError(src, `gpuPools[${i}]`, p, "must set at least name and instanceTypes");
        }
        const minSize = (p.minSize as number) ?? 0;
        return {
          name: p.name,
          instanceTypes: p.instanceTypes as string[],
          capacityType: oneOf(src, `gpuPools[${i}].capacityType`, (p.capacityType as string) ?? "ON_DEMAND", ["ON_DEMAND", "SPOT"]),
          amiType: oneOf(src, `gpuPools[${i}].amiType`, (p.amiType as string) ?? "AL2023_x86_64_NVIDIA", ["AL2023_x86_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA"]),
          minSize,
          maxSize: (p.maxSize as number) ?? Math.max(4, minSize),
          desiredSize: (p.desiredSize as number) ?? minSize,
          diskSizeGiB: (p.diskSizeGiB as number) ?? 200,
        };
      });
  if (pools.length === 0) throw new PlatformConfigError(src, "gpuPools", [], "must list at least one GPU pool");
  checkUnique(src, "gpuPools[].name", pools.map((p) => p.name));
  // Every node group's launch template is named after the cluster: the longest pool decides.
  const longestGroup = ["system", ...pools.map((p) => p.name)].reduce((a, b) => (b.length > a.length ? b : a));
  checkDerivedName(src, "cluster.name", name, "launchTemplateNamePrefix", launchTemplateNamePrefix(name, longestGroup));

  return {
    region,
    cluster,
    gpuPools: pools,
    systemPool: { ...DEFAULT_CONFIG.systemPool, ...((input.systemPool ?? {}) as Partial<SystemPoolConfig>) },
    tags: checkedTags(src, { ...DEFAULT_CONFIG.tags, ...((input.tags ?? {}) as Record<string, string>) }),
    devicePlugin: (input.devicePlugin ?? {}) as { timeSlicingReplicas?: number },
    inference: resolveInference(src, (input.inference ?? {}) as JsonObject, pools),
    ...(input.services !== undefined && { services: servicesInsteadOfInference(src, input, pools) }),
    alerting: resolveAlerting((input.alerting ?? {}) as AlertingConfig),
    nodeAutoscaling: resolveNodeAutoscaling(src, (input.nodeAutoscaling ?? {}) as JsonObject, cluster),
    ...resolveThanos(src, region, (input.thanos ?? {}) as JsonObject),
    state: resolveStateBackend(src, input.state as JsonObject | undefined),
  };
}

function resolveThanos(src: string, region: string, input: JsonObject): { thanos?: ThanosConfig } {
  if (input.enabled === false) {
    const other = Object.keys(input).filter((k) => k !== "enabled");
    if (other.length) throw new PlatformConfigError(src, `thanos.${other[0]}`, input[other[0]], "only applies with thanos.enabled true; remove it or turn Thanos on");
    return {};
  }
  const d = DEFAULT_CONFIG.thanos!;
  const b = (input.bucket ?? {}) as JsonObject;
  const mode = oneOf(src, "thanos.bucket.mode", (b.mode as string) ?? "new", ["new", "existing"]);
  const name = b.name as string | undefined;
  const kmsKeyArn = b.kmsKeyArn as string | undefined;
  if (name !== undefined) checkS3BucketName(src, "thanos.bucket.name", name);
  if (kmsKeyArn !== undefined) checkKmsKeyArn(src, "thanos.bucket.kmsKeyArn", kmsKeyArn, region);
  let bucket: ThanosConfig["bucket"];
  if (mode === "existing") {
    if (name === undefined) {
      throw new PlatformConfigError(src, "thanos.bucket.name", name, 'must name the bucket when thanos.bucket.mode is "existing" (nothing is created, so the name is required)');
    }
    const newOnly = NEW_BUCKET_ONLY.filter((k) => k in b);
    if (newOnly.length) {
      throw new PlatformConfigError(src, `thanos.bucket.${newOnly[0]}`, b[newOnly[0]], `only applies to a new bucket (thanos.bucket.mode "new"); an existing bucket keeps its own settings: remove ${newOnly.map((k) => `thanos.bucket.${k}`).join(", ")}`);
    }
    bucket = { mode, name, ...(kmsKeyArn !== undefined && { kmsKeyArn }) };
  } else {
    if (b.accessLogBucket !== undefined) checkS3BucketName(src, "thanos.bucket.accessLogBucket", b.accessLogBucket as string);
    bucket = {
      mode,
      ...(name !== undefined && { name }),
      ...(kmsKeyArn !== undefined && { kmsKeyArn }),
      forceDestroy: (b.forceDestroy as boolean) ?? false,
      versioning: (b.versioning as boolean) ?? false,
      ...(b.accessLogBucket !== undefined && { accessLogBucket: b.accessLogBucket as string }),
      ...(b.expireObjectsAfterDays !== undefined && { expireObjectsAfterDays: b.expireObjectsAfterDays as number }),
    };
  }
  const downsampling = (input.downsampling as boolean) ?? d.downsampling;
  const r = resolveThanosRetention(src, (input.retention ?? {}) as ThanosConfig["retention"], downsampling, "thanos.");
  return {
    thanos: {
      bucket,
      retention: { raw: r.raw, fiveMinutes: r.fiveMinutes, oneHour: r.oneHour },
      downsampling,
      prometheusRetention: (input.prometheusRetention as string) ?? d.prometheusRetention,
    },
  };
}

function resolveNodeAutoscaling(src: string, input: JsonObject, cluster: NewClusterConfig | ExistingClusterConfig): NodeAutoscalingConfig {
  const enabled = (input.enabled as boolean | undefined) ?? DEFAULT_CONFIG.nodeAutoscaling.enabled;
  const version = input.kubernetesVersion as string | undefined;
  if (version === undefined) return { enabled };
  if (cluster.mode === "new") {
    throw new PlatformConfigError(src, "nodeAutoscaling.kubernetesVersion", version, "only applies to an existing cluster (cluster.mode \"existing\"); a new cluster's Cluster Autoscaler follows cluster.kubernetesVersion");
  }
  if (!enabled) {
    throw new PlatformConfigError(src, "nodeAutoscaling.kubernetesVersion", version, "only applies when nodeAutoscaling.enabled is true");
  }
  checkKubernetesVersion(src, "nodeAutoscaling.kubernetesVersion", version);
  return { enabled, kubernetesVersion: version };
}

function resolveAlerting(alerting: AlertingConfig): AlertingConfig {
  for (const [key, ref] of Object.entries(alerting)) parseSecretReference(`alerting.${key}`, ref as string);
  return alerting;
}

/**
 * `services:` replaces the single default service. Setting `inference:` beside it would be
 * ignored, so it is an error that says where its settings go.
 */
function servicesInsteadOfInference(src: string, input: JsonObject, pools: readonly GpuPoolConfig[]): ServiceConfig[] {
  if (input.inference !== undefined) {
    throw new PlatformConfigError(
      src,
      "inference",
      input.inference,
      `describes the single default service and cannot be combined with services: list that service under services (name, image, gpuPool, overflowPool, autoscaling.maxReplicas) and remove inference (and ${CONFIG_ENV.inferenceImage}, which sets inference.image)`,
    );
  }
  return resolveServices(src, input.services as JsonObject[], pools.map((p) => p.name));
}

/** Checks `inference.env` here, so an error names the file's setting rather than the construct. */
function checkEnv(src: string, env: Record<string, string>): Record<string, string> {
  resolveEnv(src, "inference.env", Object.fromEntries(Object.entries(env).map(([k, v]) => [k, parseEnvValue(v)])));
  return env;
}

function checkedTags(src: string, tags: Record<string, string>): Record<string, string> {
  checkAwsTags(src, "tags", tags);
  return tags;
}

const SUBNET_ID = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

function checkSubnetIds(src: string, ids: string[]): string[] {
  if (ids.length === 0) throw new PlatformConfigError(src, "cluster.nodeSubnetIds", ids, "must list at least one subnet id, or be left out to use the cluster's subnets");
  ids.forEach((id, i) => {
    if (!SUBNET_ID.test(id)) throw new PlatformConfigError(src, `cluster.nodeSubnetIds[${i}]`, id, "must be a subnet id such as subnet-0123456789abcdef0");
  });
  return ids;
}

/** `inference.overflowPool` value that keeps the default service on one pool. */
export const NO_OVERFLOW_POOL = "none";

function resolveInference(src: string, input: JsonObject, pools: readonly GpuPoolConfig[]): InferenceConfig {
  const names = pools.map((p) => p.name);
  const gpuPool = input.gpuPool as string | undefined;
  if (gpuPool !== undefined && !names.includes(gpuPool)) {
    throw new PlatformConfigError(src, "inference.gpuPool", gpuPool, `must name one of the GPU pools (${names.join(", ")})`);
  }
  const primary = gpuPool ?? names[0];
  // The HPA's default maximum (10) is sized for two pools, as the default ones are.
  const wanted = (input.overflowPool as string | undefined) ?? names.find((n) => n !== primary);
  const overflowPool = wanted === NO_OVERFLOW_POOL ? undefined : wanted;
  if (overflowPool !== undefined && !names.includes(overflowPool)) {
    throw new PlatformConfigError(src, "inference.overflowPool", overflowPool, `must name one of the GPU pools (${names.join(", ")}) or be "${NO_OVERFLOW_POOL}"`);
  }
  if (overflowPool === primary) {
    throw new PlatformConfigError(src, "inference.overflowPool", overflowPool, `must differ from the pool the service runs on (${primary})`);
  }
  const maxReplicas = input.maxReplicas as number | undefined;
  return {
    image: (input.image as string) ?? PLACEHOLDER_INFERENCE_IMAGE,
    ...(gpuPool && { gpuPool }),
    ...(overflowPool && { overflowPool }),
    ...(maxReplicas !== undefined && { maxReplicas }),
    ...(input.env !== undefined && { env: checkEnv(src, input.env as Record<string, string>) }),
    ...(input.egress !== undefined && { egress: checkedEgress(src, "inference.egress", input.egress as JsonObject) }),
  };
}
