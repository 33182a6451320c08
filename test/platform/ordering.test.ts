import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { App, TerraformStack, Testing } from "cdktf";
import { MonitoringCatalog } from "../../lib/contracts/monitoring-catalog";
import { monitoringLabelContract } from "../../lib/contracts/monitoring-labels";
import { namespaceRefOf } from "../../lib/core/kubernetes/namespace-ref";
import { DcgmExporter } from "../../lib/gpu/dcgm-exporter";
import { GpuPool } from "../../lib/gpu/gpu-pool";
import { AlertRouting } from "../../lib/monitoring/alertmanager/alert-routing";
import { AlertmanagerSecret } from "../../lib/monitoring/alertmanager/alertmanager-secret";
import { platformAlertmanagerConfig } from "../../lib/monitoring/alertmanager/platform-routing";
import { GrafanaAdminSecret } from "../../lib/monitoring/grafana-admin-secret";
import { MonitoringStack } from "../../lib/monitoring/monitoring-stack";
import { PROMETHEUS_OPERATOR_CRDS } from "../../lib/platform/custom-resources";
import { TerraformJsonDocument, orderingFindings } from "../../lib/platform/ordering-check";
import { addOrderingValidation } from "../../lib/platform/ordering-validation";
import { PinnedHelmRelease } from "../../lib/platform/pinned-helm-release";
import { CHARTS } from "../../lib/versions";
import { buildApp } from "../../stacks/app";
import { DEFAULT_CONFIG } from "../../stacks/config";
import { clusterStack } from "../support/fixtures";
import { resourceAt, synthDefaultApp } from "../support/synth";

const pool = GpuPool.fromExisting({ poolName: "a10g" });

/** A stack with the Kubernetes and Helm providers and the ordering check. */
function checkedStack(app?: App, id = "test"): TerraformStack {
  const stack = app ? new TerraformStack(app, id) : clusterStack(id);
  if (app) {
    new KubernetesProvider(stack, "kubernetes", { configPath: "~/.kube/config" });
    new HelmProvider(stack, "helm", { kubernetes: { configPath: "~/.kube/config" } });
  }
  addOrderingValidation(stack);
  return stack;
}

/** The ordering errors of a stack, as its validation reports them. */
function orderingErrors(stack: TerraformStack): string[] {
  return stack.node.validate();
}

function monitoringNamespace(stack: TerraformStack): NamespaceV1 {
  return new NamespaceV1(stack, "namespace-monitoring", { metadata: { name: "monitoring" } });
}

function monitoringStack(stack: TerraformStack, namespace?: NamespaceV1): MonitoringStack {
  return new MonitoringStack(stack, "monitoring", {
    clusterName: "test-cluster",
    catalog: new MonitoringCatalog(monitoringLabelContract()),
    gpuPools: [pool],
    systemNodeLabels: { "gpu-platform.io/role": "system" },
    storageClass: "gp3-encrypted",
    ...(namespace && { namespace: namespaceRefOf(namespace, "monitoring") }),
  });
}

describe("ordering check: namespaces", () => {
  test("a Secret naming a namespace of the stack without waiting for it fails, naming the resource and the namespace", () => {
    const stack = checkedStack();
    monitoringNamespace(stack);
    // As GrafanaAdminSecret was wired before: the literal name, no reference.
    const grafana = new GrafanaAdminSecret(stack, "grafana-admin", { namespace: "monitoring" });
    const secret = `kubernetes_secret_v1.${stack.getLogicalId(grafana.secret)}`;
    expect(orderingErrors(stack)).toEqual([
      `${secret} (test/grafana-admin/secret): uses namespace "monitoring" without waiting for kubernetes_namespace_v1.namespace-monitoring, which creates it: add it to depends_on (pass the namespace as a NamespaceRef)`,
    ]);
    expect(() => Testing.synth(stack, true)).toThrow(`${secret} (test/grafana-admin/secret): uses namespace "monitoring" without waiting`);
  });

  test("the same Secret given the namespace as a NamespaceRef waits for it and passes", () => {
    const stack = checkedStack();
    const namespace = monitoringNamespace(stack);
    const grafana = new GrafanaAdminSecret(stack, "grafana-admin", { namespace: namespaceRefOf(namespace, "monitoring") });
    expect(orderingErrors(stack)).toEqual([]);
    const secret = JSON.parse(Testing.synth(stack)).resource.kubernetes_secret_v1[stack.getLogicalId(grafana.secret)];
    expect(secret.depends_on).toEqual(["kubernetes_namespace_v1.namespace-monitoring"]);
  });

  test("a Helm release in a namespace of the stack without waiting for it fails", () => {
    const stack = checkedStack();
    new NamespaceV1(stack, "namespace-nvidia", { metadata: { name: "nvidia" } });
    const plugin = new PinnedHelmRelease(stack, "plugin", { releaseName: "plugin", namespace: "nvidia", chart: CHARTS.nvidiaDevicePlugin, values: {} });
    expect(orderingErrors(stack)).toEqual([
      `helm_release.${stack.getLogicalId(plugin.release)} (test/plugin/release): uses namespace "nvidia" without waiting for kubernetes_namespace_v1.namespace-nvidia, which creates it: add it to depends_on (pass the namespace as a NamespaceRef)`,
    ]);
  });

  test("resources in namespaces the stack does not create, and references to the namespace's name, pass", () => {
    const doc: TerraformJsonDocument = {
      resource: {
        kubernetes_namespace_v1: { ns: { metadata: { name: "apps" } } },
        kubernetes_secret_v1: {
          elsewhere: { metadata: { name: "a", namespace: "kube-system" } },
          referenced: { metadata: [{ name: "b", namespace: "${kubernetes_namespace_v1.ns.metadata[0].name}" }] },
          literal: { metadata: [{ name: "c", namespace: "apps" }] },
        },
      },
    };
    expect(orderingFindings(doc)).toEqual([
      {
        address: "kubernetes_secret_v1.literal",
        message:
          'uses namespace "apps" without waiting for kubernetes_namespace_v1.ns, which creates it: add it to depends_on (pass the namespace as a NamespaceRef)',
      },
    ]);
  });

  test("a kubernetes_manifest's namespace is read from the manifest", () => {
    const doc: TerraformJsonDocument = {
      resource: {
        kubernetes_namespace_v1: { ns: { metadata: { name: "apps" } } },
        kubernetes_manifest: { cm: { manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "apps" } } } },
      },
    };
    expect(orderingFindings(doc).map((f) => f.address)).toEqual(["kubernetes_manifest.cm"]);
  });
});

describe("ordering check: custom resources", () => {
  test("a release creating a ServiceMonitor without waiting for kube-prometheus-stack fails", () => {
    const stack = checkedStack();
    monitoringStack(stack);
    // As the platform stack wired the DCGM exporter before: no CRD handle.
    const dcgm = new DcgmExporter(stack, "dcgm", { pools: [pool], monitoringLabels: monitoringLabelContract() });
    expect(orderingErrors(stack)).toEqual([
      `helm_release.${stack.getLogicalId(dcgm.helm.release)} (test/dcgm/chart/release): creates ServiceMonitor.monitoring.coreos.com without waiting for helm_release.monitoring_chart_release_36CE6310, which installs its CRD: add it to depends_on (pass the CRD provider, e.g. MonitoringStack.crds)`,
    ]);
  });

  test("given MonitoringStack.crds, the release waits for kube-prometheus-stack and passes", () => {
    const stack = checkedStack();
    const monitoring = monitoringStack(stack);
    const dcgm = new DcgmExporter(stack, "dcgm", { pools: [pool], monitoringLabels: monitoringLabelContract(), monitoringCrds: monitoring.crds });
    expect(orderingErrors(stack)).toEqual([]);
    const release = JSON.parse(Testing.synth(stack)).resource.helm_release[stack.getLogicalId(dcgm.helm.release)];
    expect(release.depends_on).toEqual(["helm_release.monitoring_chart_release_36CE6310"]);
  });

  test("installs and creates are declared in the plan's comment of each release, which Terraform ignores", () => {
    const stack = checkedStack();
    const monitoring = monitoringStack(stack);
    const dcgm = new DcgmExporter(stack, "dcgm", { pools: [pool], monitoringLabels: monitoringLabelContract(), monitoringCrds: monitoring.crds });
    const releases = (stack.toTerraform() as { resource: { helm_release: Record<string, { "//": Record<string, unknown> }> } }).resource.helm_release;
    expect(releases[stack.getLogicalId(dcgm.helm.release)]["//"].custom_resources).toEqual({ creates: [{ group: "monitoring.coreos.com", kinds: ["ServiceMonitor"] }] });
    expect(releases["monitoring_chart_release_36CE6310"]["//"].custom_resources).toEqual({
      installs: [{ group: "monitoring.coreos.com", kinds: expect.arrayContaining(["ServiceMonitor", "PodMonitor", "PrometheusRule"]) }],
    });
  });

  test("a kubernetes_manifest custom resource whose CRD the same apply installs fails: it cannot be planned", () => {
    const stack = checkedStack();
    const monitoring = monitoringStack(stack);
    new Manifest(stack, "monitor", {
      manifest: { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: { name: "x", namespace: "default" } },
      dependsOn: [monitoring.helm.release],
    });
    expect(orderingErrors(stack)).toEqual([
      "kubernetes_manifest.monitor (test/monitor): creates a ServiceMonitor.monitoring.coreos.com whose CRD helm_release.monitoring_chart_release_36CE6310 installs in the same apply: kubernetes_manifest needs the CRD at plan time, so the first plan fails; deliver it through the chart's values",
    ]);
  });

  test("a kind the CRD group does not define, and a group the release does not install, are rejected", () => {
    const stack = clusterStack();
    expect(
      () =>
        new PinnedHelmRelease(stack, "r", {
          releaseName: "r",
          namespace: "default",
          chart: CHARTS.dcgmExporter,
          values: {},
          createsCustomResources: [{ crds: { ...PROMETHEUS_OPERATOR_CRDS }, kinds: ["ServiceMonitors"] }],
        }),
    ).toThrow(
      "test/r: 'createsCustomResources[0].kinds' must be a kind of monitoring.coreos.com (Alertmanager, AlertmanagerConfig, PodMonitor, Probe, Prometheus, PrometheusAgent, PrometheusRule, ScrapeConfig, ServiceMonitor, ThanosRuler), got \"ServiceMonitors\"",
    );
    const release = new PinnedHelmRelease(stack, "s", { releaseName: "s", namespace: "default", chart: CHARTS.dcgmExporter, values: {} });
    expect(() => release.crds("monitoring.coreos.com")).toThrow("test/s: 'installsCrds' must include monitoring.coreos.com to hand out its CRDs, got []");
  });
});

describe("ordering check: depends_on entries", () => {
  test("an interpolated depends_on (what the old walker wrote) fails", () => {
    const stack = checkedStack();
    new NamespaceV1(stack, "namespace-inference", { metadata: { name: "inference" } });
    const secret = new SecretV1(stack, "secret", { metadata: { name: "s", namespace: "inference" } });
    secret.addOverride("depends_on", ["${kubernetes_namespace_v1.namespace-inference}"]);
    expect(orderingErrors(stack)).toEqual([
      'kubernetes_secret_v1.secret (test/secret): depends_on entry "${kubernetes_namespace_v1.namespace-inference}" is not a static reference: Terraform accepts only "type.name" (hand cdktf the resource, not a string)',
      'kubernetes_secret_v1.secret (test/secret): uses namespace "inference" without waiting for kubernetes_namespace_v1.namespace-inference, which creates it: add it to depends_on (pass the namespace as a NamespaceRef)',
    ]);
  });

  test("an entry naming a block the document does not hold fails; data sources and modules are valid targets", () => {
    const doc: TerraformJsonDocument = {
      data: { aws_caller_identity: { me: {} } },
      module: { vpc: {} },
      resource: { null_resource: { a: { depends_on: ["data.aws_caller_identity.me", "module.vpc", "null_resource.gone", 42] } } },
    };
    expect(orderingFindings(doc).map((f) => f.message)).toEqual([
      'depends_on entry "null_resource.gone" names nothing in this stack',
      'depends_on entry 42 is not a static reference: Terraform accepts only "type.name" (hand cdktf the resource, not a string)',
    ]);
  });
});

describe("ordering check: GPU node groups", () => {
  function nodeGroup(stack: TerraformStack, id: string, amiType: string): EksNodeGroup {
    return new EksNodeGroup(stack, id, {
      clusterName: "c",
      nodeGroupName: id,
      nodeRoleArn: "arn:aws:iam::123456789012:role/node",
      subnetIds: ["subnet-a"],
      amiType,
      scalingConfig: { minSize: 0, maxSize: 2, desiredSize: 0 },
    });
  }

  test("a release waiting on a GPU node group fails; waiting on the system group passes", () => {
    const stack = checkedStack();
    new AwsProvider(stack, "aws", { region: "us-west-2" });
    const gpu = nodeGroup(stack, "gpu", "AL2023_x86_64_NVIDIA");
    const system = nodeGroup(stack, "system", "AL2023_x86_64_STANDARD");
    const r = new PinnedHelmRelease(stack, "r", { releaseName: "r", namespace: "default", chart: CHARTS.prometheusAdapter, values: {}, dependsOn: [gpu, system] });
    expect(orderingErrors(stack)).toEqual([
      `helm_release.${stack.getLogicalId(r.release)} (test/r/release): waits on the GPU node group aws_eks_node_group.gpu: nothing needs it, and a GPU capacity failure (quota, spot shortage) would hold this back`,
    ]);
  });

  test("a reference to a GPU group's attribute waits on it too; a group is GPU by its taint as well as its AMI", () => {
    const doc: TerraformJsonDocument = {
      resource: {
        aws_eks_node_group: { tainted: { ami_type: "CUSTOM", taint: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }] } },
        kubernetes_config_map_v1: { c: { metadata: { name: "c", namespace: "default" }, data: { arn: "${aws_eks_node_group.tainted.arn}" } } },
      },
    };
    expect(orderingFindings(doc).map((f) => `${f.address}: ${f.message}`)).toEqual([
      "kubernetes_config_map_v1.c: waits on the GPU node group aws_eks_node_group.tainted: nothing needs it, and a GPU capacity failure (quota, spot shortage) would hold this back",
    ]);
  });

  test("a reference to a node group of another stack fails in the consuming stack", () => {
    const app = Testing.app();
    const cluster = new TerraformStack(app, "cluster");
    new AwsProvider(cluster, "aws", { region: "us-west-2" });
    const gpu = nodeGroup(cluster, "gpu", "AL2023_x86_64_NVIDIA");
    const platform = checkedStack(app, "platform");
    new SecretV1(platform, "s", { metadata: { name: "s", namespace: "default" }, data: { group: gpu.arn } });
    cluster.prepareStack();
    platform.prepareStack();
    expect(orderingErrors(platform)).toEqual([
      expect.stringMatching(
        /^kubernetes_secret_v1\.s \(platform\/s\): refers to cross-stack-output-aws_eks_node_groupgpuarn, a node group of another stack: in-cluster resources need no node group's attributes/,
      ),
    ]);
  });
});

describe("ordering in the default app", () => {
  const { platform, cluster } = synthDefaultApp();
  const dependsOn = (type: string, path: string) => resourceAt(platform, type, path).depends_on as string[];
  const kubePrometheusStack = "helm_release.monitoring_chart_release_36CE6310";

  test("the platform stack passes the check, which runs on it", () => {
    const built = buildApp(DEFAULT_CONFIG, Testing.app());
    built.cluster.prepareStack();
    built.platform.prepareStack();
    expect(built.platform.node.validate()).toEqual([]);
    // The check is attached to the platform stack: a Secret that does not wait fails it.
    new SecretV1(built.platform, "stray", { metadata: { name: "stray", namespace: "monitoring" } });
    expect(built.platform.node.validate()).toEqual([expect.stringContaining('kubernetes_secret_v1.stray (platform/stray): uses namespace "monitoring" without waiting')]);
  });

  test("the cluster stack passes too: no add-on waits on a GPU node group", () => {
    expect(orderingFindings(cluster)).toEqual([]);
    expect(resourceAt(cluster, "aws_eks_node_group", "gpu-pool-g5-ondemand/node-group").ami_type).toMatch(/NVIDIA/);
  });

  test("dcgm-exporter waits for kube-prometheus-stack, which installs the ServiceMonitor CRD, and for its namespace", () => {
    expect(dependsOn("helm_release", "gpu/dcgm-exporter/chart/release")).toEqual(["kubernetes_namespace_v1.namespace-nvidia", kubePrometheusStack]);
    expect(resourceAt(platform, "helm_release", "monitoring/chart/release").chart).toBe("kube-prometheus-stack");
  });

  test("the grafana-admin Secret waits for the monitoring namespace; kube-prometheus-stack waits for it, the Secrets it mounts and the storage class", () => {
    expect(dependsOn("kubernetes_secret_v1", "monitoring/grafana-admin/secret")).toEqual(["kubernetes_namespace_v1.namespace-monitoring"]);
    expect(dependsOn("helm_release", "monitoring/chart/release")).toEqual([
      "kubernetes_namespace_v1.namespace-monitoring",
      "kubernetes_storage_class_v1.storage_class_124E3619",
      "kubernetes_secret_v1.monitoring_grafana-admin_secret_6D8235AA",
      // The Thanos sidecar mounts the objstore Secret.
      "kubernetes_secret_v1.thanos_objstore_20244BBA",
      // node-exporter runs in its own (privileged) namespace.
      "kubernetes_namespace_v1.namespace-node-monitoring",
    ]);
  });

  test("every release names its namespace literally and waits for it", () => {
    expect(resourceAt(platform, "helm_release", "gpu/device-plugin/chart/release")).toMatchObject({
      namespace: "nvidia",
      depends_on: ["kubernetes_namespace_v1.namespace-nvidia"],
    });
    expect(resourceAt(platform, "helm_release", "prometheus-adapter/chart/release")).toMatchObject({
      namespace: "monitoring",
      depends_on: ["kubernetes_namespace_v1.namespace-monitoring"],
    });
  });

  test("the Secrets Manager copy of the Alertmanager credentials waits for the monitoring namespace", () => {
    const stack = checkedStack();
    new AwsProvider(stack, "aws", { region: "us-west-2" });
    const namespace = monitoringNamespace(stack);
    new AlertRouting(stack, "routing", {
      monitoringLabels: monitoringLabelContract(),
      namespace: namespaceRefOf(namespace, "monitoring"),
      config: platformAlertmanagerConfig({ chat: [{ kind: "slack", apiUrl: AlertmanagerSecret.fromSecretsManager("alerting/slack", { key: "slack-url" }) }] }),
    });
    expect(orderingErrors(stack)).toEqual([]);
    const copy = Object.values(JSON.parse(Testing.synth(stack)).resource.kubernetes_secret_v1 as Record<string, { depends_on: string[] }>);
    expect(copy.map((s) => s.depends_on)).toEqual([["kubernetes_namespace_v1.namespace-monitoring"]]);
  });
});

describe("namespace handles must match the label contract", () => {
  test("MonitoringStack rejects a namespace other than the contract's", () => {
    const stack = clusterStack();
    const other = new NamespaceV1(stack, "ns", { metadata: { name: "observability" } });
    expect(
      () =>
        new MonitoringStack(stack, "monitoring", {
          clusterName: "c",
          catalog: new MonitoringCatalog(monitoringLabelContract()),
          gpuPools: [pool],
          systemNodeLabels: { role: "system" },
          storageClass: "gp3",
          namespace: namespaceRefOf(other, "observability"),
        }),
    ).toThrow(`test/monitoring: 'namespace.name' must be the label contract's namespace "monitoring", got "observability"`);
  });

  test("AlertRouting rejects a namespace other than the contract's", () => {
    const stack = clusterStack();
    const other = new NamespaceV1(stack, "ns", { metadata: { name: "observability" } });
    expect(() => new AlertRouting(stack, "routing", { monitoringLabels: monitoringLabelContract(), namespace: namespaceRefOf(other, "observability") })).toThrow(
      `test/routing: 'namespace.name' must be the label contract's namespace "monitoring", got "observability"`,
    );
  });
});
