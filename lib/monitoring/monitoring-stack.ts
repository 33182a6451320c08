import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { MonitoringCatalog } from "../contracts/monitoring-catalog";
import { unselectedScrapeTargetErrors } from "../contracts/scrape-targets";
import { PlatformConfigError } from "../core/errors";
import { ResourceRequirements } from "../core/kubernetes/resources";
import { NamespaceRef } from "../core/kubernetes/namespace-ref";
import { checkDns1123Label, checkIntRange, parsePrometheusDuration } from "../core/validate";
import { IGpuPool, schedulingForPools } from "../gpu/gpu-pool";
import { registerGpuDaemonSet } from "../gpu/gpu-scheduling-validation";
import { CrdProvider, PROMETHEUS_OPERATOR_CRDS } from "../platform/custom-resources";
import { PinnedHelmRelease } from "../platform/pinned-helm-release";
import { StorageClassRef, toStorageClassRef } from "../platform/storage-class-ref";
import { CHARTS } from "../versions";
import { kubePrometheusStackPrometheusUrl } from "./prometheus-adapter";
import { unreachableScrapeTargetErrors, writeMonitoringNetworkPolicies } from "./monitoring-network-policies";
import { unloadedDashboardErrors } from "./private/dashboard-config-maps";
import { PlatformRulesOptions, buildPlatformRules } from "./rules/build-platform-rules";
import { additionalPrometheusRulesMap } from "./rules/render-rule-files";
import { KSM_NODE_LABELS_ALLOWLIST } from "./rules";
import { RuleGroup } from "./rules/rule-types";
import { ThanosTargets, thanosTargets } from "./rules/storage-rules";
import { AlertRouting, AlertRoutingOptions } from "./alertmanager/alert-routing";
import { GrafanaAdminSecret } from "./grafana-admin-secret";
import { GrafanaDashboardSidecar, GrafanaDatasourceRef, KubePrometheusStackValues, ServiceMonitorValue, VolumeClaimTemplate } from "./kube-prometheus-stack-values";
import { PrometheusThanosOptions } from "./thanos-sidecar";
import { IMAGES } from "../versions";
import { keepTemplatesLiteral } from "../core/terraform-literals";

export interface PrometheusOptions {
  /** Two replicas scrape the same targets; Thanos or Grafana deduplicate on the replica label. @default 2 */
  readonly replicas?: number;
  /** @default "15s" */
  readonly scrapeInterval?: string;
  /** Local retention (long-term storage is Thanos's job). @default "15d", or the Thanos options' `prometheusRetention` */
  readonly retention?: string;
  /** Size-based retention; must leave headroom on the volume. @default "45GiB" */
  readonly retentionSize?: string;
  /** Persistent volume per replica. @default "50Gi" */
  readonly volumeSize?: string;
  /** @default - requests 1 CPU / 4Gi, limit 8Gi memory */
  readonly resources?: ResourceRequirements;
}

export interface AlertmanagerOptions {
  /** Three replicas gossip so a notification survives a node loss. @default 3 */
  readonly replicas?: number;
  /** @default "5Gi" */
  readonly volumeSize?: string;
  /** Receivers, routes and inhibition. @default - the platform policy (see AlertRouting) */
  readonly routing?: AlertRoutingOptions;
}

export interface MonitoringStackOptions {
  /** Value of the `cluster` external label on every series and alert. */
  readonly clusterName: string;
  readonly prometheus?: PrometheusOptions;
  readonly alertmanager?: AlertmanagerOptions;
  /**
   * Thresholds and extra rules of the platform's rule packs (GPU, platform, user rules). The
   * inference and SLO rules come from the services in the catalog.
   * @default - the packs' defaults
   */
  readonly rules?: Omit<PlatformRulesOptions, "services" | "gpuPools" | "scrapeInterval">;
  /**
   * Long-term storage: the Thanos sidecar in each Prometheus pod, a shorter local retention, and
   * Thanos as Grafana's default datasource (from the `Thanos` construct's `prometheusSidecar`).
   * @default - no sidecar: Prometheus keeps its local retention only
   */
  readonly thanos?: PrometheusThanosOptions;
}

export interface MonitoringStackProps extends MonitoringStackOptions {
  /** Label contract, scrape targets and services; the release name and namespace come from it. */
  readonly catalog: MonitoringCatalog;
  /** GPU pools node-exporter must reach. */
  readonly gpuPools: readonly IGpuPool[];
  /** Where Prometheus, Alertmanager, Grafana and the operator run. */
  readonly systemNodeLabels: Readonly<Record<string, string>>;
  /**
   * StorageClass of the Prometheus and Alertmanager volumes: a name that exists already, or a
   * reference to the class this app creates (such as `Gp3StorageClass`), which the release waits for.
   */
  readonly storageClass: string | StorageClassRef;
  /**
   * The namespace this app creates for monitoring (its name must be the label contract's): the
   * release and the Secrets wait for it.
   * @default - the label contract's namespace, which must exist already
   */
  readonly namespace?: NamespaceRef;
  /**
   * Namespaces where Grafana's sidecar loads dashboards from labelled ConfigMaps. Anyone who may
   * create a ConfigMap there can change what Grafana shows, so not every namespace.
   * @default - the monitoring namespace only
   */
  readonly dashboardNamespaces?: readonly string[];
  /**
   * Namespace of node-exporter, which reads the host (hostNetwork, hostPID, host paths) and so
   * needs the `privileged` Pod Security level: giving it a namespace of its own lets the
   * monitoring namespace run under `baseline`. The release waits for it.
   * @default - the monitoring namespace, which must then allow privileged pods
   */
  readonly nodeExporterNamespace?: NamespaceRef;
  /**
   * NetworkPolicies in the monitoring namespace: deny everything, then exactly the flows of
   * Prometheus, Alertmanager, Grafana, kube-state-metrics and the operator (DNS and the API server
   * for every pod). False for a cluster whose NetworkPolicies nothing enforces, or that manages
   * its own.
   * @default true
   */
  readonly networkPolicies?: boolean;
}

const DEFAULT_PROMETHEUS_RESOURCES: ResourceRequirements = { requests: { cpu: "1", memory: "4Gi" }, limits: { memory: "8Gi" } };
const SMALL: ResourceRequirements = { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } };
const BYTE_SIZE = /^(\d+)(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/;
const QUANTITY = /^(\d+)(Mi|Gi|Ti)$/;
/** Prometheus reads retention sizes as base-2 whatever the spelling: "45GB" is 45 GiB (units.ParseBase2Bytes). */
const UNIT_BYTES: Record<string, number> = { B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/**
 * kube-prometheus-stack for the platform: HA Prometheus on persistent gp3 volumes selecting
 * exactly the label contract, Alertmanager with typed routing, Grafana with a generated admin
 * secret and the dashboard sidecar, node-exporter on every node including the tainted GPU
 * pools, everything else on the system pool. Rule groups EKS cannot serve (etcd, scheduler,
 * controller manager, kube-proxy's localhost-bound metrics) are off.
 */
export class MonitoringStack extends Construct {
  public readonly namespace: string;
  public readonly releaseName: string;
  public readonly routing: AlertRouting;
  public readonly grafanaAdmin: GrafanaAdminSecret;
  public readonly helm: PinnedHelmRelease<KubePrometheusStackValues>;
  /** The prometheus-operator CRDs this release installs: hand them to charts that create ServiceMonitors. */
  public readonly crds: CrdProvider;
  /** In-cluster URL of the Prometheus API, without port (both replicas behind one Service). */
  public readonly prometheusUrl: string;
  public readonly prometheusPort = 9090;
  /** Grafana's datasource for this Prometheus (both replicas behind one Service). */
  public readonly prometheusDatasource: GrafanaDatasourceRef = { uid: "prometheus", type: "prometheus" };
  /** The datasource dashboards query by default: Thanos when configured, else this Prometheus. */
  public readonly defaultDatasource: GrafanaDatasourceRef;
  /** External label carrying the cluster name on every series and alert that leaves Prometheus. */
  public readonly clusterLabel = "cluster";
  /** How Grafana's dashboard sidecar finds dashboards: ConfigMaps with this label, their folder in this annotation. */
  public readonly dashboardSidecar: GrafanaDashboardSidecar = { label: "grafana_dashboard", labelValue: "1", folderAnnotation: "grafana_folder" };
  /**
   * With `thanos`: where the Thanos components are scraped and how many endpoints Query must
   * reach, resolved from the storage rule options exactly as the storage pack resolves them.
   * @default - undefined without `thanos`
   */
  public readonly longTermStorage?: ThanosTargets;
  private readonly rulesOptions: PlatformRulesOptions;
  private ruleGroupsCache?: { readonly services: number; readonly groups: RuleGroup[] };

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    const labels = props.catalog.labels;
    this.namespace = labels.namespace;
    if (props.namespace && props.namespace.name !== labels.namespace) {
      throw new PlatformConfigError(this, "namespace.name", props.namespace.name, `must be the label contract's namespace "${labels.namespace}"`);
    }
    const namespace: NamespaceRef = props.namespace ?? { name: labels.namespace };
    const dashboardNamespaces = props.dashboardNamespaces ?? [labels.namespace];
    if (dashboardNamespaces.length === 0) throw new PlatformConfigError(this, "dashboardNamespaces", [], "must list at least one namespace (the monitoring namespace holds the platform's dashboards)");
    dashboardNamespaces.forEach((ns, i) => {
      if (ns === "ALL") throw new PlatformConfigError(this, `dashboardNamespaces[${i}]`, ns, "must name namespaces: the sidecar's \"ALL\" would let any namespace's ConfigMaps change the dashboards");
      checkDns1123Label(this, `dashboardNamespaces[${i}]`, ns);
    });
    const storageClass = toStorageClassRef(props.storageClass);
    this.releaseName = labels.releaseName;
    const p = props.prometheus ?? {};
    const replicas = p.replicas ?? 2;
    const scrapeInterval = p.scrapeInterval ?? "15s";
    const thanos = props.thanos;
    this.defaultDatasource = thanos?.datasource.ref ?? this.prometheusDatasource;
    const retention = p.retention ?? thanos?.prometheusRetention ?? (thanos ? "7d" : "15d");
    const retentionSize = p.retentionSize ?? "45GiB";
    const volumeSize = p.volumeSize ?? "50Gi";
    const a = props.alertmanager ?? {};
    const amReplicas = a.replicas ?? 3;
    const amVolume = a.volumeSize ?? "5Gi";

    checkIntRange(this, "prometheus.replicas", replicas, 1, 10);
    checkIntRange(this, "alertmanager.replicas", amReplicas, 1, 10);
    const interval = parsePrometheusDuration(this, "prometheus.scrapeInterval", scrapeInterval);
    if (interval < 5 || interval > 120) {
      throw new PlatformConfigError(this, "prometheus.scrapeInterval", scrapeInterval, "must be between 5s and 2m");
    }
    parsePrometheusDuration(this, "prometheus.retention", retention);
    const volumeBytes = bytes(this, "prometheus.volumeSize", volumeSize, QUANTITY, "a Kubernetes quantity such as 50Gi");
    const retentionBytes = bytes(this, "prometheus.retentionSize", retentionSize, BYTE_SIZE, "a Prometheus byte size such as 45GiB");
    if (retentionBytes > 0.9 * volumeBytes) {
      throw new PlatformConfigError(this, "prometheus.retentionSize", retentionSize, `must leave 10% of the volume (${volumeSize}) free for the WAL and compaction`);
    }
    bytes(this, "alertmanager.volumeSize", amVolume, QUANTITY, "a Kubernetes quantity such as 5Gi");

    this.rulesOptions = {
      ...props.rules,
      // Query must reach one sidecar per Prometheus replica.
      ...(props.rules?.storage && { storage: { sidecarEndpoints: replicas, ...props.rules.storage } }),
      services: props.catalog.services,
      gpuPools: props.gpuPools,
      scrapeInterval,
    };
    this.longTermStorage = thanos && thanosTargets(this.rulesOptions.storage ?? { sidecarEndpoints: replicas });
    this.routing = new AlertRouting(this, "routing", { ...a.routing, monitoringLabels: labels, namespace });
    this.grafanaAdmin = new GrafanaAdminSecret(this, "grafana-admin", { namespace });
    const gpuScheduling = schedulingForPools(props.gpuPools);
    const claim = (size: string): { volumeClaimTemplate: VolumeClaimTemplate } => ({
      volumeClaimTemplate: {
        spec: { storageClassName: storageClass.name, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } } },
      },
    });
    const system = props.systemNodeLabels;
    const selectNothingElse = {} as Readonly<Record<string, never>>;

    this.helm = new PinnedHelmRelease(this, "chart", {
      releaseName: this.releaseName,
      namespace,
      chart: CHARTS.kubePrometheusStack,
      timeoutSeconds: 900,
      installsCrds: [PROMETHEUS_OPERATOR_CRDS],
      // Volumes are claimed from the class; Grafana and Alertmanager mount the Secrets, the Thanos sidecar its objstore Secret.
      dependsOn: [
        ...(storageClass.resource ? [storageClass.resource] : []),
        this.grafanaAdmin.secret,
        ...this.routing.dependables,
        ...(thanos?.dependsOn ?? []),
        ...(props.nodeExporterNamespace?.resource ? [props.nodeExporterNamespace.resource] : []),
      ],
      // Rendered at synth: services register their monitors and rules after this construct.
      values: (): KubePrometheusStackValues => ({
        defaultRules: {
          create: true,
          rules: { etcd: false, kubeControllerManager: false, kubeSchedulerAlerting: false, kubeSchedulerRecording: false, kubeProxy: false },
        },
        kubeEtcd: { enabled: false },
        kubeControllerManager: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeProxy: { enabled: false },
        additionalPrometheusRulesMap: additionalPrometheusRulesMap(this.ruleGroups()),
        prometheusOperator: { nodeSelector: system, resources: SMALL },
        prometheus: {
          prometheusSpec: {
            replicas,
            scrapeInterval,
            evaluationInterval: scrapeInterval,
            retention,
            retentionSize,
            externalLabels: { [this.clusterLabel]: props.clusterName },
            replicaExternalLabelName: "prometheus_replica",
            ruleSelector: { matchLabels: labels.ruleLabels },
            ruleNamespaceSelector: selectNothingElse,
            serviceMonitorSelector: { matchLabels: labels.serviceMonitorLabels },
            serviceMonitorNamespaceSelector: selectNothingElse,
            podMonitorSelector: { matchLabels: labels.serviceMonitorLabels },
            podMonitorNamespaceSelector: selectNothingElse,
            podAntiAffinity: "hard",
            nodeSelector: system,
            resources: p.resources ?? DEFAULT_PROMETHEUS_RESOURCES,
            storageSpec: claim(volumeSize),
            ...(thanos && {
              thanos: {
                image: `${IMAGES.thanos.repository}:${IMAGES.thanos.tag}`,
                objectStorageConfig: { existingSecret: { name: thanos.objectStorageSecret.name, key: thanos.objectStorageSecret.key } },
              },
            }),
          },
          additionalServiceMonitors: props.catalog.serviceMonitors.map(
            (sm): ServiceMonitorValue => ({
              name: sm.name,
              namespaceSelector: { matchNames: [sm.namespace] },
              selector: { matchLabels: sm.selectorLabels },
              endpoints: [
                {
                  port: sm.port,
                  path: sm.path ?? "/metrics",
                  ...(sm.interval && { interval: sm.interval }),
                  ...(sm.auth?.kind === "basicAuth" && {
                    basicAuth: { username: { name: sm.auth.secretName, key: sm.auth.usernameKey }, password: { name: sm.auth.secretName, key: sm.auth.passwordKey } },
                  }),
                  ...(sm.auth?.kind === "bearerToken" && {
                    authorization: { type: "Bearer" as const, credentials: { name: sm.auth.secretName, key: sm.auth.key } },
                  }),
                },
              ],
            }),
          ),
          ...(thanos && {
            serviceAccount: { name: thanos.serviceAccount.name, annotations: { "eks.amazonaws.com/role-arn": thanos.serviceAccount.roleArn } },
            thanosService: { enabled: true },
            thanosServiceMonitor: { enabled: true },
          }),
        },
        alertmanager: {
          config: this.routing.chartValues.config,
          alertmanagerSpec: {
            replicas: amReplicas,
            podAntiAffinity: "hard",
            nodeSelector: system,
            resources: SMALL,
            storage: claim(amVolume),
            secrets: this.routing.chartValues.alertmanagerSpec.secrets,
          },
        },
        grafana: {
          enabled: true,
          admin: { existingSecret: this.grafanaAdmin.secretName, userKey: this.grafanaAdmin.userKey, passwordKey: this.grafanaAdmin.passwordKey },
          nodeSelector: system,
          resources: SMALL,
          sidecar: {
            dashboards: {
              enabled: true,
              label: this.dashboardSidecar.label,
              labelValue: this.dashboardSidecar.labelValue,
              searchNamespace: dashboardNamespaces.join(","),
              // The annotation names the folder; Grafana makes folders from the sidecar's subdirectories.
              folderAnnotation: this.dashboardSidecar.folderAnnotation,
              provider: { foldersFromFilesStructure: true },
            },
            datasources: { uid: this.prometheusDatasource.uid, isDefaultDatasource: this.defaultDatasource === this.prometheusDatasource },
          },
          ...(thanos && {
            additionalDataSources: [
              {
                name: thanos.datasource.name,
                uid: thanos.datasource.ref.uid,
                type: thanos.datasource.ref.type,
                access: "proxy",
                url: thanos.datasource.url,
                isDefault: this.defaultDatasource === thanos.datasource.ref,
                editable: false,
                jsonData: { prometheusType: "Thanos", timeInterval: scrapeInterval },
              },
            ],
          }),
        },
        "kube-state-metrics": {
          nodeSelector: system,
          resources: SMALL,
          metricLabelsAllowlist: [KSM_NODE_LABELS_ALLOWLIST],
        },
        "prometheus-node-exporter": {
          ...(props.nodeExporterNamespace && { namespaceOverride: props.nodeExporterNamespace.name }),
          // A DaemonSet on every node: the GPU pools' taints must be tolerated explicitly.
          tolerations: gpuScheduling.tolerations,
          resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
        },
      }),
    });
    this.crds = this.helm.crds(PROMETHEUS_OPERATOR_CRDS.group);
    registerGpuDaemonSet(this, { component: "prometheus-node-exporter", tolerations: gpuScheduling.tolerations, isDevicePlugin: false });
    this.prometheusUrl = kubePrometheusStackPrometheusUrl(this.releaseName, this.namespace);
    if (props.networkPolicies ?? true) writeMonitoringNetworkPolicies(this, namespace, { thanos: thanos !== undefined });

    // Every ServiceMonitor in the stack must carry the labels this Prometheus selects.
    this.node.addValidation({ validate: () => unselectedScrapeTargetErrors(TerraformStack.of(this), labels) });
    // A dashboard ConfigMap outside the namespaces the sidecar reads would never be loaded.
    this.node.addValidation({ validate: () => unloadedDashboardErrors(TerraformStack.of(this), this.dashboardSidecar, dashboardNamespaces) });
    // ...and no NetworkPolicy of the stack may stand between Prometheus and a target.
    this.node.addValidation({ validate: () => unreachableScrapeTargetErrors(TerraformStack.of(this), props.catalog) });
  }

  /**
   * Every rule group Prometheus loads beyond the chart's defaults: GPU, one inference group per
   * service of the catalog (and its SLO groups), platform, user rules. Validated (PromQL parsed)
   * each time; call it after every service has been added.
   */
  public ruleGroups(): RuleGroup[] {
    // Built once per catalog size: the chart values and the dashboard checks both read them at synth.
    const services = this.rulesOptions.services.length;
    if (this.ruleGroupsCache?.services !== services) this.ruleGroupsCache = { services, groups: buildPlatformRules(this.rulesOptions, this) };
    return this.ruleGroupsCache.groups;
  }
}

function bytes(scope: Construct, prop: string, value: string, pattern: RegExp, accepted: string): number {
  const m = pattern.exec(value);
  if (!m) throw new PlatformConfigError(scope, prop, value, `must be ${accepted}`);
  return Number(m[1]) * UNIT_BYTES[m[2]];
}
