import { HorizontalPodAutoscalerV2 } from "@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2";
import { Construct } from "constructs";
import { formatQuantity } from "./quantity";
import { InferenceSettings, ResolvedAutoscaling, objectMeta } from "./settings";

/**
 * HPA (autoscaling/v2) on a Pods custom metric: a new GPU pod takes minutes to become ready, so
 * scale up fast but few pods at a time, and scale down slowly, one pod every two minutes.
 */
export function buildHpa(
  scope: Construct,
  s: InferenceSettings,
  autoscaling: ResolvedAutoscaling,
  deploymentName: string,
  metricName: string,
): HorizontalPodAutoscalerV2 {
  return new HorizontalPodAutoscalerV2(scope, "hpa", {
    dependsOn: s.dependsOn,
    metadata: objectMeta(s),
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deploymentName },
      minReplicas: autoscaling.minReplicas,
      maxReplicas: autoscaling.maxReplicas,
      metric: [
        {
          type: "Pods",
          pods: {
            metric: { name: metricName },
            target: { type: "AverageValue", averageValue: formatQuantity(autoscaling.target) },
          },
        },
      ],
      behavior: {
        scaleUp: [
          {
            stabilizationWindowSeconds: autoscaling.scaleUpStabilizationSeconds,
            selectPolicy: "Max",
            policy: [{ type: "Pods", value: autoscaling.scaleUpMaxPodsPerMinute, periodSeconds: 60 }],
          },
        ],
        scaleDown: [
          {
            stabilizationWindowSeconds: autoscaling.scaleDownStabilizationSeconds,
            selectPolicy: "Min",
            policy: [{ type: "Pods", value: 1, periodSeconds: 120 }],
          },
        ],
      },
    },
  });
}
