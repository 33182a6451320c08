import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { DEFAULT_METRIC_CONTRACT, MetricContract, validateMetricContract } from "../../contracts/metric-contract";
import { InferenceAlertOptions, ServiceSlos } from "../../contracts/service-objectives";
import { PlatformConfigError } from "../../core/errors";
import { checkImageReference } from "../../core/kubernetes/image-reference";
import { ResourceRequirements } from "../../core/kubernetes/resources";
import { namespaceDependencies, toNamespaceRef } from "../../core/kubernetes/namespace-ref";
import { checkDns1035Label, checkDns1123Label, checkIntRange, isToken, parsePrometheusDuration } from "../../core/validate";
import { IGpuPool } from "../../gpu/gpu-pool";
import type { DisruptionBudgetOptions, InferenceAutoscalingOptions, HttpProbeOptions, InferenceServiceProps, ModelOptions, RolloutOptions } from "../inference-service";
import { EnvValue, resolveEnv } from "../env-value";
import { ResolvedEgress, resolveEgress } from "../egress";
import { ModelVolumeSource } from "../model-volume";
import { AUTOSCALING_SIGNALS, AutoscalingSignal } from "../../contracts/autoscaling-agreement";
import { GpuDemand } from "./gpu-capacity";
import { HttpProbe, InitContainerSpec, METRICS_PORT_NAME, SERVING_PORT_NAME } from "./pod-template";
import { parseQuantity } from "./quantity";
import { RolloutStrategy } from "./rollout";

/**
 * InferenceService's props with every default applied and every check passed: the one input
 * of the resource builders, which then decide nothing on their own.
 */
export interface InferenceSettings {
  readonly name: string;
  readonly namespace: string;
  /** What every namespaced resource waits for. */
  readonly dependsOn?: ITerraformDependable[];
  readonly selectorLabels: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env: Readonly<Record<string, EnvValue>>;
  readonly servingPort: number;
  /** Undefined when metrics are served on the serving port. */
  readonly metricsPort?: number;
  readonly metricsPath: string;
  readonly scrapeInterval?: string;
  readonly contract: MetricContract;
  readonly gpus: number;
  readonly resources: ResourceRequirements;
  readonly pool: IGpuPool;
  /** Second pool the pods may run on; the primary is preferred. */
  readonly overflowPool?: IGpuPool;
  /** What the service asks of its pools at its peak, for the capacity and rollout checks. */
  readonly gpuDemand: GpuDemand;
  /** The rollout strategy set by hand; undefined: chosen from the pools at synth. */
  readonly rollout?: RolloutStrategy;
  readonly disruptionBudget: { readonly maxUnavailable: number } | { readonly minAvailable: number };
  /** Replica count the Deployment is created with: `replicas`, or the HPA's minimum. */
  readonly initialReplicas: number;
  readonly autoscaling?: ResolvedAutoscaling;
  readonly probes: { readonly startup: HttpProbe; readonly readiness: HttpProbe; readonly liveness: HttpProbe };
  readonly preStopSleepSeconds: number;
  readonly terminationGracePeriodSeconds: number;
  readonly spreadNodes: "required" | "preferred";
  readonly spreadZones: "required" | "preferred";
  readonly runAsUser: number;
  readonly scratchSizeLimit: string;
  readonly sharedMemorySizeLimit?: string;
  readonly waitForRollout: boolean;
  readonly automountServiceAccountToken: boolean;
  readonly serviceAccountAnnotations?: Readonly<Record<string, string>>;
  readonly model?: ResolvedModel;
  /** Namespaces allowed to call the serving port. @default - every namespace */
  readonly allowServingFrom?: readonly string[];
  /** Where the pods may connect; undefined for `unrestricted`. */
  readonly egress?: ResolvedEgress;
  readonly monitoringNamespace: string;
  readonly alerting?: InferenceAlertOptions;
  readonly slos?: ServiceSlos;
  readonly team?: string;
}

export interface ResolvedAutoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetRequestsPerSecondPerPod: number;
  /** What the HPA follows, and its per-pod target in that signal's unit. */
  readonly signal: AutoscalingSignal;
  readonly target: number;
  readonly scaleUpStabilizationSeconds: number;
  readonly scaleUpMaxPodsPerMinute: number;
  readonly scaleDownStabilizationSeconds: number;
}

export interface ResolvedModel {
  readonly source: ModelVolumeSource;
  readonly mountPath: string;
  readonly readOnly: boolean;
  readonly init?: InitContainerSpec;
}

export const DEFAULT_INFERENCE_NAMESPACE = "inference";
/** DESIGN.md "Cluster": 1 GPU, 2 CPU, 8Gi per pod. */
const DEFAULT_RESOURCES: ResourceRequirements = {
  requests: { cpu: "2", memory: "8Gi" },
  limits: { cpu: "2", memory: "8Gi" },
};
const DEFAULT_INIT_RESOURCES: ResourceRequirements = {
  requests: { cpu: "500m", memory: "1Gi" },
  limits: { memory: "2Gi" },
};
/** Largest GPU count of one EKS GPU node (p4d, p5, g6e.48xlarge: 8); a pod cannot span nodes. */
const MAX_GPUS_PER_POD = 8;

/** Applies the defaults of InferenceServiceProps and validates them, before any resource exists. */
export function resolveInferenceSettings(scope: Construct, props: InferenceServiceProps): InferenceSettings {
  const namespace = toNamespaceRef(props.namespace ?? DEFAULT_INFERENCE_NAMESPACE);
  const contract = props.metrics ?? DEFAULT_METRIC_CONTRACT;
  const servingPort = props.containerPort ?? 8080;
  const metricsPortProp = props.metricsPort ?? 9090;
  const metricsPort = metricsPortProp === "serving" ? undefined : metricsPortProp;
  const gpus = props.gpus ?? 1;
  const resources = props.resources ?? DEFAULT_RESOURCES;
  const replicas = props.replicas ?? 3;
  const autoscalingProps = props.autoscaling === false ? undefined : (props.autoscaling ?? {});
  const autoscaling: ResolvedAutoscaling | undefined = autoscalingProps && {
    minReplicas: autoscalingProps.minReplicas ?? replicas,
    maxReplicas: autoscalingProps.maxReplicas ?? 10,
    targetRequestsPerSecondPerPod: autoscalingProps.targetRequestsPerSecondPerPod ?? 10,
    ...autoscalingTarget(autoscalingProps),
    scaleUpStabilizationSeconds: autoscalingProps.scaleUpStabilizationSeconds ?? 60,
    scaleUpMaxPodsPerMinute: autoscalingProps.scaleUpMaxPodsPerMinute ?? 2,
    scaleDownStabilizationSeconds: autoscalingProps.scaleDownStabilizationSeconds ?? 600,
  };
  const preStopSleepSeconds = props.preStopSleepSeconds ?? 10;
  const terminationGracePeriodSeconds = props.terminationGracePeriodSeconds ?? 60;
  const probes = props.probes ?? {};
  const livenessPath = probes.liveness?.path ?? "/healthz";
  const maxStartupSeconds = probes.startup?.maxStartupSeconds ?? 300;
  const startupPeriod = probes.startup?.periodSeconds ?? 10;
  const readinessDelay = probes.readiness?.initialDelaySeconds ?? 0;
  const readinessPeriod = probes.readiness?.periodSeconds ?? 5;
  const livenessPeriod = probes.liveness?.periodSeconds ?? 10;
  const livenessTimeout = probes.liveness?.timeoutSeconds ?? 5;
  const runAsUser = props.runAsUser ?? 1000;
  const initResources = props.model?.init?.resources ?? DEFAULT_INIT_RESOURCES;

  // The name is also the Service's, which Kubernetes holds to the stricter DNS-1035 rule.
  checkDns1035Label(scope, "name", props.name);
  checkDns1123Label(scope, "namespace", namespace.name);
  checkIntRange(scope, "containerPort", servingPort, 1, 65535);
  if (metricsPort !== undefined) {
    checkIntRange(scope, "metricsPort", metricsPort, 1, 65535);
    if (metricsPort === servingPort) {
      throw new PlatformConfigError(
        scope,
        "metricsPort",
        metricsPort,
        `must differ from containerPort (${servingPort}); use "serving" when the server exposes metrics on its serving port`,
      );
    }
  }
  checkIntRange(scope, "gpus", gpus, 1, MAX_GPUS_PER_POD);
  const pool = resolvePool(scope, "gpuPool", props.gpuPool, props.pools);
  const overflowPool = props.overflowPool === undefined ? undefined : resolvePool(scope, "overflowPool", props.overflowPool, props.pools);
  if (overflowPool === pool) {
    throw new PlatformConfigError(scope, "overflowPool", pool.poolName, "must differ from gpuPool; leave it unset to run on one pool");
  }
  for (const [prop, p] of [["gpuPool", pool], ["overflowPool", overflowPool]] as const) {
    if (p?.gpusPerNode !== undefined && gpus > p.gpusPerNode) {
      throw new PlatformConfigError(
        scope,
        "gpus",
        gpus,
        `must fit on one node of ${prop} '${p.poolName}' (${p.gpusPerNode} nvidia.com/gpu per node); a pod cannot span nodes`,
      );
    }
  }
  checkRequestsWithinLimits(scope, "resources", resources);
  if (props.model?.init) checkRequestsWithinLimits(scope, "model.init.resources", initResources);
  checkIntRange(scope, "replicas", replicas, 1, 1000);
  if (autoscaling) {
    checkIntRange(scope, "autoscaling.minReplicas", autoscaling.minReplicas, 1, 1000);
    checkIntRange(scope, "autoscaling.maxReplicas", autoscaling.maxReplicas, 1, 1000);
    if (autoscaling.minReplicas > autoscaling.maxReplicas) {
      throw new PlatformConfigError(
        scope,
        "autoscaling.minReplicas",
        autoscaling.minReplicas,
        `must not exceed autoscaling.maxReplicas (${autoscaling.maxReplicas})`,
      );
    }
    const target = autoscaling.targetRequestsPerSecondPerPod;
    // Infinity would render as the quantity "Infinitym", which the API server rejects at apply.
    if (!(target > 0) || !Number.isFinite(target) || target > 1_000_000) {
      throw new PlatformConfigError(scope, "autoscaling.targetRequestsPerSecondPerPod", target, "must be a positive finite number of requests per second, at most 1000000");
    }
    // The API's own bounds (autoscaling/v2 HPAScalingRules).
    checkIntRange(scope, "autoscaling.scaleUpStabilizationSeconds", autoscaling.scaleUpStabilizationSeconds, 0, 3600);
    checkIntRange(scope, "autoscaling.scaleDownStabilizationSeconds", autoscaling.scaleDownStabilizationSeconds, 0, 3600);
    checkIntRange(scope, "autoscaling.scaleUpMaxPodsPerMinute", autoscaling.scaleUpMaxPodsPerMinute, 1, 1000);
    checkAutoscalingSignal(scope, autoscalingProps!, autoscaling, contract);
  }
  checkIntRange(scope, "probes.startup.maxStartupSeconds", maxStartupSeconds, 1, 3600);
  checkIntRange(scope, "probes.startup.periodSeconds", startupPeriod, 1, 300);
  checkIntRange(scope, "probes.readiness.initialDelaySeconds", readinessDelay, 0, 3600);
  checkIntRange(scope, "probes.readiness.periodSeconds", readinessPeriod, 1, 300);
  checkIntRange(scope, "probes.liveness.periodSeconds", livenessPeriod, 1, 300);
  checkIntRange(scope, "probes.liveness.timeoutSeconds", livenessTimeout, 1, 300);
  if (maxStartupSeconds < readinessDelay) {
    throw new PlatformConfigError(
      scope,
      "probes.startup.maxStartupSeconds",
      maxStartupSeconds,
      `must be at least probes.readiness.initialDelaySeconds (${readinessDelay}): a model that needs that long to load would be restarted by the startup probe first`,
    );
  }
  checkIntRange(scope, "preStopSleepSeconds", preStopSleepSeconds, 0, 600);
  checkIntRange(scope, "terminationGracePeriodSeconds", terminationGracePeriodSeconds, 1, 3600);
  if (terminationGracePeriodSeconds <= preStopSleepSeconds) {
    throw new PlatformConfigError(
      scope,
      "terminationGracePeriodSeconds",
      terminationGracePeriodSeconds,
      `must exceed preStopSleepSeconds (${preStopSleepSeconds}) so requests in flight after the sleep can finish`,
    );
  }
  checkIntRange(scope, "runAsUser", runAsUser, 1, 2147483647);
  if (props.scrapeInterval !== undefined) parsePrometheusDuration(scope, "scrapeInterval", props.scrapeInterval);
  checkImageReference(scope, "image", props.image);
  if (props.model?.init) checkImageReference(scope, "model.init.image", props.model.init.image);
  if (props.allowServingFrom !== undefined) {
    if (props.allowServingFrom.length === 0) {
      throw new PlatformConfigError(scope, "allowServingFrom", [], "must list at least one namespace; leave it unset to allow every namespace");
    }
    props.allowServingFrom.forEach((ns, i) => checkDns1123Label(scope, `allowServingFrom[${i}]`, ns));
  }
  const minPods = autoscaling ? autoscaling.minReplicas : replicas;
  const rollout = resolveRollout(scope, props.rollout);
  const disruptionBudget = resolveDisruptionBudget(scope, props.disruptionBudget, minPods, autoscaling ? "autoscaling.minReplicas" : "replicas");
  const disruptionsAllowed = "maxUnavailable" in disruptionBudget ? disruptionBudget.maxUnavailable : minPods - disruptionBudget.minAvailable;
  if (rollout && rollout.maxUnavailable > disruptionsAllowed) {
    throw new PlatformConfigError(
      scope,
      "rollout.maxUnavailable",
      rollout.maxUnavailable,
      `must not exceed what the PodDisruptionBudget allows (${disruptionsAllowed} pod(s) down at ${minPods} pods): the rollout would break the budget's promise; raise disruptionBudget or lower rollout.maxUnavailable`,
    );
  }
  checkModelVolume(scope, props.model, Math.max(replicas, autoscaling ? autoscaling.maxReplicas : 1));
  validateMetricContract(scope.node.path, "metrics", contract);

  const portName = (o: HttpProbeOptions | undefined) =>
    (o?.port ?? "serving") === "metrics" && metricsPort !== undefined ? METRICS_PORT_NAME : SERVING_PORT_NAME;
  const selectorLabels = { "app.kubernetes.io/name": props.name, "app.kubernetes.io/component": "inference-server" };
  return {
    name: props.name,
    namespace: namespace.name,
    dependsOn: namespaceDependencies(namespace),
    selectorLabels,
    labels: { ...selectorLabels, "app.kubernetes.io/part-of": "gpu-inference-platform" },
    image: props.image,
    command: props.command,
    args: props.args,
    env: { HOME: EnvValue.fromValue("/tmp"), ...resolveEnv(scope, "env", props.env) },
    servingPort,
    metricsPort,
    metricsPath: props.metricsPath ?? "/metrics",
    scrapeInterval: props.scrapeInterval,
    contract,
    gpus,
    resources,
    pool,
    overflowPool,
    gpuDemand: {
      service: `${namespace.name}/${props.name}`,
      pools: overflowPool ? [pool, overflowPool] : [pool],
      gpusPerPod: gpus,
      peakPods: autoscaling ? autoscaling.maxReplicas : replicas,
      peakProp: autoscaling ? "autoscaling.maxReplicas" : "replicas",
    },
    rollout,
    disruptionBudget,
    initialReplicas: autoscaling ? autoscaling.minReplicas : replicas,
    autoscaling,
    probes: {
      startup: {
        path: probes.startup?.path ?? livenessPath,
        portName: portName(probes.startup),
        initialDelaySeconds: 0,
        periodSeconds: startupPeriod,
        failureThreshold: Math.ceil(maxStartupSeconds / startupPeriod),
        timeoutSeconds: 5,
      },
      readiness: {
        path: probes.readiness?.path ?? "/ready",
        portName: portName(probes.readiness),
        initialDelaySeconds: readinessDelay,
        periodSeconds: readinessPeriod,
        failureThreshold: 3,
        timeoutSeconds: 3,
      },
      liveness: {
        path: livenessPath,
        portName: portName(probes.liveness),
        initialDelaySeconds: 0,
        periodSeconds: livenessPeriod,
        failureThreshold: 3,
        timeoutSeconds: livenessTimeout,
      },
    },
    preStopSleepSeconds,
    terminationGracePeriodSeconds,
    spreadNodes: props.spread?.nodes ?? "required",
    spreadZones: props.spread?.zones ?? "preferred",
    runAsUser,
    scratchSizeLimit: props.scratchSizeLimit ?? "2Gi",
    sharedMemorySizeLimit: props.sharedMemory === false ? undefined : (props.sharedMemory ?? "1Gi"),
    waitForRollout: props.waitForRollout ?? false,
    automountServiceAccountToken: props.automountServiceAccountToken ?? false,
    serviceAccountAnnotations: props.serviceAccountAnnotations,
    model: props.model && {
      source: props.model.volume.source,
      mountPath: props.model.mountPath ?? "/models",
      readOnly: props.model.readOnly ?? props.model.init !== undefined,
      init: props.model.init && {
        image: props.model.init.image,
        command: props.model.init.command,
        args: props.model.init.args,
        env: { HOME: EnvValue.fromValue("/tmp"), ...resolveEnv(scope, "model.init.env", props.model.init.env) },
        resources: initResources,
      },
    },
    allowServingFrom: props.allowServingFrom,
    egress: resolveEgress(scope, "egress.", props.egress),
    monitoringNamespace: props.catalog.labels.namespace,
    alerting: props.alerting,
    slos: props.slos,
    team: props.team,
  };
}

/** The option holding each signal's target, and its default. */
const SIGNAL_TARGETS: Record<AutoscalingSignal, { readonly option: keyof InferenceAutoscalingOptions; readonly default: number }> = {
  requestsPerSecond: { option: "targetRequestsPerSecondPerPod", default: 10 },
  queueDepth: { option: "targetQueueDepthPerPod", default: 5 },
  gpuUtilization: { option: "targetGpuUtilizationPercent", default: 70 },
  gpuMemory: { option: "targetGpuMemoryPercent", default: 80 },
};

function autoscalingTarget(options: InferenceAutoscalingOptions): { signal: AutoscalingSignal; target: number } {
  const signal = options.signal ?? "requestsPerSecond";
  const t = SIGNAL_TARGETS[signal] ?? SIGNAL_TARGETS.requestsPerSecond;
  return { signal, target: (options[t.option] as number | undefined) ?? t.default };
}

/** The signal exists, its target is sane, no other signal's target is set, and the contract has a queue to follow. */
function checkAutoscalingSignal(scope: Construct, options: InferenceAutoscalingOptions, resolved: ResolvedAutoscaling, contract: MetricContract): void {
  if (!(AUTOSCALING_SIGNALS as readonly string[]).includes(resolved.signal)) {
    throw new PlatformConfigError(scope, "autoscaling.signal", resolved.signal, `must be one of ${AUTOSCALING_SIGNALS.join(", ")}`);
  }
  for (const [signal, t] of Object.entries(SIGNAL_TARGETS)) {
    if (signal !== resolved.signal && options[t.option] !== undefined) {
      throw new PlatformConfigError(scope, `autoscaling.${t.option}`, options[t.option], `only applies with autoscaling.signal "${signal}" (the HPA follows "${resolved.signal}")`);
    }
  }
  const option = `autoscaling.${SIGNAL_TARGETS[resolved.signal].option}`;
  if (resolved.signal === "gpuUtilization" || resolved.signal === "gpuMemory") {
    if (!Number.isFinite(resolved.target) || resolved.target <= 0 || resolved.target > 100) {
      throw new PlatformConfigError(scope, option, resolved.target, "must be a percentage above 0 and at most 100");
    }
  } else if (!(resolved.target > 0)) {
    throw new PlatformConfigError(scope, option, resolved.target, "must be a positive number");
  }
  if (resolved.signal === "queueDepth" && contract.queueDepth === undefined) {
    throw new PlatformConfigError(
      scope,
      "autoscaling.signal",
      resolved.signal,
      `needs a queue gauge, but metrics '${contract.flavour}' declares none (queueDepth); scale on requestsPerSecond or the GPU instead`,
    );
  }
}

/** A rollout set by hand: both 0 never progresses, and the API rejects it. */
function resolveRollout(scope: Construct, rollout: RolloutOptions | undefined): RolloutStrategy | undefined {
  if (rollout === undefined) return undefined;
  const resolved = { maxSurge: rollout.maxSurge ?? 0, maxUnavailable: rollout.maxUnavailable ?? 0 };
  checkIntRange(scope, "rollout.maxSurge", resolved.maxSurge, 0, 1000);
  checkIntRange(scope, "rollout.maxUnavailable", resolved.maxUnavailable, 0, 1000);
  if (resolved.maxSurge === 0 && resolved.maxUnavailable === 0) {
    throw new PlatformConfigError(
      scope,
      "rollout",
      rollout,
      "must let a rollout progress: maxSurge and maxUnavailable cannot both be 0; use { maxUnavailable: 1 } to replace one pod at a time, or { maxSurge: 1 } where the pool has a spare GPU",
    );
  }
  return resolved;
}

/** The budget must allow one eviction at the fewest pods, else node drains never finish. */
function resolveDisruptionBudget(
  scope: Construct,
  budget: DisruptionBudgetOptions | undefined,
  minPods: number,
  minPodsProp: string,
): { readonly maxUnavailable: number } | { readonly minAvailable: number } {
  if (budget?.minAvailable !== undefined && budget.maxUnavailable !== undefined) {
    throw new PlatformConfigError(scope, "disruptionBudget", budget, "must set maxUnavailable or minAvailable, not both (a PodDisruptionBudget takes one)");
  }
  if (budget?.minAvailable !== undefined) {
    checkIntRange(scope, "disruptionBudget.minAvailable", budget.minAvailable, 0, 1000);
    if (budget.minAvailable >= minPods) {
      throw new PlatformConfigError(
        scope,
        "disruptionBudget.minAvailable",
        budget.minAvailable,
        `must be below ${minPodsProp} (${minPods}): at that count no pod could be evicted and node drains (upgrades, scale-down) would never finish`,
      );
    }
    return { minAvailable: budget.minAvailable };
  }
  const maxUnavailable = budget?.maxUnavailable ?? 1;
  checkIntRange(scope, "disruptionBudget.maxUnavailable", maxUnavailable, 0, 1000);
  if (maxUnavailable === 0) {
    throw new PlatformConfigError(
      scope,
      "disruptionBudget.maxUnavailable",
      maxUnavailable,
      "must be at least 1: a budget that allows no eviction blocks every node drain (upgrades, scale-down), which then never finishes",
    );
  }
  return { maxUnavailable };
}

/** The pool by reference or by name, checked against the platform's pools. */
function resolvePool(scope: Construct, prop: string, wanted: IGpuPool | string | undefined, pools: readonly IGpuPool[]): IGpuPool {
  const names = pools.map((p) => p.poolName);
  const accepted = names.length ? `must be one of the platform's GPU pools (${names.join(", ")})` : "must be a GPU pool, but the platform has none";
  if (wanted === undefined) {
    if (pools.length === 1) return pools[0];
    throw new PlatformConfigError(scope, prop, wanted, `${accepted}; it can be omitted only when there is exactly one`);
  }
  const name = typeof wanted === "string" ? wanted : wanted.poolName;
  const found = pools.find((p) => p.poolName === name);
  if (!found) throw new PlatformConfigError(scope, prop, name, accepted);
  return found;
}

function checkRequestsWithinLimits(scope: Construct, prop: string, r: ResourceRequirements): void {
  const pairs: [string, string, string | undefined][] = [
    ["cpu", r.requests.cpu, r.limits.cpu],
    ["memory", r.requests.memory, r.limits.memory],
  ];
  for (const [kind, request, limit] of pairs) {
    const req = isToken(request) ? undefined : parseQuantity(scope, `${prop}.requests.${kind}`, request);
    const lim = limit === undefined || isToken(limit) ? undefined : parseQuantity(scope, `${prop}.limits.${kind}`, limit);
    if (req !== undefined && lim !== undefined && req > lim) {
      throw new PlatformConfigError(scope, `${prop}.requests.${kind}`, request, `must not exceed ${prop}.limits.${kind} (${limit})`);
    }
  }
}

function checkModelVolume(scope: Construct, model: ModelOptions | undefined, maxPods: number): void {
  const s = model?.volume.source;
  if (s?.kind !== "newClaim") return;
  parseQuantity(scope, "model.volume.size", s.size);
  if ((s.accessMode === "ReadWriteOnce" || s.accessMode === "ReadWriteOncePod") && maxPods > 1) {
    throw new PlatformConfigError(
      scope,
      "model.volume.accessMode",
      s.accessMode,
      `must be ReadWriteMany or ReadOnlyMany when up to ${maxPods} pods on different nodes mount it`,
    );
  }
}

/** Name, namespace and labels every resource of the service carries. */
export function objectMeta(s: InferenceSettings): { name: string; namespace: string; labels: Record<string, string> } {
  return { name: s.name, namespace: s.namespace, labels: { ...s.labels } };
}
