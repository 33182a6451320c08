/**
 * The label contract between Prometheus and everything it must find: ServiceMonitors and
 * PrometheusRules are picked up only when their labels match Prometheus's selectors, the most
 * reported cause of "no data" (prometheus-community/helm-charts #1631, NVIDIA/gpu-operator #305).
 * Both sides read this one object: the monitoring stack sets its selectors from it, every
 * scrape and rule producer labels itself from it, and a synth-time check compares the two.
 */
export interface MonitoringLabelContract {
  /** Release name of kube-prometheus-stack; its own monitors carry `release: <name>`. */
  readonly releaseName: string;
  /** Namespace that Prometheus, Alertmanager and Grafana run in. */
  readonly namespace: string;
  /** Labels a ServiceMonitor or PodMonitor needs to be scraped. */
  readonly serviceMonitorLabels: Readonly<Record<string, string>>;
  /** Labels a PrometheusRule needs to be loaded. */
  readonly ruleLabels: Readonly<Record<string, string>>;
}

export const DEFAULT_MONITORING_RELEASE = "kube-prometheus-stack";
export const DEFAULT_MONITORING_NAMESPACE = "monitoring";

export function monitoringLabelContract(
  releaseName: string = DEFAULT_MONITORING_RELEASE,
  namespace: string = DEFAULT_MONITORING_NAMESPACE,
): MonitoringLabelContract {
  // The chart labels its own ServiceMonitors and rules `release: <release name>`: selecting on
  // exactly that keeps the chart's monitors and ours under one selector.
  const labels = { release: releaseName };
  return { releaseName, namespace, serviceMonitorLabels: labels, ruleLabels: labels };
}
