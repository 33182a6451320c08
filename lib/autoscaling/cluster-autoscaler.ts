import { Construct } from "constructs";
import { IAutoscaledNodeGroup, clusterAutoscalerDiscoveryTags, managedNodeGroupAsgPattern } from "../cluster/node-autoscaling";
import { MonitoringCatalog } from "../contracts/monitoring-catalog";
import { PlatformConfigError } from "../core/errors";
import { ResourceRequirements } from "../core/kubernetes/resources";
import { checkIntRange } from "../core/validate";
import { PinnedHelmRelease } from "../platform/pinned-helm-release";
import { CHARTS, CLUSTER_AUTOSCALER_IMAGE_REPOSITORY } from "../versions";
import { IClusterAutoscalerIdentity } from "./cluster-autoscaler-role";
import { parseGoDuration } from "./private/go-duration";
import { clusterAutoscalerImageTag } from "./private/image-tag";
import { keepTemplatesLiteral } from "../core/terraform-literals";

/** Cluster Autoscaler flags this library sets (chart `extraArgs`, each rendered as `--key=value`). */
export interface ClusterAutoscalerArgs {
  readonly expander: string;
  readonly "balance-similar-node-groups": boolean;
  readonly "scale-down-unneeded-time": string;
  readonly "scale-down-delay-after-add": string;
  readonly "skip-nodes-with-local-storage": boolean;
  readonly "aws-use-static-instance-list": boolean;
}

/** Values of the cluster-autoscaler chart that this library sets (chart 9.59.0). */
export interface ClusterAutoscalerValues {
  readonly fullnameOverride: string;
  readonly cloudProvider: "aws";
  readonly awsRegion: string;
  readonly autoDiscovery: { readonly clusterName: string; readonly tags: readonly string[] };
  readonly image: { readonly repository: string; readonly tag: string };
  readonly replicaCount: number;
  readonly priorityClassName: string;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly resources: ResourceRequirements;
  readonly securityContext: {
    readonly runAsNonRoot: boolean;
    readonly runAsUser: number;
    readonly runAsGroup: number;
    /** Lets the non-root process read the projected IRSA token. */
    readonly fsGroup: number;
    readonly seccompProfile: { readonly type: "RuntimeDefault" };
  };
  readonly containerSecurityContext: {
    readonly allowPrivilegeEscalation: boolean;
    readonly capabilities: { readonly drop: readonly string[] };
    readonly readOnlyRootFilesystem: boolean;
  };
  readonly podDisruptionBudget: { readonly maxUnavailable: number };
  readonly rbac: { readonly serviceAccount: { readonly name: string; readonly annotations: Readonly<Record<string, string>> } };
  readonly service: { readonly portName: string };
  readonly extraArgs: ClusterAutoscalerArgs;
  /** Priority expander: priority (higher wins) to regular expressions over ASG names. */
  readonly expanderPriorities?: Readonly<Record<number, readonly string[]>>;
}

export interface ClusterAutoscalerOptions {
  /**
   * Replicas; one is the upstream norm (leader election keeps a second one idle), more only
   * shorten a failover. @default 1
   */
  readonly replicas?: number;
  /** @default - requests 100m CPU / 300Mi, limits 600Mi */
  readonly resources?: ResourceRequirements;
  /**
   * How long a node must be unneeded before it is removed. A GPU node that comes back costs
   * boot, a multi-GB image pull and a model load (up to 300 s), so brief dips keep it.
   * @default "20m"
   */
  readonly scaleDownUnneededTime?: string;
  /** How long after a scale-up no node is removed, so new replicas warm up first. @default "20m" */
  readonly scaleDownDelayAfterAdd?: string;
  /**
   * Use the instance types compiled into Cluster Autoscaler instead of calling
   * `ec2:DescribeInstanceTypes`: only for nodes without a route to the EC2 API (no NAT or
   * endpoint); the built-in list misses GPU types newer than the release. @default false
   */
  readonly useStaticInstanceList?: boolean;
  /**
   * The cluster's Kubernetes minor, which picks the Cluster Autoscaler release.
   * @default - the cluster's version (a warning and the default minor's release when it is only known at apply)
   */
  readonly kubernetesVersion?: string;
}

export interface ClusterAutoscalerProps extends ClusterAutoscalerOptions {
  readonly clusterName: string;
  readonly region: string;
  /** The cluster's Kubernetes minor; `kubernetesVersion` in the options overrides it. */
  readonly clusterKubernetesVersion: string;
  /** IRSA role and the service account its trust names. */
  readonly identity: IClusterAutoscalerIdentity;
  /** Labels of the system pool, which the autoscaler runs on. */
  readonly nodeSelector: Readonly<Record<string, string>>;
  /**
   * The node groups it scales, for the priority expander (spot before on-demand).
   * @default - none: least-waste alone picks among groups
   */
  readonly nodeGroups?: readonly IAutoscaledNodeGroup[];
  /** Scrape its metrics through the platform's Prometheus. @default - not scraped */
  readonly catalog?: MonitoringCatalog;
}

/** Spot capacity is cheaper: tried first; least-waste breaks ties within a priority. */
export const EXPANDER_PRIORITY = { SPOT: 20, ON_DEMAND: 10 } as const;

const DEFAULT_RESOURCES: ResourceRequirements = { requests: { cpu: "100m", memory: "300Mi" }, limits: { memory: "600Mi" } };
const METRICS_PORT_NAME = "http";
/** Nobody: the image is distroless and needs no user of its own. */
const NONROOT = 65534;

/**
 * Cluster Autoscaler for EKS managed node groups: discovers the ASGs tagged for this cluster,
 * scales them from zero using their node-template tags, prefers spot groups, and keeps GPU nodes
 * long enough to be worth their warm-up. Runs on the system pool, non-root with a read-only root
 * filesystem, as the service account the IRSA role trusts.
 */
export class ClusterAutoscaler extends Construct {
  public readonly namespace: string;
  public readonly helm: PinnedHelmRelease<ClusterAutoscalerValues>;
  public readonly imageTag: string;

  constructor(scope: Construct, id: string, props: ClusterAutoscalerProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    const replicas = props.replicas ?? 1;
    const unneededTime = props.scaleDownUnneededTime ?? "20m";
    const delayAfterAdd = props.scaleDownDelayAfterAdd ?? "20m";
    const serviceAccount = props.identity.serviceAccount;
    this.namespace = serviceAccount.namespace;

    checkIntRange(this, "replicas", replicas, 1, 5);
    for (const [prop, value] of [["scaleDownUnneededTime", unneededTime], ["scaleDownDelayAfterAdd", delayAfterAdd]] as const) {
      if (parseGoDuration(this, prop, value) < 60) {
        throw new PlatformConfigError(this, prop, value, "must be at least 1m: shorter removes GPU nodes that are still warming up");
      }
    }
    if (Object.keys(props.nodeSelector).length === 0) {
      throw new PlatformConfigError(this, "nodeSelector", props.nodeSelector, "must hold the system pool's node labels");
    }
    this.imageTag = clusterAutoscalerImageTag(this, props.kubernetesVersion ?? props.clusterKubernetesVersion);
    const priorities = expanderPriorities(props.nodeGroups ?? []);

    this.helm = new PinnedHelmRelease<ClusterAutoscalerValues>(this, "chart", {
      releaseName: "cluster-autoscaler",
      namespace: this.namespace,
      chart: CHARTS.clusterAutoscaler,
      values: {
        fullnameOverride: "cluster-autoscaler",
        cloudProvider: "aws",
        awsRegion: props.region,
        autoDiscovery: {
          clusterName: props.clusterName,
          tags: clusterAutoscalerDiscoveryTags(props.clusterName).map((t) => `${t.key}=${t.value}`),
        },
        image: { repository: CLUSTER_AUTOSCALER_IMAGE_REPOSITORY, tag: this.imageTag },
        replicaCount: replicas,
        priorityClassName: "system-cluster-critical",
        nodeSelector: props.nodeSelector,
        resources: props.resources ?? DEFAULT_RESOURCES,
        securityContext: { runAsNonRoot: true, runAsUser: NONROOT, runAsGroup: NONROOT, fsGroup: NONROOT, seccompProfile: { type: "RuntimeDefault" } },
        containerSecurityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true },
        // One replica may always be evicted (a drain must not block on it); with more, one at a time.
        podDisruptionBudget: { maxUnavailable: 1 },
        rbac: { serviceAccount: { name: serviceAccount.name, annotations: { "eks.amazonaws.com/role-arn": props.identity.roleArn } } },
        service: { portName: METRICS_PORT_NAME },
        extraArgs: {
          expander: priorities ? "priority,least-waste" : "least-waste",
          // Groups that differ only in zone grow evenly, so zonal volumes and spreads keep a home.
          "balance-similar-node-groups": true,
          "scale-down-unneeded-time": unneededTime,
          "scale-down-delay-after-add": delayAfterAdd,
          // Model caches are emptyDirs that are re-downloaded: they must not pin a GPU node forever.
          "skip-nodes-with-local-storage": false,
          "aws-use-static-instance-list": props.useStaticInstanceList ?? false,
        },
        ...(priorities && { expanderPriorities: priorities }),
      },
    });

    props.catalog?.addServiceMonitor({
      name: "cluster-autoscaler",
      namespace: this.namespace,
      // The chart's Service labels (cluster-autoscaler.instance-name in its _helpers.tpl).
      selectorLabels: { "app.kubernetes.io/instance": "cluster-autoscaler", "app.kubernetes.io/name": "aws-cluster-autoscaler" },
      port: METRICS_PORT_NAME,
    });
  }
}

/** Spot groups first, then on-demand; node group ids on AWS are ASG names, which EKS derives from the group's. */
function expanderPriorities(groups: readonly IAutoscaledNodeGroup[]): Record<number, string[]> | undefined {
  if (groups.length === 0) return undefined;
  const out: Record<number, string[]> = {};
  for (const g of groups) {
    const priority = EXPANDER_PRIORITY[g.capacityType === "SPOT" ? "SPOT" : "ON_DEMAND"];
    (out[priority] ??= []).push(managedNodeGroupAsgPattern(g.nodeGroupName));
  }
  return out;
}
