import * as units from "@grafana/grafana-foundation-sdk/units";
import { SeriesMatcher } from "../../contracts/metric-contract";
import { HEARTBEAT_LABEL, SEVERITIES } from "../rules/rule-types";
import {
  clusterMatcher,
  clusterVariable,
  DashboardContext,
  finishDashboard,
  GrafanaDashboard,
  labelVariable,
  newDashboard,
  row,
  selector,
  statPanel,
  tablePanel,
  timeseriesPanel,
  variableMatcher,
} from "./common";

export const ALERTS_OVERVIEW_DASHBOARD_UID = "alerts-overview";

/** Colour of each severity's count. */
const SEVERITY_COLOURS: Record<(typeof SEVERITIES)[number], string> = { critical: "red", warning: "orange", info: "blue" };

/**
 * Firing alerts from Prometheus's own `ALERTS` series, by severity and by service, without the
 * heartbeat (always firing on purpose). Namespace and service are variables; alerts without
 * those labels (GPU, platform) show under "All".
 */
export function alertsOverviewDashboard(ctx: DashboardContext): GrafanaDashboard {
  const cluster = clusterMatcher(ctx);
  const firing: SeriesMatcher[] = [
    { label: "alertstate", op: "=", value: "firing" },
    { label: HEARTBEAT_LABEL.name, op: "!=", value: HEARTBEAT_LABEL.value },
    cluster,
    variableMatcher("namespace", "namespace"),
    variableMatcher("service", "service"),
  ];
  const alerts = selector("ALERTS", firing);
  const d = newDashboard({
    uid: ALERTS_OVERVIEW_DASHBOARD_UID,
    title: "Alerts overview",
    description: "Alerts firing now and over time, by severity and by service (the heartbeat left out).",
    variables: [
      clusterVariable(ctx),
      labelVariable(ctx, { name: "namespace", label: "Namespace", series: selector("ALERTS", [cluster]), valuesOf: "namespace", allValue: ".*" }),
      labelVariable(ctx, {
        name: "service",
        label: "Service",
        series: selector("ALERTS", [cluster, variableMatcher("namespace", "namespace")]),
        valuesOf: "service",
        allValue: ".*",
      }),
    ],
  });
  d.withRow(row("Firing now"));
  for (const severity of SEVERITIES) {
    d.withPanel(
      statPanel(ctx, {
        title: `Firing: ${severity}`,
        queries: [{ expr: `count(${selector("ALERTS", [...firing, { label: "severity", op: "=", value: severity }])}) or vector(0)`, instant: true }],
        thresholds: ["green", [1, SEVERITY_COLOURS[severity]]],
        colorMode: "background",
        width: 8,
        height: 4,
      }),
    );
  }
  d.withPanel(
    tablePanel(ctx, {
      title: "Firing alerts",
      queries: [{ expr: `max by (alertname, severity, namespace, service) (${alerts})`, instant: true, format: "table" }],
      width: 24,
    }),
  );
  d.withRow(row("Over time"))
    .withPanel(
      timeseriesPanel(ctx, {
        title: "Firing alerts by severity",
        queries: [{ expr: `count by (severity) (${alerts})`, legend: "{{severity}}" }],
        unit: units.Short,
        stacked: true,
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: "Firing alerts by service",
        queries: [{ expr: `count by (namespace, service) (${selector("ALERTS", [...firing, { label: "service", op: "!=", value: "" }])})`, legend: "{{namespace}}/{{service}}" }],
        unit: units.Short,
        stacked: true,
        min: 0,
      }),
    );
  return finishDashboard(d);
}
