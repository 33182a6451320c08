import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { IEksCluster } from "../lib/cluster/cluster-ref";
import { EksCluster } from "../lib/cluster/eks-cluster";
import { MonitoringCatalog } from "../lib/contracts/monitoring-catalog";
import { monitoringLabelContract } from "../lib/contracts/monitoring-labels";
import { IGpuPool } from "../lib/gpu/gpu-pool";
import { GpuNodeComponents } from "../lib/gpu/gpu-node-components";
import { ClusterProviders } from "../lib/platform/cluster-providers";
import { Gp3StorageClass } from "../lib/platform/gp3-storage-class";

export interface PlatformStackProps {
  readonly region: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The cluster from the cluster stack, or the name of an existing cluster to look up. */
  readonly cluster: IEksCluster | string;
  /** The GPU pools: `GpuNodeGroup`s of the cluster stack, or `GpuPool.fromExisting(...)`. */
  readonly gpuPools: readonly IGpuPool[];
  /** Labels of the system pool that monitoring components run on. */
  readonly systemNodeLabels: Readonly<Record<string, string>>;
  /** Pods per GPU with time-slicing. @default - no sharing */
  readonly timeSlicingReplicas?: number;
}

/** Namespaces and their Pod Security level: the NVIDIA and node-level monitoring agents need host access. */
export const PLATFORM_NAMESPACES = {
  nvidia: "privileged",
  monitoring: "privileged",
  inference: "restricted",
} as const;

/**
 * Everything inside the cluster: namespaces, storage, the NVIDIA components on the GPU pools,
 * and (in later layers) inference services and monitoring. Works alone against an existing
 * cluster given by name.
 */
export class PlatformStack extends TerraformStack {
  public readonly catalog: MonitoringCatalog;
  public readonly gpu: GpuNodeComponents;
  public readonly cluster: IEksCluster;
  public readonly namespaces: Record<keyof typeof PLATFORM_NAMESPACES, NamespaceV1>;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    new AwsProvider(this, "aws", { region: props.region, defaultTags: [{ tags: { ...props.tags } }] });
    this.cluster = typeof props.cluster === "string" ? EksCluster.fromClusterName(this, "eks", props.cluster) : props.cluster;
    new ClusterProviders(this, "providers", { cluster: this.cluster, region: props.region });

    this.catalog = new MonitoringCatalog(monitoringLabelContract());
    const entries = Object.entries(PLATFORM_NAMESPACES) as [keyof typeof PLATFORM_NAMESPACES, string][];
    this.namespaces = Object.fromEntries(
      entries.map(([name, level]) => [
        name,
        new NamespaceV1(this, `namespace-${name}`, {
          metadata: { name, labels: { "pod-security.kubernetes.io/enforce": level, "app.kubernetes.io/part-of": "gpu-inference-platform" } },
        }),
      ]),
    ) as Record<keyof typeof PLATFORM_NAMESPACES, NamespaceV1>;
    new Gp3StorageClass(this, "storage");

    this.gpu = new GpuNodeComponents(this, "gpu", {
      pools: props.gpuPools,
      monitoringLabels: this.catalog.labels,
      devicePlugin: {
        namespace: this.namespaces.nvidia.metadata.name,
        ...(props.timeSlicingReplicas !== undefined && { timeSlicing: { replicasPerGpu: props.timeSlicingReplicas } }),
      },
      dcgmExporter: { namespace: this.namespaces.nvidia.metadata.name },
    });
  }
}
