import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { StatefulSetV1 } from "@cdktf/provider-kubernetes/lib/stateful-set-v1";
import { ITerraformDependable } from "cdktf";
import { Construct, IConstruct } from "constructs";
import { MonitoringCatalog } from "../contracts/monitoring-catalog";
import { ConstructTag } from "../core/construct-tag";
import { PlatformConfigError } from "../core/errors";
import { ResourceRequirements } from "../core/kubernetes/resources";
import { NamespaceRef, namespaceDependencies } from "../core/kubernetes/namespace-ref";
import { ComponentFlows, INTERNET_HTTPS, KUBE_DNS, writeComponentPolicy } from "../core/kubernetes/network-policy";
import { KPS_PODS } from "../monitoring/monitoring-network-policies";
import { checkIntRange, parsePrometheusDuration } from "../core/validate";
import { StorageClassRef, toStorageClassRef } from "../platform/storage-class-ref";
import { toYaml } from "../core/yaml";
import { StorageRuleOptions } from "../monitoring/rules/storage-rules";
import { GrafanaDatasource, PrometheusThanosOptions, thanosSidecarDiscoveryService } from "../monitoring/thanos-sidecar";
import { IMAGES, ImagePin } from "../versions";
import { DATA_DIR, GRPC_PORT_NAME, HTTP_PORT_NAME, OBJSTORE_MOUNT, ThanosPodSettings, thanosPodSpec } from "./private/thanos-pod";
import { IThanosBucket } from "./thanos-bucket";
import { ThanosComponentRoles } from "./thanos-bucket-access";
import { ResolvedThanosRetention, ThanosRetention, resolveThanosRetention } from "./thanos-retention";
import { keepTemplatesLiteral } from "../core/terraform-literals";

export interface ThanosQueryOptions {
  /** @default 2 */
  readonly replicas?: number;
  /** @default - requests 100m / 256Mi, limit 1Gi */
  readonly resources?: ResourceRequirements;
}

export interface ThanosQueryFrontendOptions {
  /** @default 2 */
  readonly replicas?: number;
  /** Range queries are split into pieces of this length, run in parallel and cached. @default "24h" */
  readonly splitInterval?: string;
  /** In-memory response cache per replica (Thanos byte size). @default "256MB" */
  readonly responseCacheSize?: string;
  /** @default - requests 100m / 256Mi, limit 768Mi */
  readonly resources?: ResourceRequirements;
}

export interface ThanosStoreGatewayOptions {
  /** @default 1 */
  readonly replicas?: number;
  /** Persistent volume for the index headers of the bucket's blocks. @default "10Gi" */
  readonly volumeSize?: string;
  /** In-memory index cache (Thanos byte size). @default "512MB" */
  readonly indexCacheSize?: string;
  /** @default - requests 200m / 1Gi, limit 2Gi */
  readonly resources?: ResourceRequirements;
}

export interface ThanosCompactorOptions {
  /** Must be 1: two compactors on one bucket corrupt it. @default 1 */
  readonly replicas?: number;
  /** Scratch volume for compaction and downsampling. @default "50Gi" */
  readonly volumeSize?: string;
  /** How long a block marked for deletion stays readable. @default "48h" */
  readonly deleteDelay?: string;
  /** @default - requests 500m / 1Gi, limit 4Gi */
  readonly resources?: ResourceRequirements;
}

export interface ThanosProps {
  /** Namespace of Prometheus; the Thanos components run beside it. */
  readonly namespace: NamespaceRef;
  /** Label contract (release, namespace) and the scrape targets the components register in. */
  readonly catalog: MonitoringCatalog;
  readonly bucket: IThanosBucket;
  /** IRSA roles of the components (ThanosBucketAccess in the cluster stack). */
  readonly roles: ThanosComponentRoles;
  /** Labels of the system pool. */
  readonly nodeSelector: Readonly<Record<string, string>>;
  /**
   * StorageClass of the store gateway and compactor volumes: a name that exists already, or a
   * reference to the class this app creates, which the components wait for.
   */
  readonly storageClass: string | StorageClassRef;
  /** @default DEFAULT_THANOS_RETENTION (raw 30d, 5m 180d, 1h 1y) */
  readonly retention?: ThanosRetention;
  /** @default true */
  readonly downsampling?: boolean;
  /** Local retention of Prometheus once blocks are shipped. @default "7d" */
  readonly prometheusRetention?: string;
  readonly query?: ThanosQueryOptions;
  readonly queryFrontend?: ThanosQueryFrontendOptions;
  readonly storeGateway?: ThanosStoreGatewayOptions;
  readonly compactor?: ThanosCompactorOptions;
  /** @default IMAGES.thanos */
  readonly image?: ImagePin;
  /**
   * A NetworkPolicy per component: Query and the frontend serve their namespace, Query reaches
   * the sidecars and store gateways over gRPC, the store gateway and compactor reach S3 over
   * HTTPS; DNS for all. False where nothing enforces NetworkPolicies.
   * @default true
   */
  readonly networkPolicies?: boolean;
  /** Anything else to wait for, besides the namespace and the storage class. @default - none */
  readonly dependsOn?: ITerraformDependable[];
}

const QUERY_RESOURCES: ResourceRequirements = { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } };
const FRONTEND_RESOURCES: ResourceRequirements = { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "768Mi" } };
const STORE_RESOURCES: ResourceRequirements = { requests: { cpu: "200m", memory: "1Gi" }, limits: { memory: "2Gi" } };
const COMPACT_RESOURCES: ResourceRequirements = { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "4Gi" } };
const HTTP = 10902;
const GRPC = 10901;
/** Query and the frontend serve the Prometheus API on Prometheus' port, as kube-thanos does. */
const API = 9090;
const OBJSTORE_KEY = "objstore.yaml";
const THANOS_BYTES = /^\d+(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/;
const QUANTITY = /^\d+(Mi|Gi|Ti)$/;

/** Compactors by bucket name, for the one-compactor-per-bucket check across the app. */
const COMPACTORS = new ConstructTag<string>("ThanosCompactor");

/** The objstore configuration Thanos reads (thanos-io/objstore `providers/s3`). */
export interface ThanosS3ObjstoreConfig {
  readonly type: "S3";
  readonly config: {
    readonly bucket: string;
    readonly endpoint: string;
    readonly region: string;
    /** Credentials from the AWS SDK chain: the IRSA web identity token. No access keys. */
    readonly aws_sdk_auth: true;
    readonly sse_config?: { readonly type: "SSE-KMS"; readonly kms_key_id: string };
  };
}

/** The objstore configuration of a bucket: SSE-KMS with its key, IRSA credentials, no keys. */
export function thanosObjstoreConfig(bucket: IThanosBucket): ThanosS3ObjstoreConfig {
  return {
    type: "S3",
    config: {
      bucket: bucket.bucketName,
      endpoint: `s3.${bucket.region}.amazonaws.com`,
      region: bucket.region,
      aws_sdk_auth: true,
      ...(bucket.kmsKeyArn !== undefined && { sse_config: { type: "SSE-KMS" as const, kms_key_id: bucket.kmsKeyArn } }),
    },
  };
}

/**
 * Thanos on the platform's bucket, as typed Kubernetes resources with the official image:
 * Query (deduplicating on `prometheus_replica`, reaching the sidecars and the store gateway by
 * DNS service discovery), Query Frontend in front of it (splitting and a response cache),
 * Store Gateway (StatefulSet, index headers on a volume) and one Compactor per bucket
 * (`--wait`, downsampling, retention per resolution). The objstore Secret, the sidecar wiring and
 * the Grafana datasource are handed to MonitoringStack through `prometheusSidecar`.
 */
export class Thanos extends Construct {
  public readonly namespace: string;
  public readonly objstoreSecret: SecretV1;
  public readonly retention: ResolvedThanosRetention;
  /** For MonitoringStack's `thanos`: sidecar, service account, default datasource. */
  public readonly prometheusSidecar: PrometheusThanosOptions;
  /** The Query Frontend, as Grafana's default datasource. */
  public readonly datasource: GrafanaDatasource;
  /** For the storage rule pack: the scrape jobs of each component. */
  public readonly ruleOptions: StorageRuleOptions;
  /** Query's `--endpoint` flags. */
  public readonly endpoints: readonly string[];

  constructor(scope: Construct, id: string, props: ThanosProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    const ns = props.namespace.name;
    this.namespace = ns;
    const image = props.image ?? IMAGES.thanos;
    const downsampling = props.downsampling ?? true;
    const q = props.query ?? {};
    const f = props.queryFrontend ?? {};
    const s = props.storeGateway ?? {};
    const c = props.compactor ?? {};
    const queryReplicas = q.replicas ?? 2;
    const frontendReplicas = f.replicas ?? 2;
    const storeReplicas = s.replicas ?? 1;
    const compactorReplicas = c.replicas ?? 1;
    const splitInterval = f.splitInterval ?? "24h";
    const responseCacheSize = f.responseCacheSize ?? "256MB";
    const storeVolume = s.volumeSize ?? "10Gi";
    const indexCacheSize = s.indexCacheSize ?? "512MB";
    const compactVolume = c.volumeSize ?? "50Gi";
    const deleteDelay = c.deleteDelay ?? "48h";
    const prometheusRetention = props.prometheusRetention ?? "7d";

    // Validate everything before creating anything.
    this.retention = resolveThanosRetention(this, props.retention, downsampling);
    checkIntRange(this, "query.replicas", queryReplicas, 1, 10);
    checkIntRange(this, "queryFrontend.replicas", frontendReplicas, 1, 10);
    checkIntRange(this, "storeGateway.replicas", storeReplicas, 1, 10);
    if (compactorReplicas !== 1) {
      throw new PlatformConfigError(this, "compactor.replicas", compactorReplicas, "must be 1: the compactor is a singleton per bucket, two would compact and delete the same blocks");
    }
    if (parsePrometheusDuration(this, "queryFrontend.splitInterval", splitInterval) < 3600) {
      throw new PlatformConfigError(this, "queryFrontend.splitInterval", splitInterval, "must be at least 1h");
    }
    if (parsePrometheusDuration(this, "compactor.deleteDelay", deleteDelay) < 2 * 3600) {
      // Store gateways must see the deletion mark (ignored after half the delay) before the block goes.
      throw new PlatformConfigError(this, "compactor.deleteDelay", deleteDelay, "must be at least 2h, so store gateways drop a block before it is deleted");
    }
    if (parsePrometheusDuration(this, "prometheusRetention", prometheusRetention) < 6 * 3600) {
      throw new PlatformConfigError(this, "prometheusRetention", prometheusRetention, "must be at least 6h: the sidecar ships 2h blocks once Prometheus cuts them, and needs slack to retry");
    }
    for (const [prop, value] of [["queryFrontend.responseCacheSize", responseCacheSize], ["storeGateway.indexCacheSize", indexCacheSize]] as const) {
      if (!THANOS_BYTES.test(value)) throw new PlatformConfigError(this, prop, value, "must be a Thanos byte size such as 256MB or 1GiB");
    }
    for (const [prop, value] of [["storeGateway.volumeSize", storeVolume], ["compactor.volumeSize", compactVolume]] as const) {
      if (!QUANTITY.test(value)) throw new PlatformConfigError(this, prop, value, "must be a Kubernetes quantity such as 10Gi");
    }
    for (const [component, role] of Object.entries(props.roles)) {
      if (role.serviceAccount.namespace !== ns) {
        throw new PlatformConfigError(this, `roles.${component}.serviceAccount.namespace`, role.serviceAccount.namespace, `must be the namespace the Thanos components run in (${ns}), or the IRSA role trusts a service account that does not exist`);
      }
    }
    if (props.catalog.labels.namespace !== ns) {
      throw new PlatformConfigError(this, "namespace", ns, `must be Prometheus' namespace (${props.catalog.labels.namespace}): the sidecar shares Prometheus' pod and service account`);
    }

    const storageClass = toStorageClassRef(props.storageClass);
    const dependsOn = [...(namespaceDependencies(props.namespace) ?? []), ...(storageClass.resource ? [storageClass.resource] : []), ...(props.dependsOn ?? [])];
    const dependable = dependsOn.length ? { dependsOn } : {};
    this.objstoreSecret = new SecretV1(this, "objstore", {
      ...dependable,
      metadata: { name: "thanos-objstore", namespace: ns, labels: { "app.kubernetes.io/part-of": "thanos" } },
      data: { [OBJSTORE_KEY]: toYaml(thanosObjstoreConfig(props.bucket)) },
    });
    const objstoreFlag = `--objstore.config-file=${OBJSTORE_MOUNT}/${OBJSTORE_KEY}`;
    const sidecarService = thanosSidecarDiscoveryService(props.catalog.labels.releaseName);

    const component = (name: string) => {
      const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "thanos" };
      return { name, labels, metadata: { name, namespace: ns, labels } };
    };
    const serviceAccount = (name: string, roleArn?: string) =>
      new ServiceAccountV1(this, `${name}-sa`, {
        ...dependable,
        metadata: { name, namespace: ns, ...(roleArn !== undefined && { annotations: { "eks.amazonaws.com/role-arn": roleArn } }) },
        automountServiceAccountToken: false,
      });
    const service = (cmp: ReturnType<typeof component>, ports: { name: string; port: number }[], headless = false) => {
      new ServiceV1(this, `${cmp.name}-service`, {
        ...dependable,
        metadata: cmp.metadata,
        spec: {
          selector: cmp.labels,
          ...(headless && { clusterIp: "None" }),
          port: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: "TCP" })),
        },
      });
      const http = ports.find((p) => p.name === HTTP_PORT_NAME);
      props.catalog.addServiceMonitor({ name: cmp.name, namespace: ns, selectorLabels: cmp.labels, port: HTTP_PORT_NAME, ...(http && { targetPort: http.port }) });
    };
    const pdb = (cmp: ReturnType<typeof component>, replicas: number) => {
      if (replicas > 1) {
        new PodDisruptionBudgetV1(this, `${cmp.name}-pdb`, { ...dependable, metadata: cmp.metadata, spec: { maxUnavailable: "1", selector: { matchLabels: cmp.labels } } });
      }
    };
    const claim = (size: string) => [
      {
        metadata: { name: "data" },
        spec: { accessModes: ["ReadWriteOnce"], storageClassName: storageClass.name, resources: { requests: { storage: size } } },
      },
    ];
    // Every component's pod: its labels, the pinned image, the system pool, its own service account.
    type PodOptions = Omit<ThanosPodSettings, "labels" | "image" | "nodeSelector" | "serviceAccountName">;
    const podTemplate = (cmp: ReturnType<typeof component>, replicas: number, pod: PodOptions) => ({
      replicas: String(replicas),
      selector: { matchLabels: cmp.labels },
      template: {
        metadata: { labels: cmp.labels },
        spec: thanosPodSpec({ ...pod, labels: cmp.labels, image, nodeSelector: props.nodeSelector, serviceAccountName: cmp.name }),
      },
    });
    const deployment = (cmp: ReturnType<typeof component>, replicas: number, pod: PodOptions) =>
      new DeploymentV1(this, cmp.name, { ...dependable, metadata: cmp.metadata, spec: podTemplate(cmp, replicas, pod) });
    /** A StatefulSet whose pods keep a volume (index headers, compaction scratch space). */
    const statefulSet = (cmp: ReturnType<typeof component>, replicas: number, volumeSize: string, pod: PodOptions) =>
      new StatefulSetV1(this, cmp.name, {
        ...dependable,
        metadata: cmp.metadata,
        spec: { serviceName: cmp.name, ...podTemplate(cmp, replicas, pod), volumeClaimTemplate: claim(volumeSize) },
      });

    // Query: deduplicates the Prometheus replicas and fans out to sidecars and store gateways.
    const query = component("thanos-query");
    this.endpoints = [`dnssrv+_grpc._tcp.${sidecarService}.${ns}.svc`, `dnssrv+_grpc._tcp.thanos-store.${ns}.svc`];
    serviceAccount(query.name);
    deployment(query, queryReplicas, {
      args: [
        "query",
        "--log.format=logfmt",
        `--http-address=0.0.0.0:${API}`,
        `--grpc-address=0.0.0.0:${GRPC}`,
        "--query.replica-label=prometheus_replica",
        // Long ranges read 5m/1h data instead of raw samples.
        "--query.auto-downsampling",
        ...this.endpoints.map((e) => `--endpoint=${e}`),
      ],
      ports: [{ name: HTTP_PORT_NAME, port: API }, { name: GRPC_PORT_NAME, port: GRPC }],
      resources: q.resources ?? QUERY_RESOURCES,
      spread: true,
    });
    service(query, [{ name: HTTP_PORT_NAME, port: API }, { name: GRPC_PORT_NAME, port: GRPC }]);
    pdb(query, queryReplicas);

    // Query Frontend: splits range queries by day and caches the answers.
    const frontend = component("thanos-query-frontend");
    const cache = JSON.stringify({ type: "IN-MEMORY", config: { max_size: responseCacheSize, validity: "0s" } });
    serviceAccount(frontend.name);
    deployment(frontend, frontendReplicas, {
      args: [
        "query-frontend",
        "--log.format=logfmt",
        `--http-address=0.0.0.0:${API}`,
        `--query-frontend.downstream-url=http://${query.name}.${ns}.svc:${API}`,
        `--query-range.split-interval=${splitInterval}`,
        `--query-range.response-cache-config=${cache}`,
        "--query-range.max-retries-per-request=3",
        `--labels.split-interval=${splitInterval}`,
        `--labels.response-cache-config=${cache}`,
        "--query-frontend.compress-responses",
      ],
      ports: [{ name: HTTP_PORT_NAME, port: API }],
      resources: f.resources ?? FRONTEND_RESOURCES,
      spread: true,
    });
    service(frontend, [{ name: HTTP_PORT_NAME, port: API }]);
    pdb(frontend, frontendReplicas);

    // Store Gateway: serves the bucket's blocks; index headers live on its volume.
    const store = component(props.roles.storeGateway.serviceAccount.name);
    serviceAccount(store.name, props.roles.storeGateway.roleArn);
    statefulSet(store, storeReplicas, storeVolume, {
      args: [
        "store",
        "--log.format=logfmt",
        `--data-dir=${DATA_DIR}`,
        objstoreFlag,
        `--http-address=0.0.0.0:${HTTP}`,
        `--grpc-address=0.0.0.0:${GRPC}`,
        `--index-cache.config=${JSON.stringify({ type: "IN-MEMORY", config: { max_size: indexCacheSize } })}`,
        // Half the compactor's delete delay: a block marked for deletion is dropped before it goes.
        `--ignore-deletion-marks-delay=${Math.floor(parsePrometheusDuration(this, "compactor.deleteDelay", deleteDelay) / 7200)}h`,
      ],
      ports: [{ name: HTTP_PORT_NAME, port: HTTP }, { name: GRPC_PORT_NAME, port: GRPC }],
      resources: s.resources ?? STORE_RESOURCES,
      objstoreSecret: this.objstoreSecret.metadata.name,
      dataVolume: true,
      spread: true,
    });
    // Headless: `dnssrv+` resolves one SRV record per store pod.
    service(store, [{ name: HTTP_PORT_NAME, port: HTTP }, { name: GRPC_PORT_NAME, port: GRPC }], true);
    pdb(store, storeReplicas);

    // Compactor: exactly one per bucket.
    const compact = component(props.roles.compactor.serviceAccount.name);
    serviceAccount(compact.name, props.roles.compactor.roleArn);
    statefulSet(compact, 1, compactVolume, {
      args: [
        "compact",
        "--wait",
        "--log.format=logfmt",
        `--data-dir=${DATA_DIR}`,
        objstoreFlag,
        `--http-address=0.0.0.0:${HTTP}`,
        `--retention.resolution-raw=${this.retention.raw}`,
        `--retention.resolution-5m=${this.retention.fiveMinutes}`,
        `--retention.resolution-1h=${this.retention.oneHour}`,
        `--delete-delay=${deleteDelay}`,
        ...(downsampling ? [] : ["--downsampling.disable"]),
      ],
      ports: [{ name: HTTP_PORT_NAME, port: HTTP }],
      resources: c.resources ?? COMPACT_RESOURCES,
      objstoreSecret: this.objstoreSecret.metadata.name,
      dataVolume: true,
      spread: false,
    });
    service(compact, [{ name: HTTP_PORT_NAME, port: HTTP }]);
    COMPACTORS.set(this, props.bucket.bucketName);

    if (props.networkPolicies ?? true) {
      // Ingress from the namespace: Prometheus scrapes every component, Grafana reads the frontend.
      const namespacePods = { peers: [{}] };
      const own = (c: typeof query) => ({ name: c.name, pods: c.labels });
      const flows: ComponentFlows[] = [
        { ...own(query), ingress: [{ ...namespacePods, ports: [API] }], egress: [KUBE_DNS, { peers: [{ pods: KPS_PODS.prometheus }, { pods: store.labels }], ports: [GRPC] }] },
        { ...own(frontend), ingress: [{ ...namespacePods, ports: [API] }], egress: [KUBE_DNS, { peers: [{ pods: query.labels }], ports: [API] }] },
        { ...own(store), ingress: [{ ...namespacePods, ports: [HTTP] }, { peers: [{ pods: query.labels }], ports: [GRPC] }], egress: [KUBE_DNS, INTERNET_HTTPS] },
        { ...own(compact), ingress: [{ ...namespacePods, ports: [HTTP] }], egress: [KUBE_DNS, INTERNET_HTTPS] },
      ];
      for (const f of flows) writeComponentPolicy(this, props.namespace, f);
    }
    this.node.addValidation({ validate: () => duplicateCompactorErrors(this, props.bucket.bucketName) });

    this.datasource = { ref: { uid: "thanos", type: "prometheus" }, name: "Thanos", url: `http://${frontend.name}.${ns}.svc:${API}` };
    this.prometheusSidecar = {
      objectStorageSecret: { name: this.objstoreSecret.metadata.name, key: OBJSTORE_KEY },
      serviceAccount: { name: props.roles.sidecar.serviceAccount.name, roleArn: props.roles.sidecar.roleArn },
      datasource: this.datasource,
      prometheusRetention,
      dependsOn: [this.objstoreSecret],
    };
    this.ruleOptions = {
      namespace: ns,
      jobs: { sidecar: sidecarService, query: query.name, storeGateway: store.name, compactor: compact.name },
      storeGatewayEndpoints: storeReplicas,
    };
  }
}

/** Two compactors on one bucket would compact and delete the same blocks. */
function duplicateCompactorErrors(self: IConstruct, bucketName: string): string[] {
  const same = COMPACTORS.findAll(self.node.root).filter((c) => c.value === bucketName);
  if (same.length < 2 || same[0].construct !== self) return [];
  return [
    new PlatformConfigError(self, "bucket", bucketName, `must have exactly one compactor, but Thanos constructs at ${same.map((c) => c.construct.node.path).join(", ")} each run one on it`).message,
  ];
}
