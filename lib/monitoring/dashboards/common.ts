import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as heatmap from "@grafana/grafana-foundation-sdk/heatmap";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { SeriesMatcher } from "../../contracts/metric-contract";
import { renderMatchers } from "../../contracts/promql";
import { GrafanaDatasourceRef } from "../kube-prometheus-stack-values";

/**
 * Panel, query and variable factories shared by the dashboards, so every panel gets the same
 * datasource, legend and layout, and every dashboard the same variables and links.
 */

/** A dashboard as Grafana stores and imports it (classic JSON model). */
export type GrafanaDashboard = dashboard.Dashboard;

/** What every dashboard is built against: the datasource by uid and the label Prometheus puts the cluster name in. */
export interface DashboardContext {
  readonly datasource: GrafanaDatasourceRef;
  /** External label holding the cluster name (present on series read through Thanos or federation). */
  readonly clusterLabel: string;
}

/** Tag on every generated dashboard; the dashboards link to each other through it. */
export const PLATFORM_DASHBOARD_TAG = "gpu-inference-platform";

/** Grafana's limit on dashboard uids. */
export const MAX_DASHBOARD_UID_LENGTH = 40;

/** One PromQL query of a panel. */
export interface PanelQuery {
  readonly expr: string;
  /** Legend template, e.g. `{{pod}}`. @default - Grafana's default (the series labels) */
  readonly legend?: string;
  /** @default "time_series" */
  readonly format?: "time_series" | "heatmap" | "table";
  /** Evaluate once at the end of the range (stat and table panels). @default false */
  readonly instant?: boolean;
}

export interface PanelOptions {
  readonly title: string;
  /** Shown in the panel's info tooltip. @default - none */
  readonly description?: string;
  readonly queries: readonly PanelQuery[];
  /** Grafana unit id (`reqps`, `s`, `percentunit`...). @default - none */
  readonly unit?: string;
  readonly min?: number;
  readonly max?: number;
  /** Width on the 24-column grid. @default 12 */
  readonly width?: number;
  /** @default 8 */
  readonly height?: number;
}

/** `metric{matchers}`, or the bare metric name without matchers. */
export function selector(metric: string, matchers: readonly SeriesMatcher[]): string {
  return matchers.length ? `${metric}{${renderMatchers(matchers)}}` : metric;
}

/** The matcher a multi-value variable feeds: `label=~"$variable"`. */
export function variableMatcher(label: string, variable: string): SeriesMatcher {
  return { label, op: "=~", value: `$${variable}` };
}

/** The matcher of the cluster variable; matches series without the label too (Prometheus read directly). */
export function clusterMatcher(ctx: DashboardContext): SeriesMatcher {
  return variableMatcher(ctx.clusterLabel, CLUSTER_VARIABLE);
}

function targets(ctx: DashboardContext, queries: readonly PanelQuery[]): prometheus.DataqueryBuilder[] {
  return queries.map((q, i) => {
    const t = new prometheus.DataqueryBuilder()
      .refId(String.fromCharCode(65 + i))
      .datasource(datasourceRef(ctx))
      .expr(q.expr)
      .editorMode(prometheus.QueryEditorMode.Code);
    if (q.legend !== undefined) t.legendFormat(q.legend);
    if (q.format === "heatmap") t.format(prometheus.PromQueryFormat.Heatmap);
    if (q.format === "table") t.format(prometheus.PromQueryFormat.Table);
    if (q.instant) t.instant();
    else t.range();
    return t;
  });
}

export function datasourceRef(ctx: DashboardContext): common.DataSourceRef {
  return { type: ctx.datasource.type, uid: ctx.datasource.uid };
}

function size<T extends { span(w: number): T; height(h: number): T }>(panel: T, o: PanelOptions, width = 12, height = 8): T {
  return panel.span(o.width ?? width).height(o.height ?? height);
}

export function timeseriesPanel(
  ctx: DashboardContext,
  o: PanelOptions & { readonly stacked?: boolean; readonly points?: boolean },
): timeseries.PanelBuilder {
  const p = new timeseries.PanelBuilder()
    .title(o.title)
    .datasource(datasourceRef(ctx))
    .targets(targets(ctx, o.queries))
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
    .fillOpacity(o.stacked ? 30 : 10)
    .lineWidth(1);
  if (o.description) p.description(o.description);
  if (o.unit) p.unit(o.unit);
  if (o.min !== undefined) p.min(o.min);
  if (o.max !== undefined) p.max(o.max);
  if (o.stacked) p.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (o.points) p.drawStyle(common.GraphDrawStyle.Points).pointSize(6);
  return size(p, o);
}

export interface StatOptions extends PanelOptions {
  /** Colour steps: the base colour, then `[value, colour]` from that value up. @default - green */
  readonly thresholds?: readonly [string, ...(readonly [number, string])[]];
  readonly mappings?: readonly dashboard.ValueMapping[];
  /** @default "value" */
  readonly colorMode?: "value" | "background";
  /** @default "lastNotNull" */
  readonly reducer?: "lastNotNull" | "mean" | "max";
}

export function statPanel(ctx: DashboardContext, o: StatOptions): stat.PanelBuilder {
  const [base, ...steps] = o.thresholds ?? ["green"];
  const p = new stat.PanelBuilder()
    .title(o.title)
    .datasource(datasourceRef(ctx))
    .targets(targets(ctx, o.queries))
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs([o.reducer ?? "lastNotNull"]).values(false))
    .colorMode(o.colorMode === "background" ? common.BigValueColorMode.Background : common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.Auto)
    .thresholds(
      new dashboard.ThresholdsConfigBuilder()
        .mode(dashboard.ThresholdsMode.Absolute)
        .steps([{ value: null, color: base }, ...steps.map(([value, color]) => ({ value, color }))]),
    );
  if (o.description) p.description(o.description);
  if (o.unit) p.unit(o.unit);
  if (o.min !== undefined) p.min(o.min);
  if (o.max !== undefined) p.max(o.max);
  if (o.mappings) p.mappings([...o.mappings]);
  return size(p, o, 6, 8);
}

/** One light per series: green `on` for 1, red `off` for 0 (a scrape target's `up`, a model-loaded gauge). */
export function statusLightsPanel(
  ctx: DashboardContext,
  o: PanelOptions & { readonly on?: string; readonly off?: string },
): stat.PanelBuilder {
  return statPanel(ctx, {
    ...o,
    colorMode: "background",
    thresholds: ["red", [1, "green"]],
    mappings: [
      {
        type: dashboard.MappingType.ValueToText,
        options: { "0": { text: o.off ?? "DOWN", color: "red" }, "1": { text: o.on ?? "UP", color: "green" } },
      },
    ],
  });
}

export interface HeatmapOptions extends PanelOptions {
  /** Unit of the y axis (the bucket bounds, or the values when Grafana buckets them). */
  readonly yUnit: string;
  /** The query returns Prometheus histogram buckets (`format: heatmap`); otherwise Grafana buckets the values. */
  readonly buckets: boolean;
}

export function heatmapPanel(ctx: DashboardContext, o: HeatmapOptions): heatmap.PanelBuilder {
  const p = new heatmap.PanelBuilder()
    .title(o.title)
    .datasource(datasourceRef(ctx))
    .targets(targets(ctx, o.queries))
    .calculate(!o.buckets)
    .yAxis(new heatmap.YAxisConfigBuilder().unit(o.yUnit))
    .color(new heatmap.HeatmapColorOptionsBuilder().mode(heatmap.HeatmapColorMode.Scheme).scheme("Oranges").scale(heatmap.HeatmapColorScale.Exponential).exponent(0.5))
    .cellValues(new heatmap.CellValuesBuilder().unit(o.unit ?? "short"));
  if (o.description) p.description(o.description);
  return size(p, o);
}

export function tablePanel(ctx: DashboardContext, o: PanelOptions): table.PanelBuilder {
  const p = new table.PanelBuilder().title(o.title).datasource(datasourceRef(ctx)).targets(targets(ctx, o.queries));
  if (o.description) p.description(o.description);
  if (o.unit) p.unit(o.unit);
  return size(p, o);
}

export function row(title: string): dashboard.RowBuilder {
  return new dashboard.RowBuilder(title);
}

/** Name of the cluster variable, on every dashboard. */
export const CLUSTER_VARIABLE = "cluster";

export interface LabelVariableOptions {
  readonly name: string;
  readonly label: string;
  /** Series whose label values are offered, e.g. `kube_node_labels{...}`. */
  readonly series: string;
  /** Label whose values are offered. */
  readonly valuesOf: string;
  /**
   * Value of "All": ".*" also matches series without the label. @default - the options joined,
   * which keeps a chained variable (nodes of the chosen pools) within its parent's choice
   */
  readonly allValue?: string;
}

/** A multi-value variable over a label's values (`label_values(series, label)`), "All" selected. */
export function labelVariable(ctx: DashboardContext, o: LabelVariableOptions): dashboard.QueryVariableBuilder {
  const query = `label_values(${o.series}, ${o.valuesOf})`;
  const v = new dashboard.QueryVariableBuilder(o.name)
    .label(o.label)
    .datasource(datasourceRef(ctx))
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .current({ selected: true, text: ["All"], value: ["$__all"] });
  if (o.allValue !== undefined) v.allValue(o.allValue);
  return v;
}

/** The cluster variable: "All" is `.*`, so series read straight from a Prometheus (no external label) still match. */
export function clusterVariable(ctx: DashboardContext): dashboard.QueryVariableBuilder {
  return labelVariable(ctx, { name: CLUSTER_VARIABLE, label: "Cluster", series: "up", valuesOf: ctx.clusterLabel, allValue: ".*" });
}

export interface DashboardOptions {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly variables: readonly dashboard.QueryVariableBuilder[];
}

/** A dashboard with the platform's defaults: 6 hours, 30 s refresh, shared crosshair, links to its siblings. */
export function newDashboard(o: DashboardOptions): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(o.title)
    .uid(o.uid)
    .description(o.description)
    .tags([PLATFORM_DASHBOARD_TAG])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time({ from: "now-6h", to: "now" })
    .refresh("30s")
    .timezone("browser")
    .variables([...o.variables])
    .link(
      new dashboard.DashboardLinkBuilder("Platform dashboards")
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags([PLATFORM_DASHBOARD_TAG])
        .asDropdown(true)
        .includeVars(false)
        .keepTime(true),
    );
}

/**
 * The dashboard as Grafana writes it: panel ids assigned, the panels of expanded rows placed
 * after their row (Grafana keeps a row's own `panels` only while it is collapsed), empty
 * annotation and variable lists written out.
 */
export function finishDashboard(builder: dashboard.DashboardBuilder): GrafanaDashboard {
  const built = builder.build();
  const flat: (dashboard.Panel | dashboard.RowPanel)[] = [];
  for (const p of built.panels ?? []) {
    if (p.type === "row" && "collapsed" in p && !p.collapsed) {
      const nested = (p as dashboard.RowPanel).panels;
      flat.push({ ...p, panels: [] } as dashboard.RowPanel, ...nested);
    } else {
      flat.push(p);
    }
  }
  flat.forEach((p, i) => (p.id = i + 1));
  // Grafana reads `annotations.list` and `templating.list` on load: never leave them out.
  return {
    ...built,
    annotations: { ...built.annotations, list: built.annotations.list ?? [] },
    templating: { ...built.templating, list: built.templating.list ?? [] },
    panels: flat,
  };
}
