import { DeploymentV1SpecTemplateSpec, DeploymentV1SpecTemplateSpecContainerPort } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { ResourceRequirements } from "../../core/kubernetes/resources";
import { ImagePin } from "../../versions";

/** The official image runs as `nobody`; volumes are made writable for its group. */
export const THANOS_UID = 65534;
export const HTTP_PORT_NAME = "http";
export const GRPC_PORT_NAME = "grpc";
export const OBJSTORE_MOUNT = "/etc/thanos";
export const DATA_DIR = "/var/thanos";

export interface ThanosPodSettings {
  readonly labels: Readonly<Record<string, string>>;
  readonly image: ImagePin;
  readonly args: readonly string[];
  readonly ports: readonly { readonly name: string; readonly port: number }[];
  readonly resources: ResourceRequirements;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly serviceAccountName: string;
  /** Mount the objstore Secret at OBJSTORE_MOUNT. */
  readonly objstoreSecret?: string;
  /** Mount the claim `data` at DATA_DIR (StatefulSets). */
  readonly dataVolume?: boolean;
  /** Spread replicas over nodes. */
  readonly spread: boolean;
}

/**
 * The pod of a Thanos component: non-root, read-only root filesystem, no privilege, only the
 * volumes it needs, on the system pool. The IRSA token is projected by EKS's webhook, so the
 * Kubernetes API token is not mounted.
 */
export function thanosPodSpec(s: ThanosPodSettings): DeploymentV1SpecTemplateSpec {
  const ports: DeploymentV1SpecTemplateSpecContainerPort[] = s.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: "TCP" }));
  const probe = (path: string, failureThreshold: number) => ({ httpGet: { path, port: HTTP_PORT_NAME }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold });
  return {
    serviceAccountName: s.serviceAccountName,
    automountServiceAccountToken: false,
    nodeSelector: { ...s.nodeSelector },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: String(THANOS_UID),
      runAsGroup: String(THANOS_UID),
      fsGroup: String(THANOS_UID),
      seccompProfile: { type: "RuntimeDefault" },
    },
    ...(s.spread && {
      topologySpreadConstraint: [
        { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: [{ matchLabels: { ...s.labels } }] },
      ],
    }),
    container: [
      {
        name: "thanos",
        image: `${s.image.repository}:${s.image.tag}`,
        args: [...s.args],
        port: ports,
        resources: { requests: { ...s.resources.requests }, limits: { ...s.resources.limits } },
        readinessProbe: probe("/-/ready", 3),
        livenessProbe: probe("/-/healthy", 6),
        securityContext: {
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        },
        volumeMount: [
          ...(s.objstoreSecret ? [{ name: "objstore", mountPath: OBJSTORE_MOUNT, readOnly: true }] : []),
          ...(s.dataVolume ? [{ name: "data", mountPath: DATA_DIR }] : []),
        ],
      },
    ],
    volume: s.objstoreSecret ? [{ name: "objstore", secret: { secretName: s.objstoreSecret } }] : [],
  };
}
