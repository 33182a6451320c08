import { DomainMetric } from "../lib/contracts/domain-metrics";
import { DEFAULT_METRIC_CONTRACT, MetricContract } from "../lib/contracts/metric-contract";
import { MetricContracts } from "../lib/contracts/presets";
import { InferenceAlertOptions, ServiceSlos } from "../lib/contracts/service-objectives";
import { validateServiceMonitoring } from "../lib/contracts/service-validation";
import { PlatformConfigError } from "../lib/core/errors";
import { checkDns1035Label, checkUnique } from "../lib/core/validate";
import { EnvValue, parseEnvValue, resolveEnv } from "../lib/workload/env-value";
import type { InferenceAutoscalingOptions, MetricsAuthOptions } from "../lib/workload/inference-service";
import { EGRESS_SHAPE, Either, Json, JsonObject, NamedList, Shape, Tagged } from "./config-shape";
import { InferenceEgress, resolveEgress } from "../lib/workload/egress";

/**
 * `services:` of the configuration file: the model servers of the default app, each with its
 * image, pool, metric contract (a preset and its options), autoscaling, SLOs, alerting options and
 * domain metrics. Every message names the service: `services["phone-detector"].metrics.errorValues`.
 */

/** One model server of the default app, resolved: the options an InferenceService takes. */
export interface ServiceConfig {
  /** Name of the Deployment, Service and HPA, in namespace `inference`. */
  readonly name: string;
  readonly image: string;
  /** @default - the first GPU pool */
  readonly gpuPool?: string;
  /** @default - none: one pool */
  readonly overflowPool?: string;
  readonly gpus?: number;
  readonly containerPort?: number;
  readonly metricsPort?: number | "serving";
  readonly metricsPath?: string;
  readonly metricsAuth?: MetricsAuthOptions;
  readonly args?: readonly string[];
  /**
   * Environment of the server: text, `kubernetes:<secret>/<key>` or
   * `aws-secretsmanager:<id>[#<json key>]`, as `inference.env`. @default - HOME=/tmp only
   */
  readonly env?: Readonly<Record<string, EnvValue>>;
  /** Where the model server may connect (DNS always), as `inference.egress`. @default - HTTPS to the internet only */
  readonly egress?: InferenceEgress;
  readonly replicas?: number;
  readonly autoscaling?: InferenceAutoscalingOptions | false;
  readonly metrics: MetricContract;
  readonly alerting?: InferenceAlertOptions;
  readonly slos?: ServiceSlos;
  readonly domainMetrics?: readonly DomainMetric[];
  readonly team?: string;
}

/** The presets a configuration file can name, each with the options of its `MetricContracts` method. */
const METRICS_SHAPE = new Tagged(
  "preset",
  {
    default: {},
    prometheusClient: {
      requestCounter: "string",
      statusLabel: "string",
      errorValues: "string[]",
      errorCounter: "string",
      latencyHistogram: "string",
      latencyUnit: "string",
      latencyBuckets: "number[]",
      queueDepth: "string",
      modelLoaded: "string",
      stageLabel: "string",
    },
    fastapiInstrumentator: { metricNamespace: "string", metricSubsystem: "string", excludedHandlers: "string[]", inProgressGauge: "string", stageLabel: "string" },
    triton: { model: "string" },
    vllm: { nonInferenceHandlers: "string[]" },
  },
  "default",
);

const ALERTING_SHAPE: Shape = {
  errorRatioPercent: "number",
  errorRatioFor: "string",
  errorRatePerSecond: "number",
  errorRateFor: "string",
  minRequestsPerSecond: "number",
  p90Latency: { seconds: "number", for: "string" },
  slowUnderLoad: { p95Seconds: "number", minQps: "number", for: "string" },
  queueBacklog: { depth: "number", for: "string" },
  cpuPercent: "number",
  maxRestartsPerHour: "number",
  modelNotLoadedFor: "string",
  trafficStopped: new Either(false, { for: "string" }),
};

export const SERVICE_SHAPE: Shape = {
  name: "string",
  image: "string",
  gpuPool: "string",
  overflowPool: "string",
  gpus: "number",
  containerPort: "number",
  metricsPort: "number|string",
  metricsPath: "string",
  metricsAuth: {
    basicAuth: { secretName: "string", usernameKey: "string", passwordKey: "string" },
    bearerToken: { secretName: "string", key: "string" },
  },
  args: "string[]",
  env: "map",
  egress: EGRESS_SHAPE,
  replicas: "number",
  autoscaling: new Either(false, {
    signal: "string",
    targetRequestsPerSecondPerPod: "number",
    targetQueueDepthPerPod: "number",
    targetGpuUtilizationPercent: "number",
    targetGpuMemoryPercent: "number",
    minReplicas: "number",
    maxReplicas: "number",
    scaleUpStabilizationSeconds: "number",
    scaleUpMaxPodsPerMinute: "number",
    scaleDownStabilizationSeconds: "number",
  }),
  metrics: METRICS_SHAPE,
  slos: { availability: "number", latency: { objective: "number", thresholdSeconds: "number" } },
  alerting: ALERTING_SHAPE,
  domainMetrics: new NamedList(
    { metric: "string", kind: "string", title: "string", unit: "string", warning: "number", critical: "number", for: "string", criticalFor: "string" },
    "metric",
  ),
  team: "string",
};

export const SERVICES_SHAPE = new NamedList(SERVICE_SHAPE, "name");

/** Resolves `services:` after its shape was checked; `pools` are the GPU pools' names. */
export function resolveServices(src: string, input: readonly JsonObject[], pools: readonly string[]): ServiceConfig[] {
  if (input.length === 0) {
    throw new PlatformConfigError(src, "services", [], "must list at least one service; leave it out for the single default service (inference:)");
  }
  checkUnique(
    src,
    "services[*].name",
    input.map((s) => s.name as string),
  );
  return input.map((s) => resolveService(src, `services["${s.name as string}"]`, s, pools));
}

function resolveService(src: string, at: string, s: JsonObject, pools: readonly string[]): ServiceConfig {
  checkDns1035Label(src, `${at}.name`, s.name as string);
  if (typeof s.image !== "string" || s.image === "") {
    throw new PlatformConfigError(src, `${at}.image`, s.image, "must name the model server image (repository:tag or @digest)");
  }
  for (const key of ["gpuPool", "overflowPool"] as const) {
    const pool = s[key] as string | undefined;
    if (pool !== undefined && !pools.includes(pool)) {
      throw new PlatformConfigError(src, `${at}.${key}`, pool, `must name one of the GPU pools (${pools.join(", ")})`);
    }
  }
  const port = s.metricsPort as number | string | undefined;
  if (typeof port === "string" && port !== "serving") {
    throw new PlatformConfigError(src, `${at}.metricsPort`, port, 'must be a port number or "serving" (when /metrics is on the serving port)');
  }
  const metrics = metricContract(src, `${at}.metrics`, (s.metrics ?? {}) as JsonObject);
  const service: ServiceConfig = {
    name: s.name as string,
    image: s.image,
    metrics,
    ...pick(s, ["gpuPool", "overflowPool", "gpus", "containerPort", "metricsPath", "args", "replicas", "team"]),
    // Checked here (secret-like names, reference forms), so an error names the file's setting.
    ...(s.env !== undefined && { env: resolveEnv(src, `${at}.env`, mapValues(s.env as Record<string, string>, parseEnvValue)) }),
    ...(s.egress !== undefined && { egress: checkedEgress(src, `${at}.egress`, s.egress as JsonObject) }),
    ...(s.metricsAuth !== undefined && { metricsAuth: s.metricsAuth as unknown as MetricsAuthOptions }),
    ...(port !== undefined && { metricsPort: port as number | "serving" }),
    ...(s.autoscaling !== undefined && { autoscaling: s.autoscaling as unknown as InferenceAutoscalingOptions | false }),
    ...(s.alerting !== undefined && { alerting: s.alerting as unknown as InferenceAlertOptions }),
    ...(s.slos !== undefined && { slos: s.slos as unknown as ServiceSlos }),
    ...(s.domainMetrics !== undefined && { domainMetrics: s.domainMetrics as unknown as DomainMetric[] }),
  };
  // The same checks as the InferenceService constructor, here under the file's own names.
  validateServiceMonitoring(src, { prefix: `${at}.`, contract: "metrics" }, { contract: metrics, alerting: service.alerting, slos: service.slos, domainMetrics: service.domainMetrics });
  return service;
}

/** An `egress:` block checked here, so an error names the file's setting (`services["x"].egress.cidrs[0].cidr`), not the construct. */
export function checkedEgress(src: string, at: string, egress: JsonObject): InferenceEgress {
  const typed = egress as unknown as InferenceEgress;
  resolveEgress(src, `${at}.`, typed);
  return typed;
}

function mapValues<T>(record: Readonly<Record<string, string>>, f: (value: string) => T): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}

function pick(s: JsonObject, keys: readonly string[]): Record<string, Json> {
  return Object.fromEntries(keys.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
}

/** The contract of a `metrics:` block, with a preset's errors reported under the file's path. */
function metricContract(src: string, at: string, m: JsonObject): MetricContract {
  const { preset = "default", ...options } = m as JsonObject & { preset?: string };
  try {
    switch (preset) {
      case "prometheusClient":
        if (options.latencyUnit !== undefined && !["seconds", "milliseconds"].includes(options.latencyUnit as string)) {
          throw new PlatformConfigError(src, `${at}.latencyUnit`, options.latencyUnit, "must be one of seconds, milliseconds");
        }
        for (const required of ["requestCounter", "latencyHistogram"]) {
          if (options[required] === undefined) throw new PlatformConfigError(src, `${at}.${required}`, undefined, "is required by the prometheusClient preset");
        }
        return MetricContracts.prometheusClient(options as unknown as Parameters<typeof MetricContracts.prometheusClient>[0]);
      case "fastapiInstrumentator":
        return MetricContracts.fastapiInstrumentator(options);
      case "triton":
        return MetricContracts.triton(options);
      case "vllm":
        return MetricContracts.vllm(options);
      default:
        return DEFAULT_METRIC_CONTRACT;
    }
  } catch (e) {
    // A preset names its own options ('errorValues'); the file calls them services["x"].metrics.errorValues.
    if (e instanceof PlatformConfigError && e.path.startsWith("MetricContracts.")) throw e.under(src, `${at}.`);
    throw e;
  }
}
