import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { IEksCluster, NetworkPolicyEnforcement } from "../lib/core/cluster-ref";
import { ClusterAutoscalerRole } from "../lib/autoscaling/cluster-autoscaler-role";
import { EksAddons } from "../lib/cluster/eks-addons";
import { EksCluster } from "../lib/cluster/eks-cluster";
import { EksNetwork } from "../lib/cluster/eks-network";
import { GpuNodeGroup } from "../lib/cluster/gpu-node-group";
import { IAutoscaledNodeGroup } from "../lib/cluster/node-autoscaling";
import { NodeRole } from "../lib/cluster/node-role";
import { SystemNodeGroup } from "../lib/cluster/system-node-group";
import { IThanosBucket, ThanosBucket } from "../lib/storage/thanos-bucket";
import { ThanosBucketAccess, ThanosComponentRoles } from "../lib/storage/thanos-bucket-access";
import { NetworkPolicyEnforcementSetting, PlatformConfig } from "./config";
import { keepTemplatesLiteral } from "../lib/core/terraform-literals";

/** What each config setting of `cluster.networkPolicyEnforcement` states. */
const NETWORK_POLICY_ENFORCEMENT: Record<NetworkPolicyEnforcementSetting, NetworkPolicyEnforcement> = {
  "vpc-cni": NetworkPolicyEnforcement.vpcCni(),
  engine: NetworkPolicyEnforcement.engine("a policy engine declared in the config"),
  none: NetworkPolicyEnforcement.none(),
};

/**
 * The AWS side: network, EKS control plane, add-ons, node groups. In existing-cluster mode it
 * looks the cluster up by name and only adds the node groups.
 */
export class ClusterStack extends TerraformStack {
  public readonly cluster: IEksCluster;
  public readonly gpuPools: GpuNodeGroup[];
  public readonly systemPool: SystemNodeGroup;
  /** IRSA role of Cluster Autoscaler, when node autoscaling is on. */
  public readonly autoscalerRole?: ClusterAutoscalerRole;
  /** The node groups Cluster Autoscaler sizes. */
  public readonly autoscaledNodeGroups: IAutoscaledNodeGroup[];
  /** The Thanos bucket and its components' IRSA roles. @default - undefined when Thanos is off */
  public readonly thanos?: { readonly bucket: IThanosBucket; readonly roles: ThanosComponentRoles };

  constructor(scope: Construct, id: string, config: PlatformConfig) {
    super(scope, id);
    keepTemplatesLiteral(this);
    new AwsProvider(this, "aws", { region: config.region, defaultTags: [{ tags: { ...config.tags } }] });
    const c = config.cluster;

    let addons: EksAddons | undefined;
    if (c.mode === "new") {
      const network = new EksNetwork(this, "network", { clusterName: c.name, ...c.network });
      const cluster = new EksCluster(this, "eks", {
        clusterName: c.name,
        kubernetesVersion: c.kubernetesVersion,
        subnetIds: network.privateSubnetIds,
        serviceCidr: c.network.serviceCidr,
        endpointPublicAccess: c.endpointPublicAccess,
        // No CIDRs: the deployer's egress address, looked up at plan time (synth warns).
        ...(c.endpointPublicAccess && { endpointPublicAccessCidrs: c.endpointPublicAccessCidrs, allowEndpointFromAnywhere: c.allowEndpointFromAnywhere }),
        adminPrincipalArns: c.adminPrincipalArns,
        logRetentionDays: c.logRetentionDays,
      });
      addons = new EksAddons(this, "addons", { cluster });
      this.cluster = addons.cluster;
    } else {
      this.cluster = EksCluster.fromClusterName(this, "eks", c.name, {
        nodeSubnetIds: c.nodeSubnetIds && [...c.nodeSubnetIds],
        networkPolicyEnforcement: c.networkPolicyEnforcement && NETWORK_POLICY_ENFORCEMENT[c.networkPolicyEnforcement],
      });
    }

    const nodeRole = new NodeRole(this, "node-role", { clusterName: c.name });
    // Nodes join only once the network add-ons run.
    const dependsOn = addons?.network;
    const autoscaling = config.nodeAutoscaling.enabled ? "cluster-autoscaler" : "none";
    this.systemPool = new SystemNodeGroup(this, "system-pool", { ...config.systemPool, autoscaling, cluster: this.cluster, nodeRoleArn: nodeRole.arn, dependsOn });
    this.gpuPools = config.gpuPools.map(
      (pool) =>
        new GpuNodeGroup(this, `gpu-pool-${pool.name}`, {
          ...pool,
          poolName: pool.name,
          // Bottlerocket pools share GPUs through node settings; the others through the chart.
          hostTimeSlicingReplicas: pool.amiType.startsWith("BOTTLEROCKET") ? config.devicePlugin.timeSlicingReplicas : undefined,
          cluster: this.cluster,
          nodeRoleArn: nodeRole.arn,
          dependsOn,
          autoscaling,
        }),
    );
    this.autoscaledNodeGroups = [this.systemPool, ...this.gpuPools].filter((g) => g.autoscaled);
    if (config.nodeAutoscaling.enabled) {
      this.autoscalerRole = new ClusterAutoscalerRole(this, "cluster-autoscaler", { cluster: this.cluster });
    }
    // DNS and storage add-ons run Deployments on the system pool; GPU pools may fail or be empty.
    addons?.addNodeDependentAddons(this.systemPool.nodeGroup);

    if (config.thanos) {
      const t = config.thanos;
      const b = t.bucket;
      const bucket =
        b.mode === "existing"
          ? ThanosBucket.fromExisting(this, "thanos-bucket", { bucketName: b.name, region: config.region, kmsKeyArn: b.kmsKeyArn })
          : new ThanosBucket(this, "thanos-bucket", {
              region: config.region,
              bucketName: b.name,
              kmsKeyArn: b.kmsKeyArn,
              forceDestroy: b.forceDestroy,
              versioning: b.versioning,
              expireObjectsAfterDays: b.expireObjectsAfterDays,
              ...(b.accessLogBucket !== undefined && { accessLogging: { bucketName: b.accessLogBucket } }),
              retention: t.retention,
              downsampling: t.downsampling,
            });
      const access = new ThanosBucketAccess(this, "thanos-access", { cluster: this.cluster, bucket });
      this.thanos = { bucket, roles: access.roles };
      new TerraformOutput(this, "thanos_bucket", { value: bucket.bucketName, description: "S3 bucket of the Thanos blocks" });
    }

    new TerraformOutput(this, "cluster_name", { value: this.cluster.clusterName });
    new TerraformOutput(this, "update_kubeconfig", {
      value: `aws eks update-kubeconfig --region ${config.region} --name ${this.cluster.clusterName}`,
      description: "Command that points kubectl at the cluster",
    });
  }
}
