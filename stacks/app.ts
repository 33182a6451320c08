import { App } from "cdktf";
import { ClusterStack } from "./cluster-stack";
import { PlatformConfig } from "./config";
import { PlatformStack } from "./platform-stack";
import { useStateBackend } from "./state-backend";

/** The default app: the cluster stack, then the platform stack fed by its outputs. */
// No stack traces in the manifest's annotations: they hold absolute paths of the machine that synthesized.
export function buildApp(config: PlatformConfig, app: App = new App({ stackTraces: false })): { app: App; cluster: ClusterStack; platform: PlatformStack } {
  const cluster = new ClusterStack(app, "cluster", config);
  const platform = new PlatformStack(app, "platform", {
    region: config.region,
    tags: config.tags,
    cluster: cluster.cluster,
    gpuPools: cluster.gpuPools,
    systemNodeLabels: cluster.systemPool.nodeLabels,
    timeSlicingReplicas: config.devicePlugin.timeSlicingReplicas,
    inference: config.inference,
    services: config.services,
    alerting: config.alerting,
    nodeAutoscaling: cluster.autoscalerRole && {
      identity: cluster.autoscalerRole,
      nodeGroups: cluster.autoscaledNodeGroups,
      kubernetesVersion: config.nodeAutoscaling.kubernetesVersion,
    },
    ...(cluster.thanos && config.thanos && { thanos: { ...config.thanos, ...cluster.thanos } }),
  });
  platform.addDependency(cluster);
  const state = config.state ?? { backend: "local" };
  useStateBackend(cluster, "cluster", state, config.region);
  useStateBackend(platform, "platform", state, config.region);
  return { app, cluster, platform };
}
