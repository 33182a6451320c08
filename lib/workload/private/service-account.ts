import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { Construct } from "constructs";
import { InferenceSettings, objectMeta } from "./settings";

/** The service's own ServiceAccount; the token is mounted only where the pod spec asks for it. */
export function buildServiceAccount(scope: Construct, s: InferenceSettings): ServiceAccountV1 {
  return new ServiceAccountV1(scope, "service-account", {
    dependsOn: s.dependsOn,
    metadata: { ...objectMeta(s), annotations: s.serviceAccountAnnotations ? { ...s.serviceAccountAnnotations } : undefined },
    automountServiceAccountToken: false,
  });
}
