import { contractMetricNames, MetricContract } from "../../contracts/metric-contract";
import { MonitoredService } from "../../contracts/monitoring-catalog";
import { PlatformConfigError } from "../../core/errors";
import { DCGM_METRICS } from "../rules/dcgm-metrics";
import { PromqlCheckOptions, promqlProblem, PromqlValueType } from "../private/promql-check";
import { isAlertRule, RuleGroup } from "../rules/rule-types";
import { THANOS_HISTOGRAMS, THANOS_METRICS } from "../rules/thanos-metrics";
import { GrafanaDashboard, MAX_DASHBOARD_UID_LENGTH } from "./common";
import { dashboardPanels, GRAFANA_BUILTIN_VARIABLES, substituteVariables } from "./dashboard-queries";
import { DomainMetric } from "./inference-service-dashboard";
import { ALERTS_LABELS, DCGM_LABELS, KUBE_STATE_METRICS_SERIES, TARGET_LABELS, THANOS_SERIES_LABELS } from "./private/known-series";
import { outputLabels, promqlReferences } from "./private/promql-analysis";

/** A series a dashboard may read: its labels and what provides it (for messages). */
interface ProvidedSeries {
  readonly labels: Set<string>;
  readonly source: string;
}

/**
 * Every metric name a dashboard may read, with its labels: the services' metric contracts and
 * declared domain metrics, the DCGM exporter, kube-state-metrics, Prometheus's own `up` and
 * `ALERTS`, Thanos (with long-term storage), and the recording rules (their labels worked out
 * from their expressions).
 */
export class SeriesCatalog {
  private readonly series = new Map<string, ProvidedSeries>();

  constructor(private readonly clusterLabel: string) {}

  public add(metric: string, labels: Iterable<string>, source: string): void {
    const known = this.series.get(metric);
    const all = new Set([...(known?.labels ?? []), ...labels, this.clusterLabel]);
    this.series.set(metric, { labels: all, source: known?.source ?? source });
  }

  public get(metric: string): ProvidedSeries | undefined {
    return this.series.get(metric);
  }

  /** Every label of every series. */
  public allLabels(): Set<string> {
    return new Set([...this.series.values()].flatMap((s) => [...s.labels]));
  }

  public labelsOf(metric: string): readonly string[] {
    return [...(this.series.get(metric)?.labels ?? [])];
  }
}

export interface SeriesCatalogInput {
  readonly services: readonly MonitoredService[];
  /** Domain metrics, by service (`namespace/service`). @default - none */
  readonly domainMetrics?: readonly { readonly service: string; readonly metrics: readonly DomainMetric[] }[];
  /** The rule groups Prometheus loads: recording rules become series, alert rules `ALERTS` labels. */
  readonly ruleGroups: readonly RuleGroup[];
  /** External label with the cluster name, on every series read through Thanos. */
  readonly clusterLabel: string;
  /** Thanos runs (sidecars, Query, store gateway, compactor): its series are provided. @default false */
  readonly longTermStorage?: boolean;
}

function contractLabels(c: MetricContract): string[] {
  const r = c.requests;
  return [
    ...TARGET_LABELS,
    ...(r.kind === "statusLabel" ? [r.statusLabel] : []),
    ...(c.stageLabel ? [c.stageLabel] : []),
    ...(c.extraMatchers ?? []).map((m) => m.label),
  ];
}

export function platformSeriesCatalog(input: SeriesCatalogInput): SeriesCatalog {
  const catalog = new SeriesCatalog(input.clusterLabel);
  for (const s of input.services) {
    const where = `metric contract '${s.contract.flavour}' of ${s.selector.namespace}/${s.selector.service}`;
    for (const name of contractMetricNames(s.contract)) {
      catalog.add(name, [...contractLabels(s.contract), ...(name.endsWith("_bucket") ? ["le"] : [])], where);
    }
  }
  for (const { service, metrics } of input.domainMetrics ?? []) {
    for (const m of metrics) catalog.add(m.name, [...TARGET_LABELS, ...(m.labels ?? [])], `domain metrics of ${service}`);
  }
  for (const name of Object.values(DCGM_METRICS)) catalog.add(name, [...TARGET_LABELS, ...DCGM_LABELS], "DCGM exporter");
  for (const [name, labels] of Object.entries(KUBE_STATE_METRICS_SERIES)) catalog.add(name, [...TARGET_LABELS, ...labels], "kube-state-metrics");
  catalog.add("up", TARGET_LABELS, "Prometheus");
  if (input.longTermStorage) {
    for (const [key, name] of Object.entries(THANOS_METRICS) as [keyof typeof THANOS_METRICS, string][]) {
      const labels = [...TARGET_LABELS, ...THANOS_SERIES_LABELS[key]];
      if (!THANOS_HISTOGRAMS.includes(key)) catalog.add(name, labels, "Thanos");
      else for (const suffix of ["_bucket", "_sum", "_count"]) catalog.add(`${name}${suffix}`, [...labels, ...(suffix === "_bucket" ? ["le"] : [])], "Thanos");
    }
  }
  const alertLabels = new Set<string>(ALERTS_LABELS);
  for (const group of input.ruleGroups) {
    for (const rule of group.rules) {
      const statics = Object.keys(rule.labels ?? {});
      if (isAlertRule(rule)) {
        statics.forEach((l) => alertLabels.add(l));
      } else {
        catalog.add(rule.record, [...outputLabels(rule.expr, (m) => catalog.labelsOf(m)), ...statics], `recording rule of group '${group.name}'`);
      }
    }
  }
  // An alert carries its static labels and any label of the series its expression returns: a
  // superset (every label of every series) is enough to catch a misspelt one, without parsing each alert.
  catalog.add("ALERTS", [...alertLabels, ...catalog.allLabels()], "Prometheus (alert rules)");
  return catalog;
}

/** Where a query sits, for messages. */
function where(d: GrafanaDashboard, panel: string): string {
  return `dashboard '${d.uid}' ("${d.title}"), ${panel}`;
}

/**
 * A panel draws a range query, which Prometheus evaluates only to an instant vector or a scalar
 * ("invalid expression type ... for range query"); a variable's `label_values(<selector>, label)`
 * reads series, so its first argument is a series selector (an instant vector).
 */
const PANEL_TYPES: readonly PromqlValueType[] = ["vector", "scalar"];
const VARIABLE_TYPES: readonly PromqlValueType[] = ["vector"];

const VARIABLE_QUERY = /^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/s;

/**
 * What is wrong with the dashboards, one message each (empty when nothing): uids missing, too
 * long, malformed or shared by two dashboards; queries that do not parse; metrics or labels that
 * nothing in `catalog` provides. Variables are substituted with their "All" value before parsing.
 */
export function dashboardProblems(
  scope: string,
  dashboards: readonly GrafanaDashboard[],
  catalog: SeriesCatalog,
  /** Dashboards whose queries are type-checked too: the user's (the platform's are checked by promtool in the tests). @default every one */
  typeChecked: (d: GrafanaDashboard) => boolean = () => true,
): string[] {
  const problems: string[] = [];
  const err = (prop: string, value: unknown, accepted: string) => problems.push(new PlatformConfigError(scope, prop, value, accepted).message);
  const byUid = new Map<string, string>();
  for (const d of dashboards) {
    const uid = d.uid ?? "";
    if (!/^[a-zA-Z0-9_-]+$/.test(uid) || uid.length > MAX_DASHBOARD_UID_LENGTH) {
      err(`dashboards["${d.title}"].uid`, uid, `must be 1 to ${MAX_DASHBOARD_UID_LENGTH} letters, digits, '-' or '_' (Grafana's rule)`);
    }
    const other = byUid.get(uid);
    if (other !== undefined) err(`dashboards["${d.title}"].uid`, uid, `must be unique, but dashboard "${other}" has it too`);
    byUid.set(uid, d.title ?? "");

    const options = { types: typeChecked(d) };
    const values: Record<string, string> = { ...GRAFANA_BUILTIN_VARIABLES };
    for (const v of d.templating.list ?? []) values[v.name] = ".*";
    for (const v of d.templating.list ?? []) {
      const query = typeof v.query === "string" ? v.query : "";
      const m = VARIABLE_QUERY.exec(query);
      if (!m) continue;
      checkQuery(where(d, `variable '${v.name}'`), substituteVariables(m[1], values), catalog, err, VARIABLE_TYPES, options, [m[2]]);
    }
    for (const panel of dashboardPanels(d)) {
      for (const t of panel.targets ?? []) {
        const expr = (t as { expr?: string }).expr ?? "";
        checkQuery(where(d, `panel "${panel.title}"`), substituteVariables(expr, values), catalog, err, PANEL_TYPES, options);
      }
    }
  }
  return problems;
}

function checkQuery(
  at: string,
  expr: string,
  catalog: SeriesCatalog,
  err: (prop: string, value: unknown, accepted: string) => void,
  accepted: readonly PromqlValueType[],
  options: PromqlCheckOptions,
  extraLabels: readonly string[] = [],
): void {
  const problem = promqlProblem(expr, accepted, options);
  if (problem) {
    err(at, expr, `must be valid PromQL: ${problem}`);
    return;
  }
  const refs = promqlReferences(expr);
  const everyLabel = new Set<string>(refs.createdLabels);
  for (const sel of refs.selectors) {
    const provided = catalog.get(sel.metric);
    if (!provided) {
      err(at, sel.metric, "reads a metric that no contract provides (metric contracts and domain metrics of the catalog, DCGM exporter, kube-state-metrics, Prometheus, Thanos when long-term storage is configured, recording rules)");
      continue;
    }
    provided.labels.forEach((l) => everyLabel.add(l));
    for (const label of sel.labels) {
      if (!provided.labels.has(label)) {
        err(at, label, `matches a label that '${sel.metric}' (${provided.source}) does not carry; it has ${[...provided.labels].sort().join(", ")}`);
      }
    }
  }
  for (const label of [...refs.otherLabels, ...extraLabels]) {
    if (!everyLabel.has(label)) {
      err(at, label, `names a label that none of the series it reads carries (${refs.selectors.map((s) => s.metric).join(", ") || "none"})`);
    }
  }
}
