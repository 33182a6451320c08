import * as units from "@grafana/grafana-foundation-sdk/units";
import { SeriesMatcher } from "../../contracts/metric-contract";
import { MonitoredService } from "../../contracts/monitoring-catalog";
import { SLO_WINDOWS, sloErrorRecord } from "../rules/slo-rules";
import { num } from "../rules/private/queries";
import {
  clusterMatcher,
  clusterVariable,
  DashboardContext,
  finishDashboard,
  GrafanaDashboard,
  newDashboard,
  row,
  selector,
  statPanel,
  timeseriesPanel,
} from "./common";

export const SLO_DASHBOARD_UID = "inference-slos";

/**
 * The period the SLO rules' burn factors are relative to: 14.4x burns 2% of a 30-day budget in
 * an hour (slo-rules.ts, Google SRE workbook ch. 5).
 */
export const SLO_PERIOD = "30d";

/**
 * Every SLO the services declare, a row each: objective, SLI and error budget remaining over the
 * 30-day period, and the burn rate over each window the burn-rate alerts read. Everything is
 * read from the SLO recording rules, never from raw series.
 */
export function sloDashboard(ctx: DashboardContext, services: readonly MonitoredService[]): GrafanaDashboard {
  const d = newDashboard({
    uid: SLO_DASHBOARD_UID,
    title: "Inference SLOs",
    description: `Service-level objectives of the inference services over ${SLO_PERIOD}, from the SLO recording rules.`,
    variables: [clusterVariable(ctx)],
  });
  for (const service of services) {
    const slos = service.slos ?? {};
    const declared: [("availability" | "latency"), number, string][] = [];
    if (slos.availability !== undefined) declared.push(["availability", slos.availability, "requests that succeed"]);
    if (slos.latency !== undefined) declared.push(["latency", slos.latency.objective, `requests faster than ${num(slos.latency.thresholdSeconds)}s`]);
    for (const [kind, objective, what] of declared) addSloRow(ctx, d, service, kind, objective, what);
  }
  return finishDashboard(d);
}

function addSloRow(
  ctx: DashboardContext,
  d: ReturnType<typeof newDashboard>,
  service: MonitoredService,
  kind: "availability" | "latency",
  objective: number,
  what: string,
): void {
  const { namespace, service: name } = service.selector;
  const matchers: SeriesMatcher[] = [
    { label: "namespace", op: "=", value: namespace },
    { label: "service", op: "=", value: name },
    { label: "slo", op: "=", value: kind },
    clusterMatcher(ctx),
  ];
  const budget = num(1 - objective);
  const ratio = (window: (typeof SLO_WINDOWS)[number]) => selector(sloErrorRecord(window), matchers);
  // Mean of the 5m error ratio over the period: what the period's SLI is, sampled every evaluation.
  const periodErrors = `avg_over_time(${ratio("5m")}[${SLO_PERIOD}])`;
  d.withRow(row(`${namespace}/${name}: ${kind}`))
    .withPanel(
      statPanel(ctx, {
        title: "Objective",
        description: `${num(objective * 100)}% of ${what}.`,
        queries: [{ expr: `vector(${num(objective)})`, instant: true }],
        unit: units.PercentUnit,
        width: 4,
      }),
    )
    .withPanel(
      statPanel(ctx, {
        title: `SLI over ${SLO_PERIOD}`,
        queries: [{ expr: `1 - ${periodErrors}`, instant: true }],
        unit: units.PercentUnit,
        thresholds: ["red", [objective, "green"]],
        width: 4,
      }),
    )
    .withPanel(
      statPanel(ctx, {
        title: `Error budget remaining (${SLO_PERIOD})`,
        description: `Share of the ${num(Number(budget) * 100)}% error budget not yet spent over the last ${SLO_PERIOD}.`,
        queries: [{ expr: `1 - ${periodErrors} / ${budget}`, instant: true }],
        unit: units.PercentUnit,
        thresholds: ["red", [0.25, "orange"], [0.5, "green"]],
        width: 4,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: "Burn rate per window",
        description: "Error ratio over each window divided by the error budget: 1 spends exactly the budget in 30 days; the page fires at 14.4 (1h and 5m) or 6 (6h and 30m).",
        queries: SLO_WINDOWS.map((w) => ({ expr: `${ratio(w)} / ${budget}`, legend: w })),
        unit: units.Short,
        min: 0,
      }),
    );
}
