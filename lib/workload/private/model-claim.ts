import { PersistentVolumeClaimV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1";
import { Construct } from "constructs";
import { InferenceSettings, objectMeta } from "./settings";

/** The `<service>-models` claim of a `ModelVolume.newClaim`; returns its name, or undefined for other sources. */
export function buildModelClaim(scope: Construct, s: InferenceSettings): string | undefined {
  const volume = s.model?.source;
  if (volume?.kind !== "newClaim") return undefined;
  const claim = new PersistentVolumeClaimV1(scope, "model-claim", {
    dependsOn: s.dependsOn,
    metadata: { ...objectMeta(s), name: `${s.name}-models` },
    spec: {
      accessModes: [volume.accessMode],
      storageClassName: volume.storageClassName,
      resources: { requests: { storage: volume.size } },
    },
    // A WaitForFirstConsumer class binds only once a pod exists, which is after this resource.
    waitUntilBound: false,
  });
  return claim.metadata.name;
}
