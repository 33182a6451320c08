import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { Construct } from "constructs";
import { InferenceSettings, objectMeta } from "./settings";

/** PodDisruptionBudget: node drains (upgrades, scale-down) evict at most one pod at a time. */
export function buildDisruptionBudget(scope: Construct, s: InferenceSettings): PodDisruptionBudgetV1 {
  return new PodDisruptionBudgetV1(scope, "pdb", {
    dependsOn: s.dependsOn,
    metadata: objectMeta(s),
    spec: { maxUnavailable: "1", selector: { matchLabels: { ...s.selectorLabels } } },
  });
}
