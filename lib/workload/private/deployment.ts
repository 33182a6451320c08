import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { envSecretName } from "./env-secret";
import { Construct } from "constructs";
import { schedulingForPools } from "../../gpu/gpu-pool";
import { inferencePodSpec } from "./pod-template";
import { InferenceSettings, objectMeta } from "./settings";

/** What the Deployment refers to that other builders create. */
export interface DeploymentInputs {
  readonly serviceAccountName: string;
  /** Name of the model claim created beside the Deployment, for `newClaim` model volumes. */
  readonly claimName?: string;
  /** maxSurge and maxUnavailable, possibly resolved only at synth. */
  readonly rollingUpdate: { readonly maxSurge: string; readonly maxUnavailable: string };
  /** The Secret holding env values copied from Secrets Manager, when there are any: the pods wait for it. */
  readonly envSecret?: SecretV1;
}

/** The GPU Deployment; with autoscaling the HPA owns the replica count once it exists. */
export function buildDeployment(scope: Construct, s: InferenceSettings, inputs: DeploymentInputs): DeploymentV1 {
  return new DeploymentV1(scope, "deployment", {
    dependsOn: inputs.envSecret ? [...(s.dependsOn ?? []), inputs.envSecret] : s.dependsOn,
    metadata: objectMeta(s),
    waitForRollout: s.waitForRollout,
    spec: {
      replicas: String(s.initialReplicas),
      revisionHistoryLimit: 5,
      selector: { matchLabels: { ...s.selectorLabels } },
      strategy: { type: "RollingUpdate", rollingUpdate: { ...inputs.rollingUpdate } },
      template: {
        metadata: { labels: { ...s.labels } },
        spec: inferencePodSpec({
          labels: s.selectorLabels,
          image: s.image,
          command: s.command,
          args: s.args,
          env: s.env,
          envSecretName: inputs.envSecret ? envSecretName(s) : undefined,
          servingPort: s.servingPort,
          metricsPort: s.metricsPort,
          gpus: s.gpus,
          resources: s.resources,
          startup: s.probes.startup,
          readiness: s.probes.readiness,
          liveness: s.probes.liveness,
          preStopSleepSeconds: s.preStopSleepSeconds,
          terminationGracePeriodSeconds: s.terminationGracePeriodSeconds,
          // Required: the primary or the overflow pool; preferred: the primary.
          scheduling: schedulingForPools(s.overflowPool ? [s.pool, s.overflowPool] : [s.pool]),
          preferredNodeLabels: s.overflowPool ? s.pool.nodeLabels : undefined,
          spreadNodes: s.spreadNodes,
          spreadZones: s.spreadZones,
          runAsUser: s.runAsUser,
          scratchSizeLimit: s.scratchSizeLimit,
          sharedMemorySizeLimit: s.sharedMemorySizeLimit,
          model: s.model && {
            source: s.model.source,
            claimName: inputs.claimName,
            mountPath: s.model.mountPath,
            readOnly: s.model.readOnly,
          },
          init: s.model?.init,
          serviceAccountName: inputs.serviceAccountName,
          automountServiceAccountToken: s.automountServiceAccountToken,
        }),
      },
    },
    lifecycle: s.autoscaling ? { ignoreChanges: ["spec[0].replicas"] } : undefined,
  });
}
