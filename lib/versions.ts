/**
 * Every pinned chart, image and platform version of the product, in one place.
 * Bump here, run the tests, read the snapshot diff.
 */

export interface HelmChartPin {
  /** Helm repository URL. */
  readonly repository: string;
  readonly chart: string;
  readonly version: string;
}

export interface ImagePin {
  readonly repository: string;
  readonly tag: string;
}

export const CHARTS = {
  /** NVIDIA/k8s-device-plugin v0.20.0 */
  nvidiaDevicePlugin: {
    repository: "https://nvidia.github.io/k8s-device-plugin",
    chart: "nvidia-device-plugin",
    version: "0.20.0",
  },
  /** NVIDIA/dcgm-exporter 4.5.3-4.8.2 */
  dcgmExporter: {
    repository: "https://nvidia.github.io/dcgm-exporter/helm-charts",
    chart: "dcgm-exporter",
    version: "4.8.2",
  },
  /** prometheus-community, appVersion (operator) v0.93.1 */
  kubePrometheusStack: {
    repository: "https://prometheus-community.github.io/helm-charts",
    chart: "kube-prometheus-stack",
    version: "88.5.3",
  },
  /** prometheus-community, prometheus-adapter v0.12.0 */
  prometheusAdapter: {
    repository: "https://prometheus-community.github.io/helm-charts",
    chart: "prometheus-adapter",
    version: "5.3.0",
  },
  /** kubernetes/autoscaler, appVersion 1.35.0; the image follows the cluster (CLUSTER_AUTOSCALER_IMAGE_TAGS) */
  clusterAutoscaler: {
    repository: "https://kubernetes.github.io/autoscaler",
    chart: "cluster-autoscaler",
    version: "9.59.0",
  },
} as const satisfies Record<string, HelmChartPin>;

export const IMAGES = {
  nvidiaDevicePlugin: { repository: "nvcr.io/nvidia/k8s-device-plugin", tag: "v0.20.0" },
  /**
   * Pinned explicitly: a later exporter release renames the `Hostname` label to `hostname`,
   * which would silently break every rule and panel that groups by it.
   */
  dcgmExporter: { repository: "nvcr.io/nvidia/k8s/dcgm-exporter", tag: "4.5.3-4.8.2-distroless" },
  /** The official Thanos image; the same tag kube-prometheus-stack 88.5.3 runs as the sidecar. */
  thanos: { repository: "quay.io/thanos/thanos", tag: "v0.42.4" },
} as const satisfies Record<string, ImagePin>;

/** Cluster Autoscaler image repository; the tag comes from CLUSTER_AUTOSCALER_IMAGE_TAGS. */
export const CLUSTER_AUTOSCALER_IMAGE_REPOSITORY = "registry.k8s.io/autoscaling/cluster-autoscaler";

/**
 * Cluster Autoscaler image per Kubernetes minor: a CA release is built and tested against the
 * scheduler of its own minor, and upstream supports only that pairing. Latest patch of each line
 * as of 2026-07 (kubernetes/autoscaler releases cluster-autoscaler-1.3x.y); covers the range of
 * GPU_AMI_KUBERNETES_VERSIONS.
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS = {
  "1.31": "v1.31.5",
  "1.32": "v1.32.7",
  "1.33": "v1.33.6",
  "1.34": "v1.34.5",
  "1.35": "v1.35.2",
  "1.36": "v1.36.1",
} as const satisfies Record<string, string>;

/**
 * Kubernetes minor versions for which EKS publishes each GPU AMI type
 * (amazon-eks-ami releases of 2026 ship AL2023 NVIDIA AMIs for 1.31 to 1.36;
 * Bottlerocket's NVIDIA variants cover the same EKS-supported range).
 */
export const GPU_AMI_KUBERNETES_VERSIONS = {
  AL2023_x86_64_NVIDIA: { min: "1.31", max: "1.36" },
  BOTTLEROCKET_x86_64_NVIDIA: { min: "1.31", max: "1.36" },
} as const;

/** The Kubernetes version of a new cluster unless configured. */
export const DEFAULT_KUBERNETES_VERSION = "1.35";

/** AMI type of the system (non-GPU) node group. */
export const SYSTEM_AMI_TYPE = "AL2023_x86_64_STANDARD";

/**
 * EKS managed add-on versions. Unset means EKS's default version for the cluster's
 * Kubernetes version, which moves with the cluster on upgrade; set one to hold it.
 */
export const EKS_ADDON_VERSIONS: Partial<Record<"vpc-cni" | "kube-proxy" | "coredns" | "aws-ebs-csi-driver", string>> = {};
