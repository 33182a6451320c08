import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Annotations, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { IEksCluster } from "../lib/core/cluster-ref";
import { ClusterAutoscaler, ClusterAutoscalerOptions } from "../lib/autoscaling/cluster-autoscaler";
import { IClusterAutoscalerIdentity } from "../lib/autoscaling/cluster-autoscaler-role";
import { IAutoscaledNodeGroup } from "../lib/cluster/node-autoscaling";
import { EksCluster } from "../lib/cluster/eks-cluster";
import { MonitoringCatalog } from "../lib/contracts/monitoring-catalog";
import { monitoringLabelContract } from "../lib/contracts/monitoring-labels";
import { IGpuPool } from "../lib/gpu/gpu-pool";
import { GpuNodeComponents } from "../lib/gpu/gpu-node-components";
import { ClusterProviders } from "../lib/platform/cluster-providers";
import { Gp3StorageClass } from "../lib/platform/gp3-storage-class";
import { addNetworkPolicyEnforcementCheck } from "../lib/platform/network-policy-enforcement";
import { NamespaceRef, namespaceRefOf } from "../lib/core/kubernetes/namespace-ref";
import { addOrderingValidation } from "../lib/platform/ordering-validation";
import { MonitoringStack, MonitoringStackOptions } from "../lib/monitoring/monitoring-stack";
import { GrafanaDashboards } from "../lib/monitoring/dashboards/grafana-dashboards";
import { InferenceService } from "../lib/workload/inference-service";
import { parseEnvValue } from "../lib/workload/env-value";
import { PrometheusAdapter } from "../lib/monitoring/prometheus-adapter";
import { AlertingConfig, alertmanagerConfigFor } from "./alerting-config";
import { Thanos } from "../lib/storage/thanos";
import { IThanosBucket } from "../lib/storage/thanos-bucket";
import { ThanosComponentRoles } from "../lib/storage/thanos-bucket-access";
import { InferenceConfig, PLACEHOLDER_INFERENCE_IMAGE, ServiceConfig, ThanosConfig } from "./config";
import { keepTemplatesLiteral } from "../lib/core/terraform-literals";

export interface PlatformStackProps {
  readonly region: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The cluster from the cluster stack, or the name of an existing cluster to look up. */
  readonly cluster: IEksCluster | string;
  /** The GPU pools: `GpuNodeGroup`s of the cluster stack, or `GpuPool.fromExisting(...)`. */
  readonly gpuPools: readonly IGpuPool[];
  /** Labels of the system pool that monitoring components run on. */
  readonly systemNodeLabels: Readonly<Record<string, string>>;
  /** Pods per GPU with time-slicing. @default - no sharing */
  readonly timeSlicingReplicas?: number;
  /** The default inference service, when `services` is not set. */
  readonly inference: InferenceConfig;
  /** The app's model servers, in namespace `inference`. @default - the one default service of `inference` */
  readonly services?: readonly ServiceConfig[];
  /** Notification channels of the platform routing policy. */
  readonly alerting: AlertingConfig;
  /**
   * Long-term storage: the bucket and IRSA roles from the cluster stack, plus retention.
   * @default - no Thanos: Prometheus keeps its local retention only
   */
  readonly thanos?: Omit<ThanosConfig, "bucket"> & { readonly bucket: IThanosBucket; readonly roles: ThanosComponentRoles };
  /** Monitoring options beyond the cluster name and routing. @default - platform defaults */
  readonly monitoring?: Omit<MonitoringStackOptions, "clusterName">;
  /** Cluster Autoscaler: its IRSA role and the node groups it sizes. @default - none installed */
  readonly nodeAutoscaling?: PlatformNodeAutoscaling;
}

export interface PlatformNodeAutoscaling extends ClusterAutoscalerOptions {
  readonly identity: IClusterAutoscalerIdentity;
  readonly nodeGroups: readonly IAutoscaledNodeGroup[];
}

/**
 * Namespaces and their Pod Security level (enforced). Only what needs the host is privileged:
 * the NVIDIA agents (device plugin, DCGM exporter) and node-exporter, in a namespace of its own;
 * Prometheus, Alertmanager, Grafana, the operator and the adapter run under baseline, model
 * servers under restricted.
 */
export const PLATFORM_NAMESPACES = {
  nvidia: "privileged",
  "node-monitoring": "privileged",
  monitoring: "baseline",
  inference: "restricted",
} as const;

/**
 * `warn` and `audit` one level stricter than `enforce` (restricted stays restricted): a chart
 * upgrade that would also pass a stricter level shows in warnings and the audit log, the way
 * to tighten a namespace later.
 */
const STRICTER = { privileged: "baseline", baseline: "restricted", restricted: "restricted" } as const;

/** The Pod Security labels of a namespace enforcing `level`. */
export function podSecurityLabels(level: keyof typeof STRICTER): Record<string, string> {
  return {
    "pod-security.kubernetes.io/enforce": level,
    "pod-security.kubernetes.io/warn": STRICTER[level],
    "pod-security.kubernetes.io/audit": STRICTER[level],
  };
}

/**
 * Everything inside the cluster: namespaces, storage, the NVIDIA components on the GPU pools,
 * and (in later layers) inference services and monitoring. Works alone against an existing
 * cluster given by name.
 */
export class PlatformStack extends TerraformStack {
  public readonly catalog: MonitoringCatalog;
  public readonly gpu: GpuNodeComponents;
  public readonly cluster: IEksCluster;
  public readonly namespaces: Record<keyof typeof PLATFORM_NAMESPACES, NamespaceV1>;
  public readonly monitoring: MonitoringStack;
  /** The first inference service: the default one, or the first of `services`. */
  public readonly inferenceServer: InferenceService;
  public readonly clusterAutoscaler?: ClusterAutoscaler;
  public readonly dashboards: GrafanaDashboards;
  /** @default - undefined without long-term storage */
  public readonly thanos?: Thanos;
  /** Every inference service, in configuration order. */
  public readonly inferenceServices: readonly InferenceService[];

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    new AwsProvider(this, "aws", { region: props.region, defaultTags: [{ tags: { ...props.tags } }] });
    this.cluster = typeof props.cluster === "string" ? EksCluster.fromClusterName(this, "eks", props.cluster) : props.cluster;
    new ClusterProviders(this, "providers", { cluster: this.cluster, region: props.region });
    addNetworkPolicyEnforcementCheck(this, this.cluster);

    this.catalog = new MonitoringCatalog(monitoringLabelContract());
    const entries = Object.entries(PLATFORM_NAMESPACES) as [keyof typeof PLATFORM_NAMESPACES, keyof typeof STRICTER][];
    this.namespaces = Object.fromEntries(
      entries.map(([name, level]) => [
        name,
        new NamespaceV1(this, `namespace-${name}`, {
          metadata: { name, labels: { ...podSecurityLabels(level), "app.kubernetes.io/part-of": "gpu-inference-platform" } },
        }),
      ]),
    ) as Record<keyof typeof PLATFORM_NAMESPACES, NamespaceV1>;
    // Literal names keep rules and exported files readable; the resources order the apply.
    const ns = (name: keyof typeof PLATFORM_NAMESPACES): NamespaceRef => namespaceRefOf(this.namespaces[name], name);
    const storage = new Gp3StorageClass(this, "storage");

    if (props.nodeAutoscaling) {
      const { identity, nodeGroups, ...options } = props.nodeAutoscaling;
      this.clusterAutoscaler = new ClusterAutoscaler(this, "cluster-autoscaler", {
        ...options,
        clusterName: this.cluster.clusterName,
        region: props.region,
        clusterKubernetesVersion: this.cluster.kubernetesVersion,
        identity,
        nodeGroups,
        nodeSelector: props.systemNodeLabels,
        catalog: this.catalog,
      });
    } else {
      const autoscaled = props.gpuPools.filter((p) => p.autoscaled).map((p) => p.poolName);
      if (autoscaled.length > 0) {
        Annotations.of(this).addWarning(
          `GPU pools ${autoscaled.join(", ")} leave their size to Cluster Autoscaler, but this platform installs none (nodeAutoscaling): they stay at their current size unless one runs in the cluster.`,
        );
      }
    }

    if (!props.alerting.pagerdutyRoutingKey && !props.alerting.slackWebhookUrl && !props.alerting.wecomRobotBridgeUrl) {
      Annotations.of(this).addWarning(
        "No notification channel is configured (alerting.slackWebhookUrl, alerting.wecomRobotBridgeUrl, alerting.pagerdutyRoutingKey): alerts are visible in Alertmanager and Grafana but sent nowhere.",
      );
    }
    if (props.thanos) {
      this.thanos = new Thanos(this, "thanos", {
        ...props.thanos,
        namespace: namespaceRefOf(this.namespaces.monitoring, this.catalog.labels.namespace),
        catalog: this.catalog,
        nodeSelector: props.systemNodeLabels,
        storageClass: storage,
      });
    }
    this.monitoring = new MonitoringStack(this, "monitoring", {
      ...props.monitoring,
      ...(this.thanos && { thanos: this.thanos.prometheusSidecar, rules: { ...props.monitoring?.rules, storage: this.thanos.ruleOptions } }),
      alertmanager: { ...props.monitoring?.alertmanager, routing: { config: alertmanagerConfigFor(props.alerting) } },
      clusterName: this.cluster.clusterName,
      catalog: this.catalog,
      gpuPools: props.gpuPools,
      systemNodeLabels: props.systemNodeLabels,
      storageClass: storage,
      namespace: ns("monitoring"),
      nodeExporterNamespace: ns("node-monitoring"),
    });
    // After monitoring: the DCGM exporter's ServiceMonitor needs the CRDs kube-prometheus-stack installs.
    this.gpu = new GpuNodeComponents(this, "gpu", {
      pools: props.gpuPools,
      monitoringLabels: this.catalog.labels,
      monitoringCrds: this.monitoring.crds,
      devicePlugin: {
        namespace: ns("nvidia"),
        ...(props.timeSlicingReplicas !== undefined && { timeSlicing: { replicasPerGpu: props.timeSlicingReplicas } }),
      },
      dcgmExporter: { namespace: ns("nvidia") },
    });
    new PrometheusAdapter(this, "prometheus-adapter", {
      catalog: this.catalog,
      namespace: ns("monitoring"),
      prometheusUrl: this.monitoring.prometheusUrl,
      prometheusPort: this.monitoring.prometheusPort,
      nodeSelector: props.systemNodeLabels,
    });

    if (props.services) {
      // Named by the service: its errors and warnings say platform/<name>.
      this.inferenceServices = props.services.map(
        (service) =>
          new InferenceService(this, service.name, {
            ...service,
            gpuPool: service.gpuPool ?? props.gpuPools[0].poolName,
            namespace: ns("inference"),
            pools: props.gpuPools,
            catalog: this.catalog,
          }),
      );
    } else {
      if (props.inference.image === PLACEHOLDER_INFERENCE_IMAGE) {
        Annotations.of(this).addWarning(
          `The inference service uses the placeholder image ${PLACEHOLDER_INFERENCE_IMAGE}; set inference.image (or GPU_PLATFORM_INFERENCE_IMAGE) to your model server before deploying.`,
        );
      }
      this.inferenceServices = [
        new InferenceService(this, "inference-server", {
          name: "inference-server",
          namespace: ns("inference"),
          image: props.inference.image,
          gpuPool: props.inference.gpuPool ?? props.gpuPools[0].poolName,
          overflowPool: props.inference.overflowPool,
          ...(props.inference.maxReplicas !== undefined && { autoscaling: { maxReplicas: props.inference.maxReplicas } }),
          ...(props.inference.env && { env: Object.fromEntries(Object.entries(props.inference.env).map(([k, v]) => [k, parseEnvValue(v)])) }),
          ...(props.inference.egress && { egress: props.inference.egress }),
          pools: props.gpuPools,
          catalog: this.catalog,
          // 99.5% of requests succeed and 95% finish within 1 s (a bound of prometheus_client's default buckets).
          slos: { availability: 0.995, latency: { objective: 0.95, thresholdSeconds: 1 } },
        }),
      ];
    }
    this.inferenceServer = this.inferenceServices[0];
    this.dashboards = new GrafanaDashboards(this, "dashboards", {
      monitoring: this.monitoring,
      catalog: this.catalog,
      namespace: ns("monitoring"),
    });

    // Proves on the synthesized plan that everything waits for its namespace and CRDs.
    addOrderingValidation(this);
  }
}
