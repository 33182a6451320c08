// Public API of the construct library. Everything a consuming cdktf app needs is exported here.

// Errors, value checks and the shared vocabulary of every layer
export * from "./core/errors";
export { toYaml } from "./core/yaml";
export * from "./versions";
export * from "./core/cluster-ref";
export * from "./core/kubernetes/scheduling";
export * from "./core/kubernetes/namespace-ref";
export type { ServiceAccountRef } from "./core/kubernetes/service-account-ref";
export type { ResourceRequirements } from "./core/kubernetes/resources";
export * from "./core/kubernetes/network-policy";
export { architectureOf, amiArchitecture, checkInstanceType, isEc2InstanceType } from "./core/ec2-instance-types";
export type { CpuArchitecture } from "./core/ec2-instance-types";

// Cluster (AWS provider)
export * from "./cluster/eks-network";
export * from "./cluster/eks-cluster";
export * from "./cluster/eks-addons";
export * from "./cluster/irsa-role";
export * from "./cluster/node-role";
export * from "./cluster/gpu-node-group";
export * from "./cluster/system-node-group";
export * from "./cluster/node-autoscaling";
export { checkKubernetesVersion, supportedKubernetesRange } from "./cluster/cluster-validation";

// GPU components (Helm provider)
export * from "./gpu/gpu-instance-types";
export * from "./gpu/gpu-pool";
export * from "./gpu/gpu-scheduling-validation";
export * from "./gpu/nvidia-device-plugin";
export * from "./gpu/dcgm-exporter";
export * from "./gpu/gpu-node-components";

// Node autoscaling (IRSA role on the AWS side, Cluster Autoscaler in the cluster)
export * from "./autoscaling/cluster-autoscaler-role";
export * from "./autoscaling/cluster-autoscaler";

// In-cluster plumbing
export * from "./platform/cluster-providers";
export * from "./platform/gp3-storage-class";
export * from "./platform/pinned-helm-release";
export * from "./platform/network-policy-enforcement";
export * from "./platform/network-reachability";
export * from "./platform/custom-resources";
export * from "./platform/storage-class-ref";
export * from "./platform/ordering-check";
export * from "./platform/ordering-validation";

// Contracts between components
export * from "./contracts/monitoring-labels";
export * from "./contracts/metric-contract";
export * from "./contracts/monitoring-catalog";
export * from "./contracts/service-objectives";
export * as promql from "./contracts/promql";
export * from "./contracts/presets";
export * from "./contracts/domain-metrics";
export { validateServiceMonitoring } from "./contracts/service-validation";
export type { ServiceMonitoringOptions, ServiceMonitoringPropNames } from "./contracts/service-validation";
export * from "./contracts/scrape-targets";
export { AUTOSCALING_SIGNALS, autoscalingMetricName, requestsPerSecondMetricName } from "./contracts/autoscaling-agreement";
export type { AutoscalingSignal } from "./contracts/autoscaling-agreement";

// Workloads
export * from "./workload";

// Monitoring
export * from "./monitoring/monitoring-stack";
export * from "./monitoring/monitoring-network-policies";
export * from "./monitoring/kube-prometheus-stack-values";
export * from "./monitoring/grafana-admin-secret";
export * from "./monitoring/rules";
export * from "./monitoring/alertmanager";
export * from "./monitoring/prometheus-adapter";
export * from "./monitoring/export-monitoring-files";
export * from "./monitoring/dashboards/grafana-dashboards";
export * as dashboards from "./monitoring/dashboards";
export * as backtest from "./monitoring/backtest";

// Long-term storage (Thanos on S3)
export * from "./storage/thanos-retention";
export * from "./storage/thanos-bucket";
export * from "./storage/thanos-bucket-access";
export * from "./storage/thanos";
export * from "./monitoring/thanos-sidecar";
