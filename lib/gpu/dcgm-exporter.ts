import { Construct } from "constructs";
import { MonitoringLabelContract } from "../contracts/monitoring-labels";
import { registerScrapeTarget } from "../contracts/scrape-targets";
import { PlatformConfigError } from "../core/errors";
import { NamespaceRef, toNamespaceRef } from "../core/kubernetes/namespace-ref";
import { ResourceRequirements } from "../core/kubernetes/resources";
import { parsePrometheusDuration } from "../core/validate";
import { CrdProvider, PROMETHEUS_OPERATOR_CRDS, existingCrds } from "../platform/custom-resources";
import { PinnedHelmRelease } from "../platform/pinned-helm-release";
import { CHARTS, IMAGES } from "../versions";
import { DCGM_SERVICE_MONITOR_RELABELINGS, DcgmRelabeling } from "./dcgm-service-monitor";
import { IGpuPool, schedulingForPools } from "./gpu-pool";
import { registerGpuDaemonSet } from "./gpu-scheduling-validation";
import { DCGM_EXPORTER_PODS, DCGM_EXPORTER_PORT } from "./dcgm-pods";
import { NodeAffinity, Toleration } from "../core/kubernetes/scheduling";
import { keepTemplatesLiteral } from "../core/terraform-literals";

/** Values of the dcgm-exporter chart that this library sets (chart 4.8.2). */
export interface DcgmExporterValues {
  readonly image: { readonly repository: string; readonly tag: string };
  readonly tolerations: readonly Toleration[];
  readonly affinity: { readonly nodeAffinity: NodeAffinity };
  readonly priorityClassName: string;
  readonly resources: ResourceRequirements;
  readonly serviceMonitor: {
    readonly enabled: boolean;
    readonly interval: string;
    readonly scrapeTimeout: string;
    /** Keep the exporter's pod/namespace labels (the GPU's workload) instead of exported_*: dcgm-exporter #85. */
    readonly honorLabels: boolean;
    readonly additionalLabels: Readonly<Record<string, string>>;
    /** Target relabelings (prometheus-operator RelabelConfig), applied after the operator's own target labels. */
    readonly relabelings: readonly DcgmRelabeling[];
  };
}

export interface DcgmExporterOptions {
  /**
   * A namespace that exists already, or a reference to the one this app creates (the release
   * waits for it).
   * @default "nvidia" (which must exist)
   */
  readonly namespace?: string | NamespaceRef;
  /** @default "15s" */
  readonly scrapeInterval?: string;
  /** @default - requests 100m CPU / 128Mi, limits 500m / 512Mi */
  readonly resources?: ResourceRequirements;
  /**
   * Replace the tolerations derived from the pools. Checked at synth against every pool's taints.
   * @default - one toleration per taint of each pool
   */
  readonly tolerations?: readonly Toleration[];
}

export interface DcgmExporterProps extends DcgmExporterOptions {
  readonly pools: readonly IGpuPool[];
  /** The labels Prometheus selects ServiceMonitors by. */
  readonly monitoringLabels: MonitoringLabelContract;
  /**
   * The ServiceMonitor CRD the chart's ServiceMonitor needs: `MonitoringStack.crds` (the
   * release waits for kube-prometheus-stack, which installs it).
   * @default - the monitoring.coreos.com CRDs exist in the cluster already
   */
  readonly monitoringCrds?: CrdProvider;
}

const DEFAULT_RESOURCES: ResourceRequirements = {
  requests: { cpu: "100m", memory: "128Mi" },
  limits: { cpu: "500m", memory: "512Mi" },
};

/**
 * NVIDIA DCGM exporter on every GPU node, with a ServiceMonitor that the platform's Prometheus
 * selects. Runs as root with SYS_ADMIN (the chart's default) because the profiling metrics
 * (DCGM_FI_PROF_*, used for saturation) need it.
 */
export class DcgmExporter extends Construct {
  public readonly namespace: string;
  public readonly scrapeInterval: string;
  public readonly helm: PinnedHelmRelease<DcgmExporterValues>;

  constructor(scope: Construct, id: string, props: DcgmExporterProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    const namespace = toNamespaceRef(props.namespace ?? "nvidia");
    this.namespace = namespace.name;
    this.scrapeInterval = props.scrapeInterval ?? "15s";
    if (props.pools.length === 0) {
      throw new PlatformConfigError(this, "pools", [], "must name at least one GPU pool");
    }
    const intervalSeconds = parsePrometheusDuration(this, "scrapeInterval", this.scrapeInterval);
    // The scrape must time out before the next one starts.
    const timeoutSeconds = Math.max(1, Math.min(10, intervalSeconds - 1));
    const derived = schedulingForPools(props.pools);
    const tolerations = props.tolerations ?? derived.tolerations;

    this.helm = new PinnedHelmRelease(this, "chart", {
      releaseName: "dcgm-exporter",
      namespace,
      chart: CHARTS.dcgmExporter,
      createsCustomResources: [{ crds: props.monitoringCrds ?? existingCrds(PROMETHEUS_OPERATOR_CRDS), kinds: ["ServiceMonitor"] }],
      values: {
        image: IMAGES.dcgmExporter,
        tolerations,
        affinity: derived.affinity,
        priorityClassName: "system-node-critical",
        resources: props.resources ?? DEFAULT_RESOURCES,
        serviceMonitor: {
          enabled: true,
          interval: this.scrapeInterval,
          scrapeTimeout: `${timeoutSeconds}s`,
          honorLabels: true,
          additionalLabels: props.monitoringLabels.serviceMonitorLabels,
          relabelings: DCGM_SERVICE_MONITOR_RELABELINGS,
        },
      },
    });
    registerScrapeTarget(this, {
      name: "dcgm-exporter",
      labels: this.helm.values.serviceMonitor.additionalLabels,
      endpoint: { namespace: this.namespace, pods: DCGM_EXPORTER_PODS, port: DCGM_EXPORTER_PORT, portName: "metrics" },
    });
    registerGpuDaemonSet(this, {
      component: "dcgm-exporter",
      tolerations,
      nodeAffinity: derived.affinity.nodeAffinity,
      isDevicePlugin: false,
    });
  }
}
