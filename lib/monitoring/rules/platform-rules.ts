import { IConstruct } from "constructs";
import { DEFAULT_MONITORING_NAMESPACE } from "../../contracts/monitoring-labels";
import { checkDns1123Label } from "../../core/validate";
import { checkPercent, checkWindow } from "./private/checks";
import { num, oneOf, series } from "./private/queries";
import { alertRule } from "./private/rule-builders";
import { HEARTBEAT_LABEL, Rule, RuleGroup } from "./rule-types";

export interface PlatformRuleOptions {
  /** Namespace of Prometheus and Alertmanager. @default "monitoring" */
  readonly monitoringNamespace?: string;
  /** Namespaces whose PersistentVolumeClaims get the early usage warning. @default - the monitoring namespace */
  readonly volumeNamespaces?: readonly string[];
  /** Volume usage, in percent, that warns. @default 80 */
  readonly volumeUsagePercent?: number;
  /** @default "5m" */
  readonly gpuNodeNotReadyFor?: string;
}

/**
 * Platform rules that kube-prometheus-stack 88.x's defaultRules do not already ship. The chart
 * covers node readiness (KubeNodeNotReady), PVs nearly full or predicted full
 * (KubePersistentVolumeFillingUp), rule failures (PrometheusRuleFailures,
 * PrometheusMissingRuleEvaluations), notification failures (AlertmanagerFailedToSendAlerts,
 * PrometheusErrorSendingAlertsToSomeAlertmanagers), config reloads (PrometheusBadConfig,
 * AlertmanagerFailedReload) and HPAs at max (KubeHpaMaxedOut). Added here: a heartbeat from
 * this rule set, GPU nodes NotReady with the GPUs lost, an earlier warning for the volumes
 * monitoring itself lives on. Thanos has its own pack (storage-rules.ts).
 */
export function platformRuleGroups(scope: IConstruct | string, options: PlatformRuleOptions = {}): RuleGroup[] {
  const monitoringNamespace = options.monitoringNamespace ?? DEFAULT_MONITORING_NAMESPACE;
  const volumeNamespaces = options.volumeNamespaces ?? [monitoringNamespace];
  const volumeUsagePercent = options.volumeUsagePercent ?? 80;
  const gpuNodeNotReadyFor = options.gpuNodeNotReadyFor ?? "5m";
  checkDns1123Label(scope, "platform.monitoringNamespace", monitoringNamespace);
  volumeNamespaces.forEach((ns, i) => checkDns1123Label(scope, `platform.volumeNamespaces[${i}]`, ns));
  checkPercent(scope, "platform.volumeUsagePercent", volumeUsagePercent);
  checkWindow(scope, "platform.gpuNodeNotReadyFor", gpuNodeNotReadyFor);

  const gpuCapacity = 'max by (node) (kube_node_status_capacity{resource="nvidia_com_gpu"})';
  const pvc = "namespace, persistentvolumeclaim";
  const volumes = (metric: string) => `max by (${pvc}) (${series(metric, ...(volumeNamespaces.length ? [oneOf("namespace", volumeNamespaces)] : []))})`;
  const rules: Rule[] = [
    alertRule({
      alert: "DeadMansSwitch",
      // Unlike the chart's Watchdog, this one comes from the platform's own rules, so it also
      // proves that Prometheus selected them (ruleSelector labels match).
      expr: "vector(1)",
      severity: "info",
      labels: { [HEARTBEAT_LABEL.name]: HEARTBEAT_LABEL.value },
      summary: "Heartbeat of the alerting pipeline: always firing.",
      description:
        "Always firing (value {{ $value }}) while Prometheus evaluates the platform's rules and Alertmanager delivers them. Routed only to the dead-man's-switch receiver, which pages when the heartbeat stops.",
    }),
    alertRule({
      alert: "GpuNodeNotReady",
      expr: `${gpuCapacity} > 0\nand on (node)\nkube_node_status_condition{condition="Ready", status="true"} == 0`,
      for: gpuNodeNotReadyFor,
      severity: "warning",
      summary: "A GPU node is NotReady: its GPUs serve no inference.",
      description: "GPU node {{ $labels.node }} has been NotReady, taking {{ $value }} GPUs out of service; spot nodes may be in interruption.",
    }),
    alertRule({
      alert: "PersistentVolumeUsageHigh",
      // The chart warns at 15% free only when also predicted full within 4 days; a Prometheus TSDB
      // needs headroom for compaction well before that.
      expr: `${volumes("kubelet_volume_stats_used_bytes")}\n/ on (${pvc})\n${volumes("kubelet_volume_stats_capacity_bytes")}\n> ${num(volumeUsagePercent / 100)}`,
      for: "15m",
      severity: "warning",
      summary: `A monitoring volume is more than ${num(volumeUsagePercent)}% full.`,
      description: "PersistentVolumeClaim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full. Grow the volume or shorten retention before compaction fails.",
    }),
  ];
  return [{ name: "platform", rules }];
}
