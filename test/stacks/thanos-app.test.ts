import { Testing } from "cdktf";
import { parse } from "yaml";
import { buildApp } from "../../stacks/app";
import { DEFAULT_CONFIG, resolveConfig } from "../../stacks/config";
import { expectConfigError } from "../monitoring/rules/helpers";
import { TfJson, resourceAt, resourcesOf, synthDefaultApp } from "../support/synth";

interface KpsValues {
  prometheus: {
    prometheusSpec: { retention: string; thanos?: { image: string; objectStorageConfig: { existingSecret: { name: string; key: string } } } };
    serviceAccount?: { name: string; annotations: Record<string, string> };
    thanosService?: { enabled: boolean };
    thanosServiceMonitor?: { enabled: boolean };
    additionalServiceMonitors: { name: string }[];
  };
  grafana: {
    sidecar: { datasources: { uid: string; isDefaultDatasource: boolean } };
    additionalDataSources?: { name: string; uid: string; type: string; url: string; isDefault: boolean; jsonData: Record<string, string> }[];
  };
}

function kpsValues(platform: TfJson): KpsValues {
  const release = resourceAt(platform, "helm_release", "monitoring/chart/release") as { values: string[] };
  return parse(release.values[0]) as KpsValues;
}

describe("long-term storage in the default app", () => {
  const { cluster, platform } = synthDefaultApp();
  const values = kpsValues(platform);

  test("the cluster stack creates the hardened bucket, its key and three IRSA roles", () => {
    expect(Object.keys(resourcesOf(cluster, "aws_s3_bucket"))).toHaveLength(1);
    expect(resourceAt(cluster, "aws_kms_key", "thanos-bucket/key")).toMatchObject({ enable_key_rotation: true });
    const roles = Object.keys(resourcesOf(cluster, "aws_iam_role")).filter((id) => id.startsWith("thanos-access_"));
    expect(roles).toHaveLength(3);
  });

  test("Prometheus runs the sidecar with the objstore Secret, a shorter local retention and its IRSA role", () => {
    expect(values.prometheus.prometheusSpec.retention).toBe("7d");
    expect(values.prometheus.prometheusSpec.thanos).toEqual({
      image: "quay.io/thanos/thanos:v0.42.4",
      objectStorageConfig: { existingSecret: { name: expect.stringMatching(/^\$\{kubernetes_secret_v1\.thanos_objstore_[0-9A-F]{8}\.metadata\[0\]\.name\}$/), key: "objstore.yaml" } },
    });
    expect(values.prometheus.serviceAccount).toEqual({
      name: "kube-prometheus-stack-prometheus",
      annotations: { "eks.amazonaws.com/role-arn": expect.stringMatching(/thanos-access_sidecar_role_[0-9A-F]{8}arn\}$/) },
    });
    expect(values.prometheus.thanosService).toEqual({ enabled: true });
    expect(values.prometheus.thanosServiceMonitor).toEqual({ enabled: true });
    expect(values.prometheus.additionalServiceMonitors.map((m) => m.name)).toEqual(expect.arrayContaining(["thanos-query", "thanos-query-frontend", "thanos-store", "thanos-compact"]));
  });

  test("Grafana: Thanos through the Query Frontend is the default datasource with a pinned uid; Prometheus stays second", () => {
    expect(values.grafana.additionalDataSources).toEqual([
      {
        name: "Thanos",
        uid: "thanos",
        type: "prometheus",
        access: "proxy",
        url: "http://thanos-query-frontend.monitoring.svc:9090",
        isDefault: true,
        editable: false,
        jsonData: { prometheusType: "Thanos", timeInterval: "15s" },
      },
    ]);
    expect(values.grafana.sidecar.datasources).toEqual({ uid: "prometheus", isDefaultDatasource: false });
    const { platform: stack } = buildApp(DEFAULT_CONFIG, Testing.app());
    expect(stack.monitoring.defaultDatasource).toEqual({ uid: "thanos", type: "prometheus" });
    expect(stack.monitoring.defaultDatasource).toBe(stack.thanos!.datasource.ref);
    expect(stack.monitoring.prometheusDatasource).toEqual({ uid: "prometheus", type: "prometheus" });
  });

  test("the storage rule pack is loaded, expecting one sidecar per Prometheus replica", () => {
    const { platform: stack } = buildApp(DEFAULT_CONFIG, Testing.app());
    const thanos = stack.monitoring.ruleGroups().find((g) => g.name === "thanos");
    expect(thanos?.rules.map((r) => ("alert" in r ? r.alert : r.record))).toContain("ThanosCompactHalted");
    const endpoints = thanos!.rules.find((r) => "alert" in r && r.alert === "ThanosQueryEndpointsMissing") as { expr: string };
    expect(endpoints.expr).toContain(") < 2\nor\n");
  });

  test("the store gateway and compactor wait for the namespace and the storage class they claim volumes of", () => {
    for (const name of ["thanos-store", "thanos-compact"]) {
      const sts = resourceAt(platform, "kubernetes_stateful_set_v1", `thanos/${name}`) as { depends_on: string[] };
      expect(sts.depends_on).toEqual(["kubernetes_namespace_v1.namespace-monitoring", expect.stringMatching(/^kubernetes_storage_class_v1\.storage_class_[0-9A-F]{8}$/)]);
    }
  });

  test("no access key anywhere in either stack", () => {
    for (const doc of [cluster, platform]) {
      expect(resourcesOf(doc, "aws_iam_access_key")).toEqual({});
      expect(JSON.stringify(doc)).not.toMatch(/access_key|secret_key|AKIA[0-9A-Z]{16}/);
    }
  });

  test("thanos.enabled: false creates no bucket and keeps Prometheus' 15 days and datasource", () => {
    const off = synthDefaultApp(resolveConfig({ thanos: { enabled: false } }));
    expect(resourcesOf(off.cluster, "aws_s3_bucket")).toEqual({});
    const v = kpsValues(off.platform);
    expect(v.prometheus.prometheusSpec.retention).toBe("15d");
    expect(v.prometheus.prometheusSpec.thanos).toBeUndefined();
    expect(v.grafana.additionalDataSources).toBeUndefined();
    expect(v.grafana.sidecar.datasources.isDefaultDatasource).toBe(true);
  });

  test("an existing bucket by name: nothing created, roles and Secret point at it", () => {
    const key = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const existing = synthDefaultApp(resolveConfig({ thanos: { bucket: { mode: "existing", name: "acme-metrics", kmsKeyArn: key } } }));
    expect(resourcesOf(existing.cluster, "aws_s3_bucket")).toEqual({});
    // The only keys left are the cluster's secrets key and the flow logs' key: no bucket key.
    expect(Object.keys(resourcesOf(existing.cluster, "aws_kms_key")).sort()).toEqual([expect.stringMatching(/^eks_secrets-key_/), expect.stringMatching(/^network_flow-logs-key_/)]);
    expect(JSON.stringify(existing.cluster)).toContain(`"arn:aws:s3:::acme-metrics/*"`);
    const secret = resourceAt(existing.platform, "kubernetes_secret_v1", "thanos/objstore") as { data: Record<string, string> };
    expect(parse(secret.data["objstore.yaml"])).toMatchObject({ config: { bucket: "acme-metrics", sse_config: { kms_key_id: key } } });
  });
});

describe("thanos configuration", () => {
  test("defaults", () => {
    expect(resolveConfig({}).thanos).toEqual({
      bucket: { mode: "new", forceDestroy: false, versioning: false },
      retention: { raw: "30d", fiveMinutes: "180d", oneHour: "1y" },
      downsampling: true,
      prometheusRetention: "7d",
    });
  });

  test("bad input, each with its message", () => {
    expectConfigError(
      () => resolveConfig({ thanos: { bucket: { mode: "existing" } } }),
      `config: 'thanos.bucket.name' must name the bucket when thanos.bucket.mode is "existing" (nothing is created, so the name is required), got undefined`,
    );
    expectConfigError(
      () => resolveConfig({ thanos: { bucket: { mode: "existing", name: "acme-metrics", forceDestroy: true } } }),
      `config: 'thanos.bucket.forceDestroy' only applies to a new bucket (thanos.bucket.mode "new"); an existing bucket keeps its own settings: remove thanos.bucket.forceDestroy, got true`,
    );
    expectConfigError(
      () => resolveConfig({ thanos: { bucket: { name: "Acme_Metrics" } } }),
      `config: 'thanos.bucket.name' must be a valid S3 bucket name: 3 to 63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit, not an IP address, no '..' and no reserved prefix or suffix, got "Acme_Metrics"`,
    );
    expectConfigError(
      () => resolveConfig({ region: "eu-west-1", thanos: { bucket: { kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/abc" } } }),
      `config: 'thanos.bucket.kmsKeyArn' must be a key in the bucket's region eu-west-1 (S3 encrypts only with keys of its own region), not in us-west-2, got "arn:aws:kms:us-west-2:123456789012:key/abc"`,
    );
    expectConfigError(
      () => resolveConfig({ thanos: { retention: { raw: "1d" } } }),
      `config: 'thanos.retention.raw' must be longer than 40h with downsampling on (blocks become 5m data only once they span 40 hours), or 0d to keep raw data forever, got "1d"`,
    );
    expectConfigError(
      () => resolveConfig({ thanos: { retenton: { raw: "1d" } } }),
      `config: 'thanos.retenton' is not a known setting (did you mean 'retention'?); known settings here: enabled, bucket, retention, downsampling, prometheusRetention, got {"raw":"1d"}`,
    );
    expectConfigError(
      () => resolveConfig({ thanos: { enabled: false, downsampling: false } }),
      "config: 'thanos.downsampling' only applies with thanos.enabled true; remove it or turn Thanos on, got false",
    );
  });

  test("a bucket lifecycle that expires objects before the compactor's retention fails the synth", () => {
    expect(() => synthDefaultApp(resolveConfig({ thanos: { bucket: { expireObjectsAfterDays: 200 } } }))).toThrow(
      "cluster/thanos-bucket: 'expireObjectsAfterDays' must be longer than the compactor's longest retention (365 days), or the bucket would delete blocks the compactor still keeps, got 200",
    );
  });
});
