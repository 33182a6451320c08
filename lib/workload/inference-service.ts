import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { HorizontalPodAutoscalerV2 } from "@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { Annotations, Lazy } from "cdktf";
import { Construct } from "constructs";
import { DomainMetric } from "../contracts/domain-metrics";
import { hasRequestOutcome, MetricContract } from "../contracts/metric-contract";
import { validateServiceMonitoring } from "../contracts/service-validation";
import { MonitoringCatalog, ScrapeAuth } from "../contracts/monitoring-catalog";
import { PlatformConfigError } from "../core/errors";
import { InferenceAlertOptions, ServiceSlos } from "../contracts/service-objectives";
import { NamespaceRef } from "../core/kubernetes/namespace-ref";
import { ResourceRequirements } from "../core/kubernetes/resources";
import { IGpuPool } from "../gpu/gpu-pool";
import { EnvValue } from "./env-value";
import { ModelVolume } from "./model-volume";
import { AutoscalingSignal, autoscalingMetricName, registerPodsMetricConsumer } from "../contracts/autoscaling-agreement";
import { buildDeployment } from "./private/deployment";
import { buildDisruptionBudget } from "./private/disruption-budget";
import { buildEnvSecret } from "./private/env-secret";
import { buildHpa } from "./private/hpa";
import { GpuDemand, capacityErrors, gpuDemandsOfApp, registerGpuDemand } from "./private/gpu-capacity";
import { buildModelClaim } from "./private/model-claim";
import { buildEgressPolicy, buildNetworkPolicy } from "./private/network-policy";
import { InferenceEgress } from "./egress";
import { METRICS_PORT_NAME, SERVING_PORT_NAME } from "./private/pod-template";
import { RolloutStrategy, chooseRollout, rolloutErrors } from "./private/rollout";
import { buildService } from "./private/service";
import { buildServiceAccount } from "./private/service-account";
import { resolveInferenceSettings } from "./private/settings";
import { keepTemplatesLiteral } from "../core/terraform-literals";

/** A port the pod declares: the serving port or the metrics port. */
export type PodPort = "serving" | "metrics";

export interface HttpProbeOptions {
  /** Port the kubelet calls. @default "serving" */
  readonly port?: PodPort;
}

export interface StartupProbeOptions extends HttpProbeOptions {
  /** @default - the liveness path */
  readonly path?: string;
  /**
   * Longest model load the startup probe waits for before the kubelet restarts the container;
   * liveness and readiness probes start only once it has passed.
   * @default 300
   */
  readonly maxStartupSeconds?: number;
  /** @default 10 */
  readonly periodSeconds?: number;
}

export interface ReadinessProbeOptions extends HttpProbeOptions {
  /** Model-ready endpoint: the pod gets traffic only while it answers 2xx. @default "/ready" */
  readonly path?: string;
  /** @default 0 */
  readonly initialDelaySeconds?: number;
  /** @default 5 */
  readonly periodSeconds?: number;
}

export interface LivenessProbeOptions extends HttpProbeOptions {
  /** Process-alive endpoint. @default "/healthz" */
  readonly path?: string;
  /** @default 10 */
  readonly periodSeconds?: number;
  /** A GPU-bound server can be slow to answer; keep this generous. @default 5 */
  readonly timeoutSeconds?: number;
}

export interface InferenceProbeOptions {
  /** @default - up to 300 s on the liveness path, every 10 s */
  readonly startup?: StartupProbeOptions;
  /** @default - "/ready" on the serving port every 5 s */
  readonly readiness?: ReadinessProbeOptions;
  /** @default - "/healthz" on the serving port every 10 s */
  readonly liveness?: LivenessProbeOptions;
}

export interface ModelInitOptions {
  /** Image that fetches or warms the model into the model volume (runs without a GPU). */
  readonly image: string;
  /** @default - the image's entrypoint */
  readonly command?: readonly string[];
  /** @default - none */
  readonly args?: readonly string[];
  /** @default - none */
  readonly env?: Readonly<Record<string, string | EnvValue>>;
  /** @default - requests 500m CPU / 1Gi, limits 2Gi */
  readonly resources?: ResourceRequirements;
}

export interface ModelOptions {
  readonly volume: ModelVolume;
  /** @default "/models" */
  readonly mountPath?: string;
  /** Init container that fills the volume before the server starts. @default - none */
  readonly init?: ModelInitOptions;
  /**
   * Mount the volume read-only in the server container.
   * @default - true when an init container fills the volume, false otherwise (the server downloads)
   */
  readonly readOnly?: boolean;
}

export interface InferenceAutoscalingOptions {
  /**
   * The signal the HPA follows: requests per second; the contract's queue gauge (a server whose
   * load shows as requests waiting); or the GPU utilisation or memory of the service's own pods
   * (from DCGM, whose series carry the pod holding the GPU). All are served by the PrometheusAdapter.
   * @default "requestsPerSecond"
   */
  readonly signal?: AutoscalingSignal;
  /** With `signal: "queueDepth"`: requests queued per pod the HPA aims at. @default 5 */
  readonly targetQueueDepthPerPod?: number;
  /** With `signal: "gpuUtilization"`: average GPU utilisation of a pod's GPUs, in percent. @default 70 */
  readonly targetGpuUtilizationPercent?: number;
  /** With `signal: "gpuMemory"`: GPU memory used, in percent of the pod's GPUs' memory. @default 80 */
  readonly targetGpuMemoryPercent?: number;
  /**
   * Requests per second one pod should serve: the HPA's `AverageValue` target. Depends entirely on
   * the model; measure it. For a pipeline whose stages share one counter, QPS is the sum over
   * stages, so set the target in the same unit.
   * @default 10
   */
  readonly targetRequestsPerSecondPerPod?: number;
  /** @default - `replicas` (3) */
  readonly minReplicas?: number;
  /** @default 10 */
  readonly maxReplicas?: number;
  /** A new GPU pod takes minutes to become ready: react fast, but add few pods at a time. @default 60 */
  readonly scaleUpStabilizationSeconds?: number;
  /** @default 2 */
  readonly scaleUpMaxPodsPerMinute?: number;
  /** Removing a warm GPU pod is expensive to undo: wait long before scaling down. @default 600 */
  readonly scaleDownStabilizationSeconds?: number;
}

export interface TopologySpreadOptions {
  /** @default "required" (DoNotSchedule across nodes) */
  readonly nodes?: "required" | "preferred";
  /** GPU capacity per zone is uneven, so a hard zone rule leaves pods Pending. @default "preferred" */
  readonly zones?: "required" | "preferred";
}

/**
 * A rollout strategy set by hand. Each surge pod needs `gpus` free GPUs; each unavailable pod is
 * one fewer serving. Fields left out are 0.
 */
export interface RolloutOptions {
  /** Pods started above the desired count before old ones stop. @default 0 */
  readonly maxSurge?: number;
  /** Pods stopped below the desired count before their replacements are ready. @default 0 */
  readonly maxUnavailable?: number;
}

/**
 * The PodDisruptionBudget: how many pods a node drain (node group upgrade, scale-down) may evict
 * at once. Set one of the two; it must allow at least one eviction at the fewest pods, else
 * drains never finish.
 */
export interface DisruptionBudgetOptions {
  /** @default 1 (when minAvailable is unset) */
  readonly maxUnavailable?: number;
  /** @default - unset: maxUnavailable applies */
  readonly minAvailable?: number;
}

/** Basic Auth or a bearer token for scrapes, as keys of a Secret in the monitoring namespace. */
export type MetricsAuthOptions =
  | {
      readonly basicAuth: {
        readonly secretName: string;
        /** @default "username" */
        readonly usernameKey?: string;
        /** @default "password" */
        readonly passwordKey?: string;
      };
    }
  | {
      readonly bearerToken: {
        readonly secretName: string;
        /** @default "token" */
        readonly key?: string;
      };
    };

export interface InferenceServiceOptions {
  /** Name of the Deployment, Service, HPA and everything else; a DNS-1035 label (a DNS-1123 label starting with a letter), as Services require. */
  readonly name: string;
  /**
   * The namespace: a name that exists already, or a reference to the namespace this app creates
   * (every resource of the service then waits for it).
   * @default "inference" (must exist already)
   */
  readonly namespace?: string | NamespaceRef;
  /** The model server image, "repository:tag" or by digest. */
  readonly image: string;
  /** @default - the image's entrypoint */
  readonly command?: readonly string[];
  /** @default - the image's arguments */
  readonly args?: readonly string[];
  /**
   * Environment of the server container. `HOME` defaults to /tmp: the root filesystem is
   * read-only and Python libraries write caches under $HOME. A secret (a token for a model hub,
   * an API key) is passed as a reference (`EnvValue.fromSecret`, `EnvValue.fromSecretsManager`);
   * a literal under a name that looks like a secret's is refused at synth.
   * @default { HOME: "/tmp" }
   */
  readonly env?: Readonly<Record<string, string | EnvValue>>;
  /** Serving port (HTTP), named "http". @default 8080 */
  readonly containerPort?: number;
  /**
   * Port Prometheus scrapes, named "metrics", reachable only from the monitoring namespace.
   * "serving" for servers that expose /metrics on the serving port (FastAPI instrumentator,
   * vLLM): then every namespace that may call the service (`allowServingFrom`) can read /metrics
   * too, as a NetworkPolicy cannot tell paths apart, and synth warns. Triton uses 8002.
   * @default 9090
   */
  readonly metricsPort?: number | "serving";
  /** @default "/metrics" */
  readonly metricsPath?: string;
  /**
   * Credentials for a `/metrics` that needs them: Basic Auth or a bearer token, from a Secret you
   * create in the monitoring namespace (the Prometheus operator reads it from the ServiceMonitor's
   * namespace). Never the values themselves.
   * @default - unauthenticated scrapes
   */
  readonly metricsAuth?: MetricsAuthOptions;
  /** @default - the Prometheus scrape interval */
  readonly scrapeInterval?: string;
  /**
   * GPU pool to run on, by reference or by pool name; must be one of the platform's pools.
   * @default - the platform's only pool (an error when it has several)
   */
  readonly gpuPool?: IGpuPool | string;
  /**
   * A second pool the pods may also run on, e.g. a spot pool: the primary is preferred, the
   * overflow pool takes what does not fit there, and capacity checks count both.
   * @default - none: the primary pool only
   */
  readonly overflowPool?: IGpuPool | string;
  /** `nvidia.com/gpu` per pod, requests == limits. @default 1 */
  readonly gpus?: number;
  /** CPU and memory of the server container. @default - requests and limits 2 CPU / 8Gi (Guaranteed QoS) */
  readonly resources?: ResourceRequirements;
  /** @default - see InferenceProbeOptions */
  readonly probes?: InferenceProbeOptions;
  /** @default - no model volume */
  readonly model?: ModelOptions;
  /** Sleep before SIGTERM so endpoints stop routing to the pod first. 0 disables. @default 10 */
  readonly preStopSleepSeconds?: number;
  /** Time for the preStop sleep plus in-flight requests to finish. @default 60 */
  readonly terminationGracePeriodSeconds?: number;
  /** Replicas without autoscaling, and the default minimum with it. @default 3 */
  readonly replicas?: number;
  /**
   * HPA (autoscaling/v2) on the contract's requests per second, served by a PrometheusAdapter.
   * `false` keeps `replicas` fixed.
   * @default - 3 to 10 replicas at 10 requests per second per pod
   */
  readonly autoscaling?: InferenceAutoscalingOptions | false;
  /** @default - required across nodes, preferred across zones */
  readonly spread?: TopologySpreadOptions;
  /**
   * Rollout strategy. Checked at synth: it must be able to finish (a surge-only rollout needs a
   * free GPU for its surge pod while the services run at their peak).
   * @default - from the pools: { maxSurge: 1, maxUnavailable: 0 } where every pool is autoscaled
   * and has room for one more pod at the peak, else { maxSurge: 0, maxUnavailable: 1 }
   */
  readonly rollout?: RolloutOptions;
  /** @default { maxUnavailable: 1 } */
  readonly disruptionBudget?: DisruptionBudgetOptions;
  /**
   * Namespaces whose pods may call the serving port. Calls from outside the cluster arrive through
   * an ingress controller's namespace; an NLB in IP mode targets pods directly and is not a
   * namespace: list a namespace for it or use instance mode.
   * @default - every namespace of the cluster (in-cluster callers live in many namespaces; the
   * port is still closed to anything that is not a pod of this cluster)
   */
  readonly allowServingFrom?: readonly string[];
  /**
   * Where the pods may open connections: DNS always; by default HTTPS to the internet, nothing in
   * the cluster or the VPC. See `InferenceEgress`.
   * @default { internetHttps: true }
   */
  readonly egress?: InferenceEgress;
  /** @default false */
  readonly automountServiceAccountToken?: boolean;
  /** Annotations of the service's own ServiceAccount, e.g. an IRSA role for model downloads. @default - none */
  readonly serviceAccountAnnotations?: Readonly<Record<string, string>>;
  /** UID and GID the containers run as (non-root). @default 1000 */
  readonly runAsUser?: number;
  /** Size limit of the writable /tmp. @default "2Gi" */
  readonly scratchSizeLimit?: string;
  /** Size of the memory-backed /dev/shm (counts against the memory limit); false for the runtime's 64Mi. @default "1Gi" */
  readonly sharedMemory?: string | false;
  /** Make Terraform wait for the rollout; GPU nodes can take longer to arrive than the timeout. @default false */
  readonly waitForRollout?: boolean;
  /** @default DEFAULT_METRIC_CONTRACT */
  readonly metrics?: MetricContract;
  /** @default - the rule packs' thresholds */
  readonly alerting?: InferenceAlertOptions;
  /** @default - no SLOs */
  readonly slos?: ServiceSlos;
  /** The server's own gauges and counters, with optional alert thresholds. @default - none */
  readonly domainMetrics?: readonly DomainMetric[];
  /** @default - none */
  readonly team?: string;
}

export interface InferenceServiceProps extends InferenceServiceOptions {
  /** Where the service registers its ServiceMonitor and its metric contract. */
  readonly catalog: MonitoringCatalog;
  /** The platform's GPU pools: `gpuPool` is resolved against them. */
  readonly pools: readonly IGpuPool[];
}

export { DEFAULT_INFERENCE_NAMESPACE } from "./private/settings";
export type { RolloutStrategy } from "./private/rollout";

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** The Secret's name and keys, checked: a name Kubernetes accepts, keys a Secret can hold. */
function resolveMetricsAuth(scope: Construct, auth: MetricsAuthOptions): ScrapeAuth {
  const key = (prop: string, value: string) => {
    if (!SECRET_KEY.test(value)) throw new PlatformConfigError(scope, prop, value, "must be a Secret key (letters, digits, '-', '_' and '.')");
    return value;
  };
  if ("basicAuth" in auth && "bearerToken" in auth) {
    throw new PlatformConfigError(scope, "metricsAuth", Object.keys(auth), "must hold basicAuth or bearerToken, not both");
  }
  if ("basicAuth" in auth) {
    checkDns1123Subdomain(scope, "metricsAuth.basicAuth.secretName", auth.basicAuth.secretName);
    return {
      kind: "basicAuth",
      secretName: auth.basicAuth.secretName,
      usernameKey: key("metricsAuth.basicAuth.usernameKey", auth.basicAuth.usernameKey ?? "username"),
      passwordKey: key("metricsAuth.basicAuth.passwordKey", auth.basicAuth.passwordKey ?? "password"),
    };
  }
  checkDns1123Subdomain(scope, "metricsAuth.bearerToken.secretName", auth.bearerToken.secretName);
  return { kind: "bearerToken", secretName: auth.bearerToken.secretName, key: key("metricsAuth.bearerToken.key", auth.bearerToken.key ?? "token") };
}

function checkDns1123Subdomain(scope: Construct, prop: string, value: string): void {
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value) || value.length > 253) {
    throw new PlatformConfigError(scope, prop, value, "must be the name of a Secret (a DNS-1123 subdomain: a-z, 0-9, '-' and '.')");
  }
}

/**
 * A model server on a GPU pool, watched and autoscaled by the platform: Deployment, Service,
 * ServiceAccount, PodDisruptionBudget, NetworkPolicy and HPA, with its ServiceMonitor and metric
 * contract registered into the MonitoringCatalog (never as kubernetes_manifest).
 */
export class InferenceService extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly pool: IGpuPool;
  /** Second pool the pods may run on; undefined without one. */
  public readonly overflowPool?: IGpuPool;
  public readonly contract: MetricContract;
  /** Custom metric the HPA scales on; undefined without autoscaling. */
  public readonly autoscalingMetricName?: string;
  public readonly deployment: DeploymentV1;
  public readonly service: ServiceV1;
  public readonly hpa?: HorizontalPodAutoscalerV2;

  private readonly gpuDemand: GpuDemand;
  private readonly explicitRollout?: RolloutStrategy;

  constructor(scope: Construct, id: string, props: InferenceServiceProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    // Resolve and validate, before any resource exists.
    const s = resolveInferenceSettings(this, props);
    // Alerting options, SLOs and domain metrics fail here, under this service's path and the
    // option names its owner passed, not later in the rule packs.
    validateServiceMonitoring(this, { prefix: "", contract: "metrics" }, { contract: s.contract, alerting: props.alerting, slos: props.slos, domainMetrics: props.domainMetrics });
    const scrapeAuth = props.metricsAuth && resolveMetricsAuth(this, props.metricsAuth);
    if (s.metricsPort === undefined) {
      // A NetworkPolicy sees ports, not paths: whoever may call the server may read /metrics.
      const who = s.allowServingFrom === undefined ? "every namespace of the cluster" : `the namespaces ${[...s.allowServingFrom, s.monitoringNamespace].join(", ")}`;
      Annotations.of(this).addWarning(
        `InferenceService '${s.name}' serves /metrics on its serving port (metricsPort "serving"): ${who} can read its metrics, since a NetworkPolicy cannot tell paths apart; serve them on a separate metricsPort, which only the ${s.monitoringNamespace} namespace may reach.`,
      );
    }
    if (!hasRequestOutcome(s.contract)) {
      Annotations.of(this).addWarning(
        `InferenceService '${s.name}': its request counter has no outcome (metrics '${s.contract.flavour}'), so it gets no error-ratio alert and no availability SLO; declare a status label or an error counter to be alerted on failures.`,
      );
    }
    this.name = s.name;
    this.namespace = s.namespace;
    this.pool = s.pool;
    this.overflowPool = s.overflowPool;
    this.contract = s.contract;
    this.gpuDemand = s.gpuDemand;
    this.explicitRollout = s.rollout;
    // Checks across services: at synth, once every service on the same pools exists.
    registerGpuDemand(this, s.gpuDemand);
    this.node.addValidation({
      validate: () => {
        const all = gpuDemandsOfApp(this);
        return [...capacityErrors(this.node.path, s.gpuDemand, all), ...rolloutErrors(this.node.path, s.gpuDemand, all, s.rollout)];
      },
    });

    // Build.
    const serviceAccount = buildServiceAccount(this, s);
    const claimName = buildModelClaim(this, s);
    // Other services on the same pools may be added later: the strategy is chosen at synth.
    const rollingUpdate = {
      maxSurge: Lazy.stringValue({ produce: () => String(this.rolloutStrategy.maxSurge) }),
      maxUnavailable: Lazy.stringValue({ produce: () => String(this.rolloutStrategy.maxUnavailable) }),
    };
    const envSecret = buildEnvSecret(this, s);
    this.deployment = buildDeployment(this, s, { serviceAccountName: serviceAccount.metadata.name, claimName, rollingUpdate, envSecret });
    this.service = buildService(this, s);
    buildDisruptionBudget(this, s);
    buildNetworkPolicy(this, s);
    if (s.egress) buildEgressPolicy(this, s, s.egress);
    if (s.autoscaling) {
      this.autoscalingMetricName = autoscalingMetricName(this.name, s.autoscaling.signal);
      this.hpa = buildHpa(this, s, s.autoscaling, this.deployment.metadata.name, this.autoscalingMetricName);
      registerPodsMetricConsumer(this, { hpa: `${this.namespace}/${this.name}`, metricName: this.autoscalingMetricName });
    }

    props.catalog.addServiceMonitor({
      name: this.name,
      namespace: this.namespace,
      selectorLabels: s.selectorLabels,
      port: s.metricsPort === undefined ? SERVING_PORT_NAME : METRICS_PORT_NAME,
      targetPort: s.metricsPort ?? s.servingPort,
      path: s.metricsPath,
      interval: s.scrapeInterval,
      ...(scrapeAuth && { auth: scrapeAuth }),
    });
    props.catalog.addService({
      selector: { namespace: this.namespace, service: this.name },
      contract: this.contract,
      deployment: this.name,
      hpa: this.hpa ? this.name : undefined,
      ...(s.autoscaling && { autoscalingSignal: s.autoscaling.signal }),
      alerting: s.alerting,
      slos: s.slos,
      domainMetrics: props.domainMetrics,
      team: s.team,
    });
  }

  /**
   * The Deployment's rollout strategy: `rollout` when set, else surge where the pools provably
   * have a spare GPU at the peak of every service on them, else one pod replaced at a time.
   * Final once every service of the app exists (it counts them).
   */
  public get rolloutStrategy(): RolloutStrategy {
    return chooseRollout(this.gpuDemand, gpuDemandsOfApp(this), this.explicitRollout);
  }
}
