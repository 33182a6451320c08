import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { HorizontalPodAutoscalerV2 } from "@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2";
import { NetworkPolicyV1, NetworkPolicyV1SpecIngressFrom } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { PersistentVolumeClaimV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { Construct } from "constructs";
import { DEFAULT_METRIC_CONTRACT, MetricContract, validateMetricContract } from "../contracts/metric-contract";
import { MonitoringCatalog } from "../contracts/monitoring-catalog";
import { InferenceAlertOptions, ServiceSlos } from "../contracts/service-objectives";
import { PlatformConfigError } from "../core/errors";
import { NamespaceRef, namespaceDependencies, toNamespaceRef } from "../core/namespace-ref";
import { ResourceRequirements } from "../core/kubernetes-types";
import { checkDns1123Label, checkIntRange, isToken } from "../core/validate";
import { IGpuPool, schedulingForPools } from "../gpu/gpu-pool";
import { ModelVolume } from "./model-volume";
import { requestsPerSecondMetricName } from "./private/adapter-rules";
import { registerPodsMetricConsumer } from "./private/autoscaling-agreement";
import { HttpProbe, METRICS_PORT_NAME, SERVING_PORT_NAME, inferencePodSpec } from "./private/pod-template";
import { formatQuantity, parseQuantity } from "./private/quantity";

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
  readonly env?: Readonly<Record<string, string>>;
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

export interface InferenceServiceOptions {
  /** Name of the Deployment, Service, HPA and everything else; a DNS-1123 label. */
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
   * read-only and Python libraries write caches under $HOME.
   * @default { HOME: "/tmp" }
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Serving port (HTTP), named "http". @default 8080 */
  readonly containerPort?: number;
  /**
   * Port Prometheus scrapes, named "metrics", reachable only from the monitoring namespace.
   * "serving" for servers that expose /metrics on the serving port (FastAPI instrumentator,
   * vLLM). Triton uses 8002.
   * @default 9090
   */
  readonly metricsPort?: number | "serving";
  /** @default "/metrics" */
  readonly metricsPath?: string;
  /** @default - the Prometheus scrape interval */
  readonly scrapeInterval?: string;
  /**
   * GPU pool to run on, by reference or by pool name; must be one of the platform's pools.
   * @default - the platform's only pool (an error when it has several)
   */
  readonly gpuPool?: IGpuPool | string;
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
   * Namespaces whose pods may call the serving port. Calls from outside the cluster arrive through
   * an ingress controller's namespace; an NLB in IP mode targets pods directly and is not a
   * namespace: list a namespace for it or use instance mode.
   * @default - every namespace of the cluster (in-cluster callers live in many namespaces; the
   * port is still closed to anything that is not a pod of this cluster)
   */
  readonly allowServingFrom?: readonly string[];
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
  /** @default - none */
  readonly team?: string;
}

export interface InferenceServiceProps extends InferenceServiceOptions {
  /** Where the service registers its ServiceMonitor and its metric contract. */
  readonly catalog: MonitoringCatalog;
  /** The platform's GPU pools: `gpuPool` is resolved against them. */
  readonly pools: readonly IGpuPool[];
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

/**
 * A model server on a GPU pool, watched and autoscaled by the platform: Deployment, Service,
 * ServiceAccount, PodDisruptionBudget, NetworkPolicy and HPA, with its ServiceMonitor and metric
 * contract registered into the MonitoringCatalog (never as kubernetes_manifest).
 */
export class InferenceService extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly pool: IGpuPool;
  public readonly contract: MetricContract;
  /** Custom metric the HPA scales on; undefined without autoscaling. */
  public readonly autoscalingMetricName?: string;
  public readonly deployment: DeploymentV1;
  public readonly service: ServiceV1;
  public readonly hpa?: HorizontalPodAutoscalerV2;

  constructor(scope: Construct, id: string, props: InferenceServiceProps) {
    super(scope, id);
    // Defaults, resolved once.
    this.name = props.name;
    const namespace = toNamespaceRef(props.namespace ?? DEFAULT_INFERENCE_NAMESPACE);
    this.namespace = namespace.name;
    const dependsOn = namespaceDependencies(namespace);
    this.contract = props.metrics ?? DEFAULT_METRIC_CONTRACT;
    const servingPort = props.containerPort ?? 8080;
    const metricsPortProp = props.metricsPort ?? 9090;
    const metricsPort = metricsPortProp === "serving" ? undefined : metricsPortProp;
    const gpus = props.gpus ?? 1;
    const resources = props.resources ?? DEFAULT_RESOURCES;
    const replicas = props.replicas ?? 3;
    const autoscaling = props.autoscaling === false ? undefined : (props.autoscaling ?? {});
    const minReplicas = autoscaling?.minReplicas ?? replicas;
    const maxReplicas = autoscaling?.maxReplicas ?? 10;
    const targetRps = autoscaling?.targetRequestsPerSecondPerPod ?? 10;
    const scaleUpStabilization = autoscaling?.scaleUpStabilizationSeconds ?? 60;
    const scaleUpPods = autoscaling?.scaleUpMaxPodsPerMinute ?? 2;
    const scaleDownStabilization = autoscaling?.scaleDownStabilizationSeconds ?? 600;
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
    const sharedMemory = props.sharedMemory === false ? undefined : (props.sharedMemory ?? "1Gi");
    const startupPath = probes.startup?.path ?? livenessPath;
    const readinessPath = probes.readiness?.path ?? "/ready";
    const spreadNodes = props.spread?.nodes ?? "required";
    const spreadZones = props.spread?.zones ?? "preferred";
    const scratchSizeLimit = props.scratchSizeLimit ?? "2Gi";
    const metricsPath = props.metricsPath ?? "/metrics";
    const waitForRollout = props.waitForRollout ?? false;
    const automountToken = props.automountServiceAccountToken ?? false;
    const modelMountPath = props.model?.mountPath ?? "/models";
    const modelReadOnly = props.model?.readOnly ?? props.model?.init !== undefined;
    const initResources = props.model?.init?.resources ?? DEFAULT_INIT_RESOURCES;
    const monitoringNamespace = props.catalog.labels.namespace;

    // Validation, before any resource exists.
    checkDns1123Label(this, "name", this.name);
    checkDns1123Label(this, "namespace", this.namespace);
    checkIntRange(this, "containerPort", servingPort, 1, 65535);
    if (metricsPort !== undefined) {
      checkIntRange(this, "metricsPort", metricsPort, 1, 65535);
      if (metricsPort === servingPort) {
        throw new PlatformConfigError(
          this,
          "metricsPort",
          metricsPort,
          `must differ from containerPort (${servingPort}); use "serving" when the server exposes metrics on its serving port`,
        );
      }
    }
    checkIntRange(this, "gpus", gpus, 1, MAX_GPUS_PER_POD);
    this.pool = resolvePool(this, props.gpuPool, props.pools);
    checkRequestsWithinLimits(this, "resources", resources);
    if (props.model?.init) checkRequestsWithinLimits(this, "model.init.resources", initResources);
    checkIntRange(this, "replicas", replicas, 1, 1000);
    if (autoscaling) {
      checkIntRange(this, "autoscaling.minReplicas", minReplicas, 1, 1000);
      checkIntRange(this, "autoscaling.maxReplicas", maxReplicas, 1, 1000);
      if (minReplicas > maxReplicas) {
        throw new PlatformConfigError(this, "autoscaling.minReplicas", minReplicas, `must not exceed autoscaling.maxReplicas (${maxReplicas})`);
      }
      if (!(targetRps > 0)) {
        throw new PlatformConfigError(this, "autoscaling.targetRequestsPerSecondPerPod", targetRps, "must be a positive number");
      }
      // The API's own bounds (autoscaling/v2 HPAScalingRules).
      checkIntRange(this, "autoscaling.scaleUpStabilizationSeconds", scaleUpStabilization, 0, 3600);
      checkIntRange(this, "autoscaling.scaleDownStabilizationSeconds", scaleDownStabilization, 0, 3600);
      checkIntRange(this, "autoscaling.scaleUpMaxPodsPerMinute", scaleUpPods, 1, 1000);
    }
    checkIntRange(this, "probes.startup.maxStartupSeconds", maxStartupSeconds, 1, 3600);
    checkIntRange(this, "probes.startup.periodSeconds", startupPeriod, 1, 300);
    checkIntRange(this, "probes.readiness.initialDelaySeconds", readinessDelay, 0, 3600);
    checkIntRange(this, "probes.readiness.periodSeconds", readinessPeriod, 1, 300);
    checkIntRange(this, "probes.liveness.periodSeconds", livenessPeriod, 1, 300);
    checkIntRange(this, "probes.liveness.timeoutSeconds", livenessTimeout, 1, 300);
    if (maxStartupSeconds < readinessDelay) {
      throw new PlatformConfigError(
        this,
        "probes.startup.maxStartupSeconds",
        maxStartupSeconds,
        `must be at least probes.readiness.initialDelaySeconds (${readinessDelay}): a model that needs that long to load would be restarted by the startup probe first`,
      );
    }
    checkIntRange(this, "preStopSleepSeconds", preStopSleepSeconds, 0, 600);
    checkIntRange(this, "terminationGracePeriodSeconds", terminationGracePeriodSeconds, 1, 3600);
    if (terminationGracePeriodSeconds <= preStopSleepSeconds) {
      throw new PlatformConfigError(
        this,
        "terminationGracePeriodSeconds",
        terminationGracePeriodSeconds,
        `must exceed preStopSleepSeconds (${preStopSleepSeconds}) so requests in flight after the sleep can finish`,
      );
    }
    checkIntRange(this, "runAsUser", runAsUser, 1, 2147483647);
    if (props.allowServingFrom !== undefined) {
      if (props.allowServingFrom.length === 0) {
        throw new PlatformConfigError(this, "allowServingFrom", [], "must list at least one namespace; leave it unset to allow every namespace");
      }
      props.allowServingFrom.forEach((ns, i) => checkDns1123Label(this, `allowServingFrom[${i}]`, ns));
    }
    checkModelVolume(this, props.model, Math.max(replicas, autoscaling ? maxReplicas : 1));
    validateMetricContract(this.node.path, "metrics", this.contract);

    // Resources.
    const selectorLabels = { "app.kubernetes.io/name": this.name, "app.kubernetes.io/component": "inference-server" };
    const labels = { ...selectorLabels, "app.kubernetes.io/part-of": "gpu-inference-platform" };
    const metadata = { name: this.name, namespace: this.namespace, labels };

    const serviceAccount = new ServiceAccountV1(this, "service-account", {
      dependsOn,
      metadata: { ...metadata, annotations: props.serviceAccountAnnotations ? { ...props.serviceAccountAnnotations } : undefined },
      automountServiceAccountToken: false,
    });

    let claimName: string | undefined;
    const volume = props.model?.volume.source;
    if (volume?.kind === "newClaim") {
      const claim = new PersistentVolumeClaimV1(this, "model-claim", {
      dependsOn,
        metadata: { ...metadata, name: `${this.name}-models` },
        spec: {
          accessModes: [volume.accessMode],
          storageClassName: volume.storageClassName,
          resources: { requests: { storage: volume.size } },
        },
        // A WaitForFirstConsumer class binds only once a pod exists, which is after this resource.
        waitUntilBound: false,
      });
      claimName = claim.metadata.name;
    }

    const probe = (o: HttpProbeOptions | undefined, path: string, timing: Omit<HttpProbe, "path" | "portName">): HttpProbe => ({
      path,
      portName: (o?.port ?? "serving") === "metrics" && metricsPort !== undefined ? METRICS_PORT_NAME : SERVING_PORT_NAME,
      ...timing,
    });
    const initialReplicas = autoscaling ? minReplicas : replicas;

    this.deployment = new DeploymentV1(this, "deployment", {
      dependsOn,
      metadata,
      waitForRollout,
      spec: {
        replicas: String(initialReplicas),
        revisionHistoryLimit: 5,
        selector: { matchLabels: selectorLabels },
        // Never below the current capacity during a rollout; the surge pod needs one spare GPU.
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "1", maxUnavailable: "0" } },
        template: {
          metadata: { labels },
          spec: inferencePodSpec({
            labels: selectorLabels,
            image: props.image,
            command: props.command,
            args: props.args,
            env: { HOME: "/tmp", ...props.env },
            servingPort,
            metricsPort,
            gpus,
            resources,
            startup: probe(probes.startup, startupPath, {
              initialDelaySeconds: 0,
              periodSeconds: startupPeriod,
              failureThreshold: Math.ceil(maxStartupSeconds / startupPeriod),
              timeoutSeconds: 5,
            }),
            readiness: probe(probes.readiness, readinessPath, {
              initialDelaySeconds: readinessDelay,
              periodSeconds: readinessPeriod,
              failureThreshold: 3,
              timeoutSeconds: 3,
            }),
            liveness: probe(probes.liveness, livenessPath, {
              initialDelaySeconds: 0,
              periodSeconds: livenessPeriod,
              failureThreshold: 3,
              timeoutSeconds: livenessTimeout,
            }),
            preStopSleepSeconds,
            terminationGracePeriodSeconds,
            scheduling: schedulingForPools([this.pool]),
            spreadNodes,
            spreadZones,
            runAsUser,
            scratchSizeLimit,
            sharedMemorySizeLimit: sharedMemory,
            model: props.model
              ? {
                  source: props.model.volume.source,
                  claimName,
                  mountPath: modelMountPath,
                  readOnly: modelReadOnly,
                }
              : undefined,
            init: props.model?.init
              ? {
                  image: props.model.init.image,
                  command: props.model.init.command,
                  args: props.model.init.args,
                  env: { HOME: "/tmp", ...props.model.init.env },
                  resources: initResources,
                }
              : undefined,
            serviceAccountName: serviceAccount.metadata.name,
            automountServiceAccountToken: automountToken,
          }),
        },
      },
      // The HPA owns the replica count once it exists.
      lifecycle: autoscaling ? { ignoreChanges: ["spec[0].replicas"] } : undefined,
    });

    const servicePorts = [{ name: SERVING_PORT_NAME, port: servingPort, targetPort: SERVING_PORT_NAME, protocol: "TCP" }];
    if (metricsPort !== undefined) {
      servicePorts.push({ name: METRICS_PORT_NAME, port: metricsPort, targetPort: METRICS_PORT_NAME, protocol: "TCP" });
    }
    this.service = new ServiceV1(this, "service", {
      dependsOn,
      metadata,
      spec: { type: "ClusterIP", selector: selectorLabels, port: servicePorts },
    });

    new PodDisruptionBudgetV1(this, "pdb", {
      dependsOn,
      metadata,
      spec: { maxUnavailable: "1", selector: { matchLabels: selectorLabels } },
    });

    const monitoringPeer: NetworkPolicyV1SpecIngressFrom = {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": monitoringNamespace } },
    };
    const servingPeers: NetworkPolicyV1SpecIngressFrom[] =
      props.allowServingFrom === undefined
        ? // Every namespace carries this label (Kubernetes >= 1.22); explicit rather than an empty selector.
          [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "Exists" }] } }]
        : [
            {
              namespaceSelector: {
                matchExpressions: [
                  {
                    key: "kubernetes.io/metadata.name",
                    operator: "In",
                    // Metrics on the serving port: Prometheus must reach it too.
                    values: [...new Set([...props.allowServingFrom, ...(metricsPort === undefined ? [monitoringNamespace] : [])])],
                  },
                ],
              },
            },
          ];
    new NetworkPolicyV1(this, "network-policy", {
      dependsOn,
      metadata,
      spec: {
        podSelector: { matchLabels: selectorLabels },
        policyTypes: ["Ingress"],
        ingress: [
          { ports: [{ port: String(servingPort), protocol: "TCP" }], from: servingPeers },
          ...(metricsPort === undefined ? [] : [{ ports: [{ port: String(metricsPort), protocol: "TCP" }], from: [monitoringPeer] }]),
        ],
      },
    });

    if (autoscaling) {
      this.autoscalingMetricName = requestsPerSecondMetricName(this.name);
      this.hpa = new HorizontalPodAutoscalerV2(this, "hpa", {
      dependsOn,
        metadata,
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: this.deployment.metadata.name },
          minReplicas,
          maxReplicas,
          metric: [
            {
              type: "Pods",
              pods: {
                metric: { name: this.autoscalingMetricName },
                target: { type: "AverageValue", averageValue: formatQuantity(targetRps) },
              },
            },
          ],
          behavior: {
            scaleUp: [
              {
                stabilizationWindowSeconds: scaleUpStabilization,
                selectPolicy: "Max",
                policy: [{ type: "Pods", value: scaleUpPods, periodSeconds: 60 }],
              },
            ],
            scaleDown: [
              {
                stabilizationWindowSeconds: scaleDownStabilization,
                selectPolicy: "Min",
                policy: [{ type: "Pods", value: 1, periodSeconds: 120 }],
              },
            ],
          },
        },
      });
      registerPodsMetricConsumer(this, { hpa: `${this.namespace}/${this.name}`, metricName: this.autoscalingMetricName });
    }

    props.catalog.addServiceMonitor({
      name: this.name,
      namespace: this.namespace,
      selectorLabels,
      port: metricsPort === undefined ? SERVING_PORT_NAME : METRICS_PORT_NAME,
      path: metricsPath,
      interval: props.scrapeInterval,
    });
    props.catalog.addService({
      selector: { namespace: this.namespace, service: this.name },
      contract: this.contract,
      deployment: this.name,
      hpa: this.hpa ? this.name : undefined,
      alerting: props.alerting,
      slos: props.slos,
      team: props.team,
    });
  }
}

/** The pool by reference or by name, checked against the platform's pools. */
function resolvePool(scope: Construct, wanted: IGpuPool | string | undefined, pools: readonly IGpuPool[]): IGpuPool {
  const names = pools.map((p) => p.poolName);
  const accepted = names.length ? `must be one of the platform's GPU pools (${names.join(", ")})` : "must be a GPU pool, but the platform has none";
  if (wanted === undefined) {
    if (pools.length === 1) return pools[0];
    throw new PlatformConfigError(scope, "gpuPool", wanted, `${accepted}; it can be omitted only when there is exactly one`);
  }
  const name = typeof wanted === "string" ? wanted : wanted.poolName;
  const found = pools.find((p) => p.poolName === name);
  if (!found) throw new PlatformConfigError(scope, "gpuPool", name, accepted);
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
