import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { Construct } from "constructs";
import { InferenceSettings, objectMeta } from "./settings";

/** PodDisruptionBudget: how many pods node drains (upgrades, scale-down) may evict at once. */
export function buildDisruptionBudget(scope: Construct, s: InferenceSettings): PodDisruptionBudgetV1 {
  return new PodDisruptionBudgetV1(scope, "pdb", {
    dependsOn: s.dependsOn,
    metadata: objectMeta(s),
    spec: {
      ...("maxUnavailable" in s.disruptionBudget
        ? { maxUnavailable: String(s.disruptionBudget.maxUnavailable) }
        : { minAvailable: String(s.disruptionBudget.minAvailable) }),
      selector: { matchLabels: { ...s.selectorLabels } } },
  });
}
