import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { Construct } from "constructs";
import { METRICS_PORT_NAME, SERVING_PORT_NAME } from "./pod-template";
import { InferenceSettings, objectMeta } from "./settings";

/** ClusterIP Service with the serving port and, when separate, the metrics port. */
export function buildService(scope: Construct, s: InferenceSettings): ServiceV1 {
  const ports = [{ name: SERVING_PORT_NAME, port: s.servingPort, targetPort: SERVING_PORT_NAME, protocol: "TCP" }];
  if (s.metricsPort !== undefined) {
    ports.push({ name: METRICS_PORT_NAME, port: s.metricsPort, targetPort: METRICS_PORT_NAME, protocol: "TCP" });
  }
  return new ServiceV1(scope, "service", {
    dependsOn: s.dependsOn,
    metadata: objectMeta(s),
    spec: { type: "ClusterIP", selector: { ...s.selectorLabels }, port: ports },
  });
}
