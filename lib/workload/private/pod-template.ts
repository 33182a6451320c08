import {
  DeploymentV1SpecTemplateSpec,
  DeploymentV1SpecTemplateSpecContainer,
  DeploymentV1SpecTemplateSpecContainerSecurityContext,
  DeploymentV1SpecTemplateSpecContainerStartupProbe,
  DeploymentV1SpecTemplateSpecContainerVolumeMount,
  DeploymentV1SpecTemplateSpecTopologySpreadConstraint,
  DeploymentV1SpecTemplateSpecVolume,
} from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { ResourceRequirements } from "../../core/kubernetes/resources";
import { GpuPoolScheduling } from "../../gpu/gpu-pool";
import { ModelVolumeSource } from "../model-volume";
import { EnvValue } from "../env-value";
import { EnvContainer, envSecretKey } from "./env-secret";

/**
 * Rendering of the inference pod: plain functions from resolved settings to provider structs.
 * Every default has already been resolved and validated by InferenceService.
 */

export const SERVING_PORT_NAME = "http";
export const METRICS_PORT_NAME = "metrics";
/** Resource name the NVIDIA device plugin advertises. */
export const GPU_RESOURCE = "nvidia.com/gpu";

export interface HttpProbe {
  readonly path: string;
  readonly portName: string;
  readonly initialDelaySeconds: number;
  readonly periodSeconds: number;
  readonly failureThreshold: number;
  readonly timeoutSeconds: number;
}

export interface ModelMount {
  readonly source: ModelVolumeSource;
  /** Claim name for `newClaim` sources (created beside the Deployment). */
  readonly claimName?: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
}

export interface InitContainerSpec {
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env: Readonly<Record<string, EnvValue>>;
  readonly resources: ResourceRequirements;
}

export interface PodTemplateSettings {
  readonly labels: Readonly<Record<string, string>>;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env: Readonly<Record<string, EnvValue>>;
  /** The Secret with the values copied from Secrets Manager (keys from `envSecretKey`). */
  readonly envSecretName?: string;
  readonly servingPort: number;
  /** Undefined when metrics are served on the serving port. */
  readonly metricsPort?: number;
  readonly gpus: number;
  readonly resources: ResourceRequirements;
  readonly startup: HttpProbe;
  readonly readiness: HttpProbe;
  readonly liveness: HttpProbe;
  readonly preStopSleepSeconds: number;
  readonly terminationGracePeriodSeconds: number;
  readonly scheduling: GpuPoolScheduling;
  /** Node labels the scheduler should prefer among the required pools. @default - no preference */
  readonly preferredNodeLabels?: Readonly<Record<string, string>>;
  readonly spreadNodes: "required" | "preferred";
  readonly spreadZones: "required" | "preferred";
  readonly runAsUser: number;
  readonly scratchSizeLimit: string;
  readonly sharedMemorySizeLimit?: string;
  readonly model?: ModelMount;
  readonly init?: InitContainerSpec;
  readonly serviceAccountName: string;
  readonly automountServiceAccountToken: boolean;
}

const SCRATCH_VOLUME = "scratch";
const SHM_VOLUME = "dshm";
const MODEL_VOLUME = "model";

function probe(p: HttpProbe): DeploymentV1SpecTemplateSpecContainerStartupProbe {
  return {
    httpGet: { path: p.path, port: p.portName },
    initialDelaySeconds: p.initialDelaySeconds,
    periodSeconds: p.periodSeconds,
    failureThreshold: p.failureThreshold,
    timeoutSeconds: p.timeoutSeconds,
  };
}

interface EnvEntry {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}

/** Text as `value`; a secret as `secretKeyRef`, so the pod spec never holds it. */
function envList(env: Readonly<Record<string, EnvValue>>, container: EnvContainer, envSecretName: string | undefined): EnvEntry[] {
  return Object.entries(env).map(([name, { source }]): EnvEntry => {
    switch (source.kind) {
      case "value":
        return { name, value: source.value };
      case "kubernetes":
        return { name, valueFrom: { secretKeyRef: { name: source.secretName, key: source.key } } };
      case "secretsManager":
        if (envSecretName === undefined) throw new Error(`env ${name}: no Secret holds the values copied from Secrets Manager`);
        return { name, valueFrom: { secretKeyRef: { name: envSecretName, key: envSecretKey(container, name) } } };
    }
  });
}

function containerSecurity(runAsUser: number): DeploymentV1SpecTemplateSpecContainerSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: String(runAsUser),
    runAsGroup: String(runAsUser),
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

function modelVolume(model: ModelMount): DeploymentV1SpecTemplateSpecVolume {
  const s = model.source;
  switch (s.kind) {
    case "existingClaim":
      return { name: MODEL_VOLUME, persistentVolumeClaim: { claimName: s.claimName } };
    case "newClaim":
      return { name: MODEL_VOLUME, persistentVolumeClaim: { claimName: model.claimName } };
    case "hostPath":
      return { name: MODEL_VOLUME, hostPath: { path: s.path, type: "DirectoryOrCreate" } };
    case "emptyDir":
      return { name: MODEL_VOLUME, emptyDir: s.sizeLimit === undefined ? {} : { sizeLimit: s.sizeLimit } };
  }
}

function spread(
  topologyKey: string,
  mode: "required" | "preferred",
  labels: Readonly<Record<string, string>>,
): DeploymentV1SpecTemplateSpecTopologySpreadConstraint {
  return {
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: mode === "required" ? "DoNotSchedule" : "ScheduleAnyway",
    labelSelector: [{ matchLabels: { ...labels } }],
    // Count only pods of the same rollout, so old ReplicaSet pods do not skew a rolling update.
    matchLabelKeys: ["pod-template-hash"],
  };
}

/** The pod template of an inference Deployment. */
export function inferencePodSpec(s: PodTemplateSettings): DeploymentV1SpecTemplateSpec {
  const scratchMount: DeploymentV1SpecTemplateSpecContainerVolumeMount = { name: SCRATCH_VOLUME, mountPath: "/tmp" };
  const mounts: DeploymentV1SpecTemplateSpecContainerVolumeMount[] = [scratchMount];
  const volumes: DeploymentV1SpecTemplateSpecVolume[] = [{ name: SCRATCH_VOLUME, emptyDir: { sizeLimit: s.scratchSizeLimit } }];
  if (s.sharedMemorySizeLimit !== undefined) {
    // PyTorch, NCCL and Triton's Python backend need more /dev/shm than the runtime's 64Mi.
    volumes.push({ name: SHM_VOLUME, emptyDir: { medium: "Memory", sizeLimit: s.sharedMemorySizeLimit } });
    mounts.push({ name: SHM_VOLUME, mountPath: "/dev/shm" });
  }
  if (s.model) {
    volumes.push(modelVolume(s.model));
    mounts.push({ name: MODEL_VOLUME, mountPath: s.model.mountPath, readOnly: s.model.readOnly });
  }

  const gpu = String(s.gpus);
  const ports = [{ name: SERVING_PORT_NAME, containerPort: s.servingPort, protocol: "TCP" }];
  if (s.metricsPort !== undefined) ports.push({ name: METRICS_PORT_NAME, containerPort: s.metricsPort, protocol: "TCP" });

  const server: DeploymentV1SpecTemplateSpecContainer = {
    name: "server",
    image: s.image,
    command: s.command ? [...s.command] : undefined,
    args: s.args ? [...s.args] : undefined,
    env: envList(s.env, "server", s.envSecretName),
    port: ports,
    resources: {
      requests: { cpu: s.resources.requests.cpu, memory: s.resources.requests.memory, [GPU_RESOURCE]: gpu },
      limits: {
        ...(s.resources.limits.cpu === undefined ? {} : { cpu: s.resources.limits.cpu }),
        memory: s.resources.limits.memory,
        [GPU_RESOURCE]: gpu,
      },
    },
    startupProbe: probe(s.startup),
    readinessProbe: probe(s.readiness),
    livenessProbe: probe(s.liveness),
    lifecycle:
      s.preStopSleepSeconds > 0
        ? // The provider (2.38) has no `sleep` action: the image needs a `sleep` binary.
          { preStop: [{ exec: { command: ["sleep", String(s.preStopSleepSeconds)] } }] }
        : undefined,
    securityContext: containerSecurity(s.runAsUser),
    volumeMount: mounts,
  };

  const initContainer = s.init
    ? [
        {
          name: "model-init",
          image: s.init.image,
          command: s.init.command ? [...s.init.command] : undefined,
          args: s.init.args ? [...s.init.args] : undefined,
          env: envList(s.init.env, "model-init", s.envSecretName),
          resources: {
            requests: { ...s.init.resources.requests },
            limits: { ...s.init.resources.limits },
          },
          securityContext: containerSecurity(s.runAsUser),
          volumeMount: [
            scratchMount,
            // The init container writes the model; the server may only read it.
            ...(s.model ? [{ name: MODEL_VOLUME, mountPath: s.model.mountPath, readOnly: false }] : []),
          ],
        },
      ]
    : undefined;

  return {
    serviceAccountName: s.serviceAccountName,
    automountServiceAccountToken: s.automountServiceAccountToken,
    terminationGracePeriodSeconds: s.terminationGracePeriodSeconds,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: String(s.runAsUser),
      runAsGroup: String(s.runAsUser),
      fsGroup: String(s.runAsUser),
      seccompProfile: { type: "RuntimeDefault" },
    },
    toleration: s.scheduling.tolerations.map((t) => ({ key: t.key, operator: t.operator, value: t.value, effect: t.effect })),
    affinity: {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: s.preferredNodeLabels && [
          {
            weight: 100,
            preference: {
              matchExpressions: Object.entries(s.preferredNodeLabels).map(([key, value]) => ({ key, operator: "In", values: [value] })),
            },
          },
        ],
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerm: s.scheduling.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.map(
            (term) => ({
              matchExpressions: term.matchExpressions.map((e) => ({
                key: e.key,
                operator: e.operator,
                values: e.values ? [...e.values] : undefined,
              })),
            }),
          ),
        },
      },
    },
    topologySpreadConstraint: [
      spread("kubernetes.io/hostname", s.spreadNodes, s.labels),
      spread("topology.kubernetes.io/zone", s.spreadZones, s.labels),
    ],
    initContainer,
    container: [server],
    volume: volumes,
  };
}
