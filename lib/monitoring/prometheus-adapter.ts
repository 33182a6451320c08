import { Construct } from "constructs";
import { MonitoringCatalog } from "../contracts/monitoring-catalog";
import { PlatformConfigError } from "../core/errors";
import { NamespaceRef, toNamespaceRef } from "../core/kubernetes/namespace-ref";
import { writeComponentPolicy } from "../core/kubernetes/network-policy";
import { prometheusAdapterFlows } from "./monitoring-network-policies";
import { ResourceRequirements } from "../core/kubernetes/resources";
import { checkDns1123Label, checkIntRange, isToken, parsePrometheusDuration } from "../core/validate";
import { PinnedHelmRelease } from "../platform/pinned-helm-release";
import { CHARTS } from "../versions";
import { AdapterCustomRule, adapterRuleProblems, autoscalingRule } from "./private/adapter-rules";
import { registerCustomMetricsAdapter } from "../contracts/autoscaling-agreement";
import { keepTemplatesLiteral } from "../core/terraform-literals";

export type { AdapterCustomRule } from "./private/adapter-rules";

/**
 * Values of the prometheus-adapter chart that this library sets (chart 5.3.0, adapter v0.12.0);
 * every key exists in the chart's values.yaml.
 */
export interface PrometheusAdapterValues {
  readonly replicas: number;
  readonly prometheus: { readonly url: string; readonly port: number; readonly path: string };
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly resources: ResourceRequirements;
  readonly podSecurityContext: { readonly fsGroup: number };
  readonly securityContext: {
    readonly allowPrivilegeEscalation: boolean;
    readonly capabilities: { readonly drop: readonly string[] };
    readonly readOnlyRootFilesystem: boolean;
    readonly runAsNonRoot: boolean;
    readonly runAsUser: number;
    readonly seccompProfile: { readonly type: "RuntimeDefault" };
  };
  readonly podDisruptionBudget: { readonly enabled: boolean; readonly maxUnavailable: number };
  readonly rules: {
    /** The chart's default rules expose every series as a custom metric: off, we serve only what HPAs use. */
    readonly default: boolean;
    readonly custom: readonly AdapterCustomRule[];
  };
}

export interface PrometheusAdapterOptions {
  /**
   * A namespace that exists already, or a reference to the one this app creates (the release
   * waits for it).
   * @default - the monitoring namespace of the catalog's label contract, which must exist
   */
  readonly namespace?: string | NamespaceRef;
  /**
   * Prometheus (or Thanos Query) base URL, without the port.
   * @default - `http://<release>-prometheus.<namespace>.svc` of the catalog's kube-prometheus-stack
   * release (`http://kube-prometheus-stack-prometheus.monitoring.svc` by default)
   */
  readonly prometheusUrl?: string;
  /** @default 9090 */
  readonly prometheusPort?: number;
  /** Window of `rate()` in the served metrics: at least 4 scrape intervals. @default "2m" */
  readonly rateWindow?: string;
  /** Every HPA on a custom metric stalls while the adapter is down. @default 2 */
  readonly replicas?: number;
  /** @default - requests 100m CPU / 128Mi, limits 512Mi */
  readonly resources?: ResourceRequirements;
  /**
   * A NetworkPolicy for the adapter's pods: the API server in (the custom metrics API), Prometheus,
   * DNS and the API server out. False where nothing enforces NetworkPolicies.
   * @default true
   */
  readonly networkPolicies?: boolean;
}

export interface PrometheusAdapterProps extends PrometheusAdapterOptions {
  /** Services with an HPA in this catalog get one rule each, generated at synth. */
  readonly catalog: MonitoringCatalog;
  /** Labels of the system pool's nodes, so the adapter stays off GPU nodes. */
  readonly nodeSelector: Readonly<Record<string, string>>;
}

const DEFAULT_RESOURCES: ResourceRequirements = {
  requests: { cpu: "100m", memory: "128Mi" },
  limits: { memory: "512Mi" },
};

/** The chart's own name: kube-prometheus-stack names its Prometheus Service `<fullname>-prometheus`. */
const KUBE_PROMETHEUS_STACK_CHART = "kube-prometheus-stack";

/**
 * prometheus-adapter serving one `<service>_requests_per_second` custom metric per autoscaled
 * service of the catalog. Rules are generated lazily at synth from each service's metric contract
 * through promql.ts, so services may be added after the adapter.
 */
export class PrometheusAdapter extends Construct {
  public readonly namespace: string;
  public readonly prometheusUrl: string;
  public readonly rateWindow: string;
  public readonly helm: PinnedHelmRelease<PrometheusAdapterValues>;
  private readonly catalog: MonitoringCatalog;

  constructor(scope: Construct, id: string, props: PrometheusAdapterProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    this.catalog = props.catalog;
    const labels = props.catalog.labels;
    const namespace = toNamespaceRef(props.namespace ?? labels.namespace);
    this.namespace = namespace.name;
    this.prometheusUrl = props.prometheusUrl ?? kubePrometheusStackPrometheusUrl(labels.releaseName, labels.namespace);
    const prometheusPort = props.prometheusPort ?? 9090;
    this.rateWindow = props.rateWindow ?? "2m";
    const replicas = props.replicas ?? 2;

    checkDns1123Label(this, "namespace", this.namespace);
    if (!isToken(this.prometheusUrl) && !/^https?:\/\/[^/:]+$/.test(this.prometheusUrl)) {
      throw new PlatformConfigError(this, "prometheusUrl", this.prometheusUrl, "must be http(s)://host without port or path (the port is prometheusPort)");
    }
    checkIntRange(this, "prometheusPort", prometheusPort, 1, 65535);
    if (parsePrometheusDuration(this, "rateWindow", this.rateWindow) < 30) {
      throw new PlatformConfigError(this, "rateWindow", this.rateWindow, "must be at least 30s (4 scrape intervals or more)");
    }
    checkIntRange(this, "replicas", replicas, 1, 10);
    if (Object.keys(props.nodeSelector).length === 0) {
      throw new PlatformConfigError(this, "nodeSelector", props.nodeSelector, "must hold the system pool's node labels");
    }

    this.helm = new PinnedHelmRelease<PrometheusAdapterValues>(this, "chart", {
      releaseName: "prometheus-adapter",
      namespace,
      chart: CHARTS.prometheusAdapter,
      values: () => ({
        replicas,
        prometheus: { url: this.prometheusUrl, port: prometheusPort, path: "" },
        nodeSelector: props.nodeSelector,
        resources: props.resources ?? DEFAULT_RESOURCES,
        podSecurityContext: { fsGroup: 10001 },
        securityContext: {
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          runAsUser: 10001,
          seccompProfile: { type: "RuntimeDefault" },
        },
        podDisruptionBudget: { enabled: replicas > 1, maxUnavailable: 1 },
        rules: { default: false, custom: this.rules() },
      }),
    });
    if (props.networkPolicies ?? true) {
      const kubePrometheusStack = props.prometheusUrl === undefined;
      writeComponentPolicy(this, namespace, prometheusAdapterFlows({ namespace: labels.namespace, port: prometheusPort, kubePrometheusStack }));
    }
    registerCustomMetricsAdapter(this, () => this.rules().map((r) => r.name.as));
    // The queries come from the services' metric contracts: checked once all services are known.
    this.node.addValidation({
      // Generated from the contracts' templates, which the tests type-check: syntax at synth.
      validate: () => this.rules().flatMap((r) => adapterRuleProblems(this, r, { types: false })),
    });
  }

  /** One rule per catalog service with an HPA, on the signal it scales on, as rendered at synth. */
  public rules(): AdapterCustomRule[] {
    return this.catalog.services
      .filter((s) => s.hpa !== undefined)
      .map((s) => autoscalingRule(s.autoscalingSignal ?? "requestsPerSecond", s.contract, s.selector, s.deployment, this.rateWindow));
  }
}

/**
 * kube-prometheus-stack's fullname helper (templates/_helpers.tpl): the release name when it
 * contains the chart name, else `<release>-kube-prometheus-stack`, cut to 26 characters; its
 * Prometheus Service is `<fullname>-prometheus`. A `fullnameOverride` is not visible from here:
 * pass `prometheusUrl` then.
 */
export function kubePrometheusStackPrometheusUrl(releaseName: string, namespace: string): string {
  const full = releaseName.includes(KUBE_PROMETHEUS_STACK_CHART) ? releaseName : `${releaseName}-${KUBE_PROMETHEUS_STACK_CHART}`;
  return `http://${full.slice(0, 26).replace(/-+$/, "")}-prometheus.${namespace}.svc`;
}
