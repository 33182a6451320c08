import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Fn, Op, TerraformSelf } from "cdktf";
import { Construct } from "constructs";
import { iamRoleNamePrefix } from "../core/aws-name-limits";
import { contains, overlaps, parseCidr } from "../core/cidr";
import { PlatformConfigError } from "../core/errors";
import { keepTemplatesLiteral } from "../core/terraform-literals";
import { LOG_RETENTION_DAYS } from "./cluster-validation";
import { keyPolicyForLogGroup } from "./private/aws-policies";

export type NatGatewayMode = "single" | "perZone";

export interface EksNetworkProps {
  /** Cluster name, for resource names. */
  readonly clusterName: string;
  readonly vpcCidr: string;
  /** One per availability zone; at least two (EKS requires subnets in two zones). */
  readonly privateSubnetCidrs: readonly string[];
  /** One per availability zone, same count as the private subnets; they hold the NAT gateways and public load balancers. */
  readonly publicSubnetCidrs: readonly string[];
  /** Kubernetes service CIDR, checked not to overlap the VPC. */
  readonly serviceCidr: string;
  /**
   * One NAT gateway for the whole VPC (cheaper) or one per zone (no cross-zone egress outage).
   * @default "single"
   */
  readonly natGateways?: NatGatewayMode;
  /**
   * VPC flow logs (accepted and rejected traffic) to a CloudWatch log group, or `false` for none.
   * @default { retentionDays: 30 } - on: an incident review needs to know who talked to what
   */
  readonly flowLogs?: FlowLogOptions | false;
}

export interface FlowLogOptions {
  /** Retention of the flow-log group, one of CloudWatch's values. @default 30 */
  readonly retentionDays?: number;
}

const DEFAULT_FLOW_LOG_RETENTION_DAYS = 30;

/**
 * VPC for an EKS cluster: private subnets for nodes in two or more zones, public subnets with
 * NAT for egress, and the subnet role tags the AWS load balancer integrations look for.
 */
export class EksNetwork extends Construct {
  public readonly vpc: Vpc;
  public readonly privateSubnetIds: string[];
  public readonly publicSubnetIds: string[];

  constructor(scope: Construct, id: string, props: EksNetworkProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    validateNetwork(this.node.path, props);
    const natMode = props.natGateways ?? "single";
    const zoneCount = props.privateSubnetCidrs.length;
    const zones = new DataAwsAvailabilityZones(this, "zones", {
      state: "available",
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
      // The zone count is known only at plan: stop there rather than let element() wrap and put
      // two "one per zone" subnets in one zone.
      lifecycle: {
        postcondition: [
          {
            condition: Op.gte(Fn.lengthOf(TerraformSelf.getAny("names")), zoneCount),
            errorMessage: `privateSubnetCidrs and publicSubnetCidrs list ${zoneCount} subnets, one per availability zone, but this region has fewer available zones: list at most that many.`,
          },
        ],
      },
    });
    const zone = (i: number) => Fn.element(zones.names, i);

    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: props.vpcCidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: props.clusterName },
    });
    // The default security group is what an ENI gets when nobody chose one: managed here with no
    // rule, so such an ENI can talk to nothing (AWS's default allows all traffic inside the group).
    new DefaultSecurityGroup(this, "default-security-group", { vpcId: this.vpc.id, tags: { Name: `${props.clusterName}-default-deny` } });
    if (props.flowLogs !== false) this.addFlowLogs(props.clusterName, props.flowLogs?.retentionDays ?? DEFAULT_FLOW_LOG_RETENTION_DAYS);
    const igw = new InternetGateway(this, "igw", { vpcId: this.vpc.id, tags: { Name: props.clusterName } });

    const publicRoutes = new RouteTable(this, "public-routes", { vpcId: this.vpc.id, tags: { Name: `${props.clusterName}-public` } });
    new Route(this, "public-default", { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });

    const publicSubnets = props.publicSubnetCidrs.map((cidr, i) => {
      const subnet = new Subnet(this, `public-${i}`, {
        vpcId: this.vpc.id,
        cidrBlock: cidr,
        availabilityZone: zone(i),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.clusterName}-public-${i}`, "kubernetes.io/role/elb": "1" },
      });
      new RouteTableAssociation(this, `public-${i}-routes`, { subnetId: subnet.id, routeTableId: publicRoutes.id });
      return subnet;
    });

    const natCount = natMode === "single" ? 1 : publicSubnets.length;
    const nats = Array.from({ length: natCount }, (_, i) => {
      const eip = new Eip(this, `nat-${i}-ip`, { domain: "vpc", tags: { Name: `${props.clusterName}-nat-${i}` } });
      return new NatGateway(this, `nat-${i}`, {
        allocationId: eip.allocationId,
        subnetId: publicSubnets[i].id,
        tags: { Name: `${props.clusterName}-nat-${i}` },
        dependsOn: [igw],
      });
    });

    const privateSubnets = props.privateSubnetCidrs.map((cidr, i) => {
      const subnet = new Subnet(this, `private-${i}`, {
        vpcId: this.vpc.id,
        cidrBlock: cidr,
        availabilityZone: zone(i),
        tags: { Name: `${props.clusterName}-private-${i}`, "kubernetes.io/role/internal-elb": "1" },
      });
      const routes = new RouteTable(this, `private-${i}-routes`, { vpcId: this.vpc.id, tags: { Name: `${props.clusterName}-private-${i}` } });
      new Route(this, `private-${i}-default`, {
        routeTableId: routes.id,
        destinationCidrBlock: "0.0.0.0/0",
        natGatewayId: nats[natMode === "single" ? 0 : i].id,
      });
      new RouteTableAssociation(this, `private-${i}-assoc`, { subnetId: subnet.id, routeTableId: routes.id });
      return subnet;
    });

    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
  }

  /** Flow logs through a delivery role that may write only into their own log group. */
  private addFlowLogs(clusterName: string, retentionDays: number): void {
    const caller = new DataAwsCallerIdentity(this, "caller", {});
    const name = `/aws/vpc/${clusterName}/flow-logs`;
    // A key of its own: the cluster's key is made after the network, and this one serves one group.
    const key = new KmsKey(this, "flow-logs-key", {
      description: `Encryption of the VPC flow logs of EKS cluster ${clusterName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: new DataAwsIamPolicyDocument(this, "flow-logs-key-policy", { statement: keyPolicyForLogGroup(this, caller.accountId, name, "LogsEncryptFlowLogGroup") }).json,
    });
    const group = new CloudwatchLogGroup(this, "flow-logs", { name, retentionInDays: retentionDays, kmsKeyId: key.arn });
    const trust = new DataAwsIamPolicyDocument(this, "flow-logs-trust", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] }],
          // Only for this account's flow logs (confused-deputy guard).
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [caller.accountId] }],
        },
      ],
    });
    const role = new IamRole(this, "flow-logs-role", { namePrefix: iamRoleNamePrefix(`${clusterName}-flow-logs-`), assumeRolePolicy: trust.json });
    new IamRolePolicy(this, "flow-logs-write", {
      role: role.name,
      policy: new DataAwsIamPolicyDocument(this, "flow-logs-permissions", {
        statement: [
          {
            effect: "Allow",
            actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            resources: [group.arn, `${group.arn}:*`],
          },
        ],
      }).json,
    });
    new FlowLog(this, "flow-log", {
      vpcId: this.vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: group.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 600,
      tags: { Name: `${clusterName}-flow-logs` },
    });
  }
}

/** Every CIDR valid, subnets inside the VPC and disjoint, the service CIDR outside the VPC. */
export function validateNetwork(scope: string, props: EksNetworkProps): void {
  const flowRetention = props.flowLogs ? props.flowLogs.retentionDays : undefined;
  if (flowRetention !== undefined && !LOG_RETENTION_DAYS.includes(flowRetention)) {
    throw new PlatformConfigError(scope, "flowLogs.retentionDays", flowRetention, `must be one of ${LOG_RETENTION_DAYS.join(", ")} (CloudWatch Logs retention values)`);
  }
  const vpc = parseCidr(scope, "vpcCidr", props.vpcCidr);
  if (vpc.prefix < 16 || vpc.prefix > 28) throw new PlatformConfigError(scope, "vpcCidr", props.vpcCidr, "must have a prefix between /16 and /28 (AWS VPC limit)");
  if (props.privateSubnetCidrs.length < 2) {
    throw new PlatformConfigError(scope, "privateSubnetCidrs", props.privateSubnetCidrs, "must list at least two subnets (one per availability zone; EKS needs two zones)");
  }
  if (props.publicSubnetCidrs.length !== props.privateSubnetCidrs.length) {
    throw new PlatformConfigError(
      scope,
      "publicSubnetCidrs",
      props.publicSubnetCidrs,
      `must list one subnet per zone, as many as privateSubnetCidrs (${props.privateSubnetCidrs.length})`,
    );
  }
  const subnets = [
    ...props.privateSubnetCidrs.map((c, i) => ({ prop: `privateSubnetCidrs[${i}]`, range: parseCidr(scope, `privateSubnetCidrs[${i}]`, c) })),
    ...props.publicSubnetCidrs.map((c, i) => ({ prop: `publicSubnetCidrs[${i}]`, range: parseCidr(scope, `publicSubnetCidrs[${i}]`, c) })),
  ];
  for (const s of subnets) {
    if (s.range.prefix < 16 || s.range.prefix > 28) throw new PlatformConfigError(scope, s.prop, s.range.cidr, "must have a prefix between /16 and /28 (AWS subnet limit)");
    if (!contains(vpc, s.range)) {
      throw new PlatformConfigError(scope, s.prop, s.range.cidr, `must lie inside vpcCidr ${vpc.cidr}`);
    }
  }
  subnets.forEach((a, i) =>
    subnets.slice(i + 1).forEach((b) => {
      if (overlaps(a.range, b.range)) {
        throw new PlatformConfigError(scope, b.prop, b.range.cidr, `must not overlap ${a.prop} (${a.range.cidr})`);
      }
    }),
  );
  const service = parseCidr(scope, "serviceCidr", props.serviceCidr);
  if (overlaps(vpc, service)) {
    throw new PlatformConfigError(scope, "serviceCidr", service.cidr, `must not overlap vpcCidr ${vpc.cidr}`);
  }
}
