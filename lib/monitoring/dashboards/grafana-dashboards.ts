import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { Lazy, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { ServiceSelector } from "../../contracts/metric-contract";
import { MonitoredService, MonitoringCatalog } from "../../contracts/monitoring-catalog";
import { ConstructTag } from "../../core/construct-tag";
import { PlatformConfigError } from "../../core/errors";
import { NamespaceRef, namespaceDependencies, toNamespaceRef } from "../../core/kubernetes/namespace-ref";
import { checkDns1123Label, checkPrometheusLabelName, checkPrometheusMetricName } from "../../core/validate";
import { GrafanaDashboardSidecar, GrafanaDatasourceRef } from "../kube-prometheus-stack-values";
import { RuleGroup } from "../rules/rule-types";
import { ThanosTargets } from "../rules/storage-rules";
import { alertsOverviewDashboard } from "./alerts-overview-dashboard";
import { DashboardContext, GrafanaDashboard } from "./common";
import { dashboardProblems, platformSeriesCatalog } from "./dashboard-checks";
import { gpuFleetDashboard } from "./gpu-fleet-dashboard";
import { inferenceServiceDashboard, ServiceDomainMetrics } from "./inference-service-dashboard";
import { longTermStorageDashboard } from "./long-term-storage-dashboard";
import { sloDashboard } from "./slo-dashboard";
import { keepTemplatesLiteral } from "../../core/terraform-literals";

/** What the dashboards need from the monitoring stack; `MonitoringStack` provides all of it. */
export interface DashboardMonitoring {
  /** The datasource every panel queries, by uid. */
  readonly defaultDatasource: GrafanaDatasourceRef;
  /** External label holding the cluster name. */
  readonly clusterLabel: string;
  /** Label and folder annotation the Grafana sidecar looks for. */
  readonly dashboardSidecar: GrafanaDashboardSidecar;
  /** The rule groups Prometheus loads: dashboards read their recording rules. */
  ruleGroups(): RuleGroup[];
  /**
   * The Thanos components' scrape jobs and expected endpoints, when long-term storage runs: the
   * platform dashboards then include the long-term storage dashboard.
   * @default - no long-term storage
   */
  readonly longTermStorage?: ThanosTargets;
}

export interface GrafanaDashboardsOptions {
  /** Name of the ConfigMap; unique per namespace across GrafanaDashboards. @default "grafana-dashboards" */
  readonly name?: string;
  /** Grafana folder of the dashboards. @default "GPU inference platform" */
  readonly folder?: string;
  /**
   * Services to draw a dashboard for, when the catalog's are split over several GrafanaDashboards
   * (one ConfigMap holds at most 1 MiB). @default - every service of the catalog
   */
  readonly services?: readonly ServiceSelector[];
  /**
   * The GPU fleet, SLO, alerts overview and (with long-term storage) Thanos dashboards; one
   * GrafanaDashboards of the app has them. @default true
   */
  readonly platformDashboards?: boolean;
  /** Extra gauges and counters of services, each shown on its service's dashboard. @default - none */
  readonly domainMetrics?: readonly ServiceDomainMetrics[];
  /** Dashboards of your own, delivered and checked like the platform's. @default - none */
  readonly extraDashboards?: readonly GrafanaDashboard[];
}

export interface GrafanaDashboardsProps extends GrafanaDashboardsOptions {
  readonly monitoring: DashboardMonitoring;
  /** Services to draw a dashboard for (and whose SLOs and contracts the checks read). */
  readonly catalog: MonitoringCatalog;
  /** Namespace of the ConfigMap: the monitoring namespace, or one listed in MonitoringStack's `dashboardNamespaces` (the sidecar reads only those). */
  readonly namespace: string | NamespaceRef;
}

export const DEFAULT_DASHBOARD_FOLDER = "GPU inference platform";
export const DEFAULT_DASHBOARD_CONFIG_MAP = "grafana-dashboards";

/** Every GrafanaDashboards of the app: uids and ConfigMaps must not collide across them. */
const DELIVERIES = new ConstructTag<{ readonly configMap: string; readonly uids: () => string[] }>("GrafanaDashboards");
/** Kubernetes rejects a ConfigMap whose data exceeds 1 MiB. */
const CONFIG_MAP_LIMIT_BYTES = 1024 * 1024;

/**
 * The platform's Grafana dashboards as code: one per inference service of the catalog, the GPU
 * fleet, the SLOs, an alerts overview and long-term storage (with Thanos), in one ConfigMap that kube-prometheus-stack's Grafana
 * sidecar loads into a folder. Built at synth, after every service has joined the catalog; a
 * synth-time check rejects a query that reads a metric or label nothing provides, a query that
 * does not parse, and two dashboards with one uid.
 */
export class GrafanaDashboards extends Construct {
  public readonly configMap: ConfigMapV1;
  public readonly folder: string;
  private readonly props: GrafanaDashboardsProps;
  private readonly configMapRef: string;
  private cache?: { readonly services: number; readonly dashboards: GrafanaDashboard[]; files?: Record<string, string> };

  constructor(scope: Construct, id: string, props: GrafanaDashboardsProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    this.props = props;
    this.folder = props.folder ?? DEFAULT_DASHBOARD_FOLDER;
    if (!/^[^/]+(\/[^/]+)*$/.test(this.folder) || this.folder.split("/").some((p) => p.trim() === "" || p === "." || p === "..")) {
      throw new PlatformConfigError(this, "folder", this.folder, "must be a folder name, or names separated by '/' for nested folders (no empty, '.' or '..' parts)");
    }
    (props.domainMetrics ?? []).forEach((d, i) =>
      d.metrics.forEach((m, j) => {
        checkPrometheusMetricName(this, `domainMetrics[${i}].metrics[${j}].name`, m.name);
        (m.labels ?? []).forEach((l, k) => checkPrometheusLabelName(this, `domainMetrics[${i}].metrics[${j}].labels[${k}]`, l));
      }),
    );
    const namespace = toNamespaceRef(props.namespace);
    checkDns1123Label(this, "namespace", namespace.name);
    const name = props.name ?? DEFAULT_DASHBOARD_CONFIG_MAP;
    if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(name)) {
      throw new PlatformConfigError(this, "name", name, "must be a Kubernetes object name (lowercase letters, digits, '-' and '.', at most 253 characters)");
    }
    this.configMapRef = `${namespace.name}/${name}`;
    const sidecar = props.monitoring.dashboardSidecar;

    this.configMap = new ConfigMapV1(this, "config-map", {
      metadata: {
        name,
        namespace: namespace.name,
        labels: { [sidecar.label]: sidecar.labelValue, "app.kubernetes.io/part-of": "gpu-inference-platform" },
        annotations: { [sidecar.folderAnnotation]: this.folder },
      },
      // Rendered at synth: services join the catalog after this construct.
      data: Lazy.anyValue({
        produce: () => Object.fromEntries(Object.entries(this.files()).map(([name, json]) => [name, terraformLiteral(json)])),
      }) as unknown as Record<string, string>,
      dependsOn: namespaceDependencies(namespace),
    });
    DELIVERIES.set(this, { configMap: this.configMapRef, uids: () => this.dashboards().map((d) => d.uid ?? "") });
    this.node.addValidation({ validate: () => this.problems() });
  }

  /**
   * Every dashboard, built from the catalog as it is now (call it once all services are added).
   * Unchecked: `render()` checks them.
   */
  public dashboards(): GrafanaDashboard[] {
    const services = this.selectedServices();
    if (this.cache?.services === this.props.catalog.services.length) return this.cache.dashboards;
    const ctx: DashboardContext = { datasource: this.props.monitoring.defaultDatasource, clusterLabel: this.props.monitoring.clusterLabel };
    const domain = this.domainMetrics();
    const dashboards = [
      ...services.map((s) =>
        inferenceServiceDashboard(
          ctx,
          s,
          domain.filter((d) => d.service.namespace === s.selector.namespace && d.service.service === s.selector.service).flatMap((d) => d.metrics),
        ),
      ),
      ...(this.props.platformDashboards ?? true ? this.platformDashboards(ctx) : []),
      ...(this.props.extraDashboards ?? []),
    ];
    this.cache = { services: this.props.catalog.services.length, dashboards };
    return dashboards;
  }

  /** Fleet, SLOs (of every service of the catalog), alerts and long-term storage when it runs. */
  private platformDashboards(ctx: DashboardContext): GrafanaDashboard[] {
    const all = this.props.catalog.services;
    const slos = all.some((s) => s.slos?.availability !== undefined || s.slos?.latency !== undefined);
    const storage = this.props.monitoring.longTermStorage;
    return [
      gpuFleetDashboard(ctx),
      ...(slos ? [sloDashboard(ctx, all)] : []),
      alertsOverviewDashboard(ctx),
      ...(storage ? [longTermStorageDashboard(ctx, storage)] : []),
    ];
  }

  private selectedServices(): readonly MonitoredService[] {
    const wanted = this.props.services;
    const all = this.props.catalog.services;
    return wanted ? all.filter((s) => wanted.some((w) => w.namespace === s.selector.namespace && w.service === s.selector.service)) : all;
  }

  /** The dashboards after the checks; throws an Error listing every problem (as synth would). */
  public render(): GrafanaDashboard[] {
    const problems = this.problems();
    if (problems.length) throw new Error(`${problems.length} problem(s) in the Grafana dashboards:\n${problems.join("\n")}`);
    return this.dashboards();
  }

  /** Everything wrong with the dashboards, one message each. */
  public problems(): string[] {
    const services = this.props.catalog.services;
    const known = services.map((s) => `${s.selector.namespace}/${s.selector.service}`);
    const problems: string[] = [];
    (this.props.services ?? []).forEach((w, i) => {
      const name = `${w.namespace}/${w.service}`;
      if (!known.includes(name)) {
        problems.push(new PlatformConfigError(this, `services[${i}]`, name, `must name a service of the catalog (${known.join(", ") || "none"})`).message);
      }
    });
    (this.props.domainMetrics ?? []).forEach((d, i) => {
      const name = `${d.service.namespace}/${d.service.service}`;
      if (!known.includes(name)) {
        problems.push(new PlatformConfigError(this, `domainMetrics[${i}].service`, name, `must name a service of the catalog (${known.join(", ") || "none"})`).message);
      }
    });
    const catalog = platformSeriesCatalog({
      services,
      domainMetrics: this.domainMetrics().map((d) => ({ service: `${d.service.namespace}/${d.service.service}`, metrics: d.metrics })),
      ruleGroups: this.props.monitoring.ruleGroups(),
      clusterLabel: this.props.monitoring.clusterLabel,
      longTermStorage: this.props.monitoring.longTermStorage !== undefined,
    });
    const dashboards = this.dashboards();
    const extra = new Set(this.props.extraDashboards ?? []);
    problems.push(...dashboardProblems(this.node.path, dashboards, catalog, (d) => extra.has(d)));
    // Across GrafanaDashboards: Grafana keeps one dashboard per uid, Kubernetes one ConfigMap per name.
    const uids = new Set(dashboards.map((d) => d.uid ?? ""));
    for (const { construct, value } of DELIVERIES.findAll(TerraformStack.of(this))) {
      if (construct === this) continue;
      if (value.configMap === this.configMapRef) {
        problems.push(new PlatformConfigError(this, "name", this.configMapRef, `must differ from the ConfigMap of ${construct.node.path}`).message);
      }
      for (const uid of value.uids().filter((u) => uids.has(u))) {
        problems.push(new PlatformConfigError(this, "dashboards[*].uid", uid, `must be unique, but ${construct.node.path} delivers a dashboard with it too`).message);
      }
    }
    const size = Object.entries(this.files()).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    if (size > CONFIG_MAP_LIMIT_BYTES) {
      problems.push(new PlatformConfigError(this, "dashboards", `${size} bytes`, `must fit in one ConfigMap (at most ${CONFIG_MAP_LIMIT_BYTES} bytes of data); split the services over two GrafanaDashboards ('services', 'platformDashboards: false' on the second, another 'name')`).message);
    }
    return problems;
  }

  /**
   * The domain metrics passed here, and those each service declares in the catalog
   * (`MonitoredService.domainMetrics`, e.g. `domainMetrics` of an InferenceService or of a service
   * in the configuration file), each with a panel on its service's dashboard.
   */
  private domainMetrics(): ServiceDomainMetrics[] {
    const declared = this.props.catalog.services
      .filter((s) => s.domainMetrics?.length)
      .map((s) => ({
        service: s.selector,
        metrics: s.domainMetrics!.map((m) => ({ name: m.metric, kind: m.kind, title: m.title, unit: m.unit ?? "short" })),
      }));
    return [...(this.props.domainMetrics ?? []), ...declared];
  }

  /** File name (`<uid>.json`) to dashboard JSON, as the sidecar writes them into the folder. */
  public files(): Record<string, string> {
    const dashboards = this.dashboards();
    this.cache!.files ??= Object.fromEntries(dashboards.map((d) => [`${d.uid}.json`, `${JSON.stringify(d, null, 2)}\n`]));
    return this.cache!.files;
  }
}

/**
 * Terraform reads `${...}` and `%{...}` in any string as an expression or directive: Grafana's
 * `${variable}` syntax must reach the ConfigMap as written, so both are escaped (`$${`, `%%{`).
 */
function terraformLiteral(text: string): string {
  // Replacement functions: in a replacement string "$$" would itself mean "$".
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}
