import { Annotations } from "cdktf";
import { IConstruct } from "constructs";
import { PlatformConfigError } from "../../core/errors";
import { isToken } from "../../core/validate";
import { CLUSTER_AUTOSCALER_IMAGE_TAGS, DEFAULT_KUBERNETES_VERSION } from "../../versions";

type Minor = keyof typeof CLUSTER_AUTOSCALER_IMAGE_TAGS;
const MINORS = Object.keys(CLUSTER_AUTOSCALER_IMAGE_TAGS) as Minor[];

/**
 * The Cluster Autoscaler image tag of the cluster's Kubernetes minor. A version only known at
 * apply time (a cluster looked up by name) gets the default minor's tag and a synth warning.
 */
export function clusterAutoscalerImageTag(scope: IConstruct, kubernetesVersion: string): string {
  if (isToken(kubernetesVersion)) {
    const tag = CLUSTER_AUTOSCALER_IMAGE_TAGS[DEFAULT_KUBERNETES_VERSION as Minor];
    Annotations.of(scope).addWarning(
      `The cluster's Kubernetes version is only known at apply time, so Cluster Autoscaler ${tag} (for Kubernetes ${DEFAULT_KUBERNETES_VERSION}) is installed; its minor should match the cluster's: set kubernetesVersion (nodeAutoscaling.kubernetesVersion in the app's configuration) to the cluster's minor version.`,
    );
    return tag;
  }
  if (!(MINORS as string[]).includes(kubernetesVersion)) {
    throw new PlatformConfigError(
      scope,
      "kubernetesVersion",
      kubernetesVersion,
      `must be a Kubernetes minor version with a pinned Cluster Autoscaler release (${MINORS.join(", ")}): Cluster Autoscaler's minor must match the cluster's`,
    );
  }
  return CLUSTER_AUTOSCALER_IMAGE_TAGS[kubernetesVersion as Minor];
}
