import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { TerraformStack } from "cdktf";
import { parse } from "yaml";
import { MonitoringCatalog } from "../../lib/contracts/monitoring-catalog";
import { monitoringLabelContract } from "../../lib/contracts/monitoring-labels";
import { namespaceRefOf } from "../../lib/core/kubernetes/namespace-ref";
import { Thanos, ThanosProps } from "../../lib/storage/thanos";
import { IThanosBucket } from "../../lib/storage/thanos-bucket";
import { ThanosComponentRoles, thanosServiceAccounts } from "../../lib/storage/thanos-bucket-access";
import { IMAGES } from "../../lib/versions";
import { expectConfigError } from "../monitoring/rules/helpers";
import { clusterStack } from "../support/fixtures";
import { TfJson, resourceAt, resourcesOf, synthStack } from "../support/synth";

const KEY_ARN = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const BUCKET: IThanosBucket = { bucketName: "acme-thanos", bucketArn: "arn:aws:s3:::acme-thanos", region: "us-west-2", kmsKeyArn: KEY_ARN };
const SA = thanosServiceAccounts();
const ROLES: ThanosComponentRoles = {
  sidecar: { roleArn: "arn:aws:iam::123456789012:role/sidecar", serviceAccount: SA.sidecar },
  storeGateway: { roleArn: "arn:aws:iam::123456789012:role/store", serviceAccount: SA.storeGateway },
  compactor: { roleArn: "arn:aws:iam::123456789012:role/compact", serviceAccount: SA.compactor },
};
const SYSTEM = { "gpu-platform.io/pool": "system" };

function build(props: Partial<ThanosProps> = {}, stack: TerraformStack = clusterStack()): { stack: TerraformStack; thanos: Thanos; catalog: MonitoringCatalog } {
  const ns = new NamespaceV1(stack, "namespace-monitoring", { metadata: { name: "monitoring" } });
  const catalog = new MonitoringCatalog(monitoringLabelContract());
  const thanos = new Thanos(stack, "thanos", {
    namespace: namespaceRefOf(ns, "monitoring"),
    catalog,
    bucket: BUCKET,
    roles: ROLES,
    nodeSelector: SYSTEM,
    storageClass: "gp3-encrypted",
    ...props,
  });
  return { stack, thanos, catalog };
}

interface Container {
  image: string;
  args: string[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  security_context: Record<string, unknown>;
}
interface PodSpec {
  container: Container[];
  node_selector: Record<string, string>;
  security_context: Record<string, unknown>;
  service_account_name: string;
  automount_service_account_token: boolean;
}
interface Workload {
  spec: { replicas: string; template: { spec: PodSpec }; volume_claim_template?: unknown[] };
  depends_on: string[];
}

const workload = (doc: TfJson, type: string, name: string) => resourceAt(doc, type, `thanos/${name}`) as unknown as Workload;
const args = (w: Workload) => w.spec.template.spec.container[0].args;

describe("Thanos in the cluster", () => {
  const { stack } = build();
  const doc = synthStack(stack);
  const query = workload(doc, "kubernetes_deployment_v1", "thanos-query");
  const frontend = workload(doc, "kubernetes_deployment_v1", "thanos-query-frontend");
  const store = workload(doc, "kubernetes_stateful_set_v1", "thanos-store");
  const compact = workload(doc, "kubernetes_stateful_set_v1", "thanos-compact");

  test("the objstore Secret holds exactly the S3 fields Thanos reads, SSE-KMS with the key, no access keys", () => {
    const secret = resourceAt(doc, "kubernetes_secret_v1", "thanos/objstore") as { data: Record<string, string>; metadata: { name: string } };
    expect(Object.keys(secret.data)).toEqual(["objstore.yaml"]);
    const config = parse(secret.data["objstore.yaml"]) as { type: string; config: Record<string, unknown> };
    expect(config).toEqual({
      type: "S3",
      config: {
        bucket: "acme-thanos",
        endpoint: "s3.us-west-2.amazonaws.com",
        region: "us-west-2",
        aws_sdk_auth: true,
        sse_config: { type: "SSE-KMS", kms_key_id: KEY_ARN },
      },
    });
    // The YAML keys of thanos-io/objstore providers/s3 Config and SSEConfig (v0.42's objstore).
    const S3_CONFIG_KEYS = [
      "bucket", "endpoint", "region", "aws_sdk_auth", "access_key", "insecure", "signature_version2", "secret_key", "session_token",
      "put_user_metadata", "http_config", "trace", "list_objects_version", "bucket_lookup_type", "send_content_md5",
      "disable_multipart", "part_size", "sse_config", "sts_endpoint", "max_retries",
    ];
    const SSE_KEYS = ["type", "kms_key_id", "kms_encryption_context", "encryption_key"];
    expect(Object.keys(config.config).filter((k) => !S3_CONFIG_KEYS.includes(k))).toEqual([]);
    expect(Object.keys(config.config.sse_config as object).filter((k) => !SSE_KEYS.includes(k))).toEqual([]);
    expect(JSON.stringify(config)).not.toMatch(/access_key|secret_key|session_token/);
  });

  test("Query: two replicas deduplicating on prometheus_replica, sidecars and store gateway by DNS SRV", () => {
    expect(query.spec.replicas).toBe("2");
    expect(args(query)).toEqual(
      expect.arrayContaining([
        "query",
        "--query.replica-label=prometheus_replica",
        "--endpoint=dnssrv+_grpc._tcp.kube-prometheus-stack-thanos-discovery.monitoring.svc",
        "--endpoint=dnssrv+_grpc._tcp.thanos-store.monitoring.svc",
      ]),
    );
    expect(args(query).filter((a) => a.startsWith("--endpoint=") || a.startsWith("--store="))).toHaveLength(2);
    // dnssrv+ needs a named port "grpc" on a headless Service, one SRV record per store pod.
    const storeService = resourceAt(doc, "kubernetes_service_v1", "thanos/thanos-store-service") as { spec: { cluster_ip: string; port: { name: string }[] } };
    expect(storeService.spec.cluster_ip).toBe("None");
    expect(storeService.spec.port.map((p) => p.name)).toEqual(["http", "grpc"]);
  });

  test("Query Frontend in front of Query: splitting and a response cache", () => {
    expect(frontend.spec.replicas).toBe("2");
    expect(args(frontend)).toEqual(
      expect.arrayContaining([
        "query-frontend",
        "--query-frontend.downstream-url=http://thanos-query.monitoring.svc:9090",
        "--query-range.split-interval=24h",
        '--query-range.response-cache-config={"type":"IN-MEMORY","config":{"max_size":"256MB","validity":"0s"}}',
      ]),
    );
  });

  test("Store Gateway: a StatefulSet with a volume for its index headers, and the IRSA service account", () => {
    expect(store.spec.replicas).toBe("1");
    expect(store.spec.volume_claim_template).toEqual([
      { metadata: { name: "data" }, spec: { access_modes: ["ReadWriteOnce"], storage_class_name: "gp3-encrypted", resources: { requests: { storage: "10Gi" } } } },
    ]);
    expect(args(store)).toEqual(expect.arrayContaining(["store", "--data-dir=/var/thanos", "--objstore.config-file=/etc/thanos/objstore.yaml"]));
    expect(resourceAt(doc, "kubernetes_service_account_v1", "thanos/thanos-store-sa")).toMatchObject({
      metadata: { name: "thanos-store", namespace: "monitoring", annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/store" } },
    });
  });

  test("Compactor: one replica, --wait, downsampling on, retention raw 30d / 5m 180d / 1h 1y", () => {
    expect(compact.spec.replicas).toBe("1");
    expect(args(compact)).toEqual([
      "compact",
      "--wait",
      "--log.format=logfmt",
      "--data-dir=/var/thanos",
      "--objstore.config-file=/etc/thanos/objstore.yaml",
      "--http-address=0.0.0.0:10902",
      "--retention.resolution-raw=30d",
      "--retention.resolution-5m=180d",
      "--retention.resolution-1h=1y",
      "--delete-delay=48h",
    ]);
    expect(resourceAt(doc, "kubernetes_service_account_v1", "thanos/thanos-compact-sa")).toMatchObject({
      metadata: { annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/compact" } },
    });
  });

  test("every component: the pinned official image, non-root, read-only root filesystem, requests and limits, the system pool", () => {
    for (const w of [query, frontend, store, compact]) {
      const pod = w.spec.template.spec;
      const c = pod.container[0];
      expect(c.image).toBe(`quay.io/thanos/thanos:v0.42.4`);
      expect(`${IMAGES.thanos.repository}:${IMAGES.thanos.tag}`).toBe("quay.io/thanos/thanos:v0.42.4");
      expect(pod.security_context).toMatchObject({ run_as_non_root: true, run_as_user: "65534" });
      expect(c.security_context).toMatchObject({ run_as_non_root: true, read_only_root_filesystem: true, allow_privilege_escalation: false, capabilities: { drop: ["ALL"] } });
      expect(Object.keys(c.resources.requests).sort()).toEqual(["cpu", "memory"]);
      expect(c.resources.limits.memory).toMatch(/^\d+(Mi|Gi)$/);
      expect(pod.node_selector).toEqual(SYSTEM);
      expect(pod.automount_service_account_token).toBe(false);
    }
  });

  test("PodDisruptionBudgets exactly where there is more than one replica", () => {
    const pdbs = Object.values(resourcesOf(doc, "kubernetes_pod_disruption_budget_v1")).map((p) => (p as { metadata: { name: string } }).metadata.name);
    expect(pdbs.sort()).toEqual(["thanos-query", "thanos-query-frontend"]);
    const { stack: two } = build({ storeGateway: { replicas: 2 } });
    const names = Object.values(resourcesOf(synthStack(two), "kubernetes_pod_disruption_budget_v1")).map((p) => (p as { metadata: { name: string } }).metadata.name);
    expect(names).toContain("thanos-store");
  });

  test("every namespaced resource waits for its namespace", () => {
    const namespaced = ["kubernetes_secret_v1", "kubernetes_service_account_v1", "kubernetes_service_v1", "kubernetes_deployment_v1", "kubernetes_stateful_set_v1", "kubernetes_pod_disruption_budget_v1"];
    const all = namespaced.flatMap((type) => Object.entries(resourcesOf(doc, type)));
    // 1 Secret, 4 service accounts, 4 Services, 2 Deployments, 2 StatefulSets, 2 PDBs.
    expect(all).toHaveLength(15);
    {
      for (const [id, r] of all) {
        expect({ id, dependsOn: (r as { depends_on?: string[] }).depends_on }).toEqual({ id, dependsOn: expect.arrayContaining(["kubernetes_namespace_v1.namespace-monitoring"]) });
      }
    }
  });

  test("a ServiceMonitor per component in the catalog, scraping the http port", () => {
    const { catalog } = build();
    expect(catalog.serviceMonitors.map((m) => [m.name, m.namespace, m.port, m.selectorLabels["app.kubernetes.io/name"]])).toEqual([
      ["thanos-query", "monitoring", "http", "thanos-query"],
      ["thanos-query-frontend", "monitoring", "http", "thanos-query-frontend"],
      ["thanos-store", "monitoring", "http", "thanos-store"],
      ["thanos-compact", "monitoring", "http", "thanos-compact"],
    ]);
  });

  test("what MonitoringStack gets: the Secret, Prometheus' service account and role, the datasource", () => {
    const { thanos } = build();
    expect(thanos.prometheusSidecar).toMatchObject({
      objectStorageSecret: { key: "objstore.yaml" },
      serviceAccount: { name: "kube-prometheus-stack-prometheus", roleArn: "arn:aws:iam::123456789012:role/sidecar" },
      datasource: { ref: { uid: "thanos", type: "prometheus" }, name: "Thanos", url: "http://thanos-query-frontend.monitoring.svc:9090" },
      prometheusRetention: "7d",
    });
    expect(thanos.ruleOptions).toEqual({
      namespace: "monitoring",
      jobs: { sidecar: "kube-prometheus-stack-thanos-discovery", query: "thanos-query", storeGateway: "thanos-store", compactor: "thanos-compact" },
      storeGatewayEndpoints: 1,
    });
  });

  test("downsampling off and custom retention", () => {
    const { stack: custom } = build({ downsampling: false, retention: { raw: "90d" } });
    const c = workload(synthStack(custom), "kubernetes_stateful_set_v1", "thanos-compact");
    expect(args(c)).toEqual(expect.arrayContaining(["--retention.resolution-raw=90d", "--downsampling.disable"]));
  });

  describe("bad input", () => {
    test("with downsampling on, raw data kept 40h or less never becomes 5m data", () => {
      expectConfigError(
        () => build({ retention: { raw: "40h" } }),
        `test/thanos: 'retention.raw' must be longer than 40h with downsampling on (blocks become 5m data only once they span 40 hours), or 0d to keep raw data forever, got "40h"`,
      );
      expect(() => build({ retention: { raw: "40h" }, downsampling: false })).not.toThrow();
    });

    test("with downsampling on, 5m data kept 10 days or less never becomes 1h data", () => {
      expectConfigError(
        () => build({ retention: { raw: "2d", fiveMinutes: "10d" } }),
        `test/thanos: 'retention.fiveMinutes' must be longer than 10d with downsampling on (5m blocks become 1h data only once they span 10 days), or 0d to keep 5m data forever, got "10d"`,
      );
    });

    test("raw data kept longer than 5m data, or 5m data longer than 1h data", () => {
      expectConfigError(
        () => build({ retention: { raw: "200d" } }),
        `test/thanos: 'retention.raw' must not be longer than 'retention.fiveMinutes' (180d): each downsampled resolution must outlive the one it is made from, got "200d"`,
      );
      expectConfigError(
        () => build({ retention: { raw: "0d" } }),
        `test/thanos: 'retention.raw' must not be longer than 'retention.fiveMinutes' (180d): each downsampled resolution must outlive the one it is made from, got "0d"`,
      );
      expectConfigError(
        () => build({ retention: { fiveMinutes: "2y" } }),
        `test/thanos: 'retention.fiveMinutes' must not be longer than 'retention.oneHour' (1y): each downsampled resolution must outlive the one it is made from, got "2y"`,
      );
    });

    test("compactor replicas other than 1", () => {
      expectConfigError(
        () => build({ compactor: { replicas: 2 } }),
        "test/thanos: 'compactor.replicas' must be 1: the compactor is a singleton per bucket, two would compact and delete the same blocks, got 2",
      );
    });

    test("two compactors on one bucket fail the synth", () => {
      const { stack } = build();
      new Thanos(stack, "thanos-again", {
        namespace: { name: "monitoring" },
        catalog: new MonitoringCatalog(monitoringLabelContract()),
        bucket: BUCKET,
        roles: ROLES,
        nodeSelector: SYSTEM,
        storageClass: "gp3-encrypted",
      });
      expect(() => synthStack(stack)).toThrow(
        `test/thanos: 'bucket' must have exactly one compactor, but Thanos constructs at test/thanos, test/thanos-again each run one on it, got "acme-thanos"`,
      );
      // Another bucket is fine.
      const { stack: ok } = build();
      new Thanos(ok, "thanos-other", {
        namespace: { name: "monitoring" },
        catalog: new MonitoringCatalog(monitoringLabelContract()),
        bucket: { ...BUCKET, bucketName: "acme-thanos-eu", bucketArn: "arn:aws:s3:::acme-thanos-eu" },
        roles: ROLES,
        nodeSelector: SYSTEM,
        storageClass: "gp3-encrypted",
      });
      expect(() => synthStack(ok)).not.toThrow();
    });

    test("roles trusting service accounts of another namespace", () => {
      const elsewhere = thanosServiceAccounts({ namespace: "observability" });
      expectConfigError(
        () => build({ roles: { ...ROLES, storeGateway: { ...ROLES.storeGateway, serviceAccount: elsewhere.storeGateway } } }),
        `test/thanos: 'roles.storeGateway.serviceAccount.namespace' must be the namespace the Thanos components run in (monitoring), or the IRSA role trusts a service account that does not exist, got "observability"`,
      );
    });

    test("a namespace other than Prometheus'", () => {
      const stack = clusterStack();
      expectConfigError(
        () =>
          new Thanos(stack, "thanos", {
            namespace: { name: "observability" },
            catalog: new MonitoringCatalog(monitoringLabelContract()),
            bucket: BUCKET,
            roles: {
              sidecar: { ...ROLES.sidecar, serviceAccount: { ...SA.sidecar, namespace: "observability" } },
              storeGateway: { ...ROLES.storeGateway, serviceAccount: { ...SA.storeGateway, namespace: "observability" } },
              compactor: { ...ROLES.compactor, serviceAccount: { ...SA.compactor, namespace: "observability" } },
            },
            nodeSelector: SYSTEM,
            storageClass: "gp3-encrypted",
          }),
        `test/thanos: 'namespace' must be Prometheus' namespace (monitoring): the sidecar shares Prometheus' pod and service account, got "observability"`,
      );
    });

    test("sizes and durations", () => {
      expectConfigError(() => build({ storeGateway: { volumeSize: "10GB" } }), `test/thanos: 'storeGateway.volumeSize' must be a Kubernetes quantity such as 10Gi, got "10GB"`);
      expectConfigError(() => build({ queryFrontend: { responseCacheSize: "lots" } }), `test/thanos: 'queryFrontend.responseCacheSize' must be a Thanos byte size such as 256MB or 1GiB, got "lots"`);
      expectConfigError(
        () => build({ prometheusRetention: "2h" }),
        `test/thanos: 'prometheusRetention' must be at least 6h: the sidecar ships 2h blocks once Prometheus cuts them, and needs slack to retry, got "2h"`,
      );
    });
  });
});
