import { AutoscalingSignal } from "./autoscaling-agreement";
import { DomainMetric } from "./domain-metrics";
import { MetricContract, ServiceSelector } from "./metric-contract";
import { MonitoringLabelContract } from "./monitoring-labels";
import { InferenceAlertOptions, ServiceSlos } from "./service-objectives";

/** A ServiceMonitor delivered through kube-prometheus-stack values, so it plans on an empty cluster. */
export interface ServiceMonitorSpec {
  readonly name: string;
  /** Namespace of the Service it selects. */
  readonly namespace: string;
  /** Labels of the Service to scrape. */
  readonly selectorLabels: Readonly<Record<string, string>>;
  /** Named Service port to scrape. */
  readonly port: string;
  /**
   * The container port number behind `port`, so NetworkPolicies (which name numbers) can be
   * checked against the scrape on paper.
   * @default - unknown: only a policy naming the port by name is matched
   */
  readonly targetPort?: number;
  /** @default "/metrics" */
  readonly path?: string;
  /** @default - the Prometheus scrape interval */
  readonly interval?: string;
  /** Credentials Prometheus sends with every scrape, from a Secret in the monitoring namespace. @default - none */
  readonly auth?: ScrapeAuth;
}

/**
 * How Prometheus authenticates to a `/metrics` that needs it, from a Kubernetes Secret. The
 * Prometheus operator reads the Secret from the ServiceMonitor's namespace, which is the
 * monitoring namespace (kube-prometheus-stack creates its additional ServiceMonitors there).
 */
export type ScrapeAuth =
  | { readonly kind: "basicAuth"; readonly secretName: string; readonly usernameKey: string; readonly passwordKey: string }
  | { readonly kind: "bearerToken"; readonly secretName: string; readonly key: string };

/** A model server the platform watches: who it is, what it exposes, what it promises. */
export interface MonitoredService {
  readonly selector: ServiceSelector;
  readonly contract: MetricContract;
  /** Deployment name, for replica, restart and OOM alerts from kube-state-metrics. */
  readonly deployment: string;
  /** HorizontalPodAutoscaler name, for the "pinned at max replicas" alert. @default - no HPA */
  readonly hpa?: string;
  /** What the HPA scales on, served by the adapter. @default "requestsPerSecond" (with an HPA) */
  readonly autoscalingSignal?: AutoscalingSignal;
  readonly alerting?: InferenceAlertOptions;
  readonly slos?: ServiceSlos;
  /**
   * The service's own gauges and counters: per-pod alerts where they have thresholds, and panels
   * (`domainMetricQuery` gives the PromQL, `title` and `unit` the rest). @default - none
   */
  readonly domainMetrics?: readonly DomainMetric[];
  /** Team label attached to this service's alerts, used by Alertmanager routing. @default - none */
  readonly team?: string;
}

/**
 * What the in-cluster producers hand to the monitoring stack: scrape targets and the services
 * whose metrics rules, dashboards and autoscaling are generated for. Producers add to it while
 * the app is built; consumers read it lazily at synth, so construction order does not matter.
 */
export class MonitoringCatalog {
  private readonly _serviceMonitors: ServiceMonitorSpec[] = [];
  private readonly _services: MonitoredService[] = [];

  constructor(public readonly labels: MonitoringLabelContract) {}

  public addServiceMonitor(spec: ServiceMonitorSpec): void {
    this._serviceMonitors.push(spec);
  }

  public addService(service: MonitoredService): void {
    this._services.push(service);
  }

  public get serviceMonitors(): readonly ServiceMonitorSpec[] {
    return this._serviceMonitors;
  }

  public get services(): readonly MonitoredService[] {
    return this._services;
  }
}
