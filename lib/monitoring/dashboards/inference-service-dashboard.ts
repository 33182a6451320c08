import { createHash } from "crypto";
import * as units from "@grafana/grafana-foundation-sdk/units";
import { hasRequestOutcome, MetricContract, SeriesMatcher, ServiceSelector } from "../../contracts/metric-contract";
import { MonitoredService } from "../../contracts/monitoring-catalog";
import {
  hasLatencyQuantiles,
  latencyBucketRate,
  latencyQuantile,
  requestRateByOutcome,
  serviceGauge,
} from "../../contracts/promql";
import { INFERENCE_RECORD_LEVEL, INFERENCE_RECORDS } from "../rules/inference-rules";
import {
  clusterMatcher,
  clusterVariable,
  DashboardContext,
  finishDashboard,
  GrafanaDashboard,
  heatmapPanel,
  MAX_DASHBOARD_UID_LENGTH,
  newDashboard,
  PanelQuery,
  row,
  selector,
  statPanel,
  statusLightsPanel,
  timeseriesPanel,
} from "./common";

/**
 * A metric of the service's own domain (detected objects per frame, active tasks), declared by
 * the service's owners: the dashboard gets a panel for it, and the query check knows the name.
 */
export interface DomainMetric {
  /** Metric name as Prometheus stores it, e.g. `phone_detections_per_frame` or `tasks_completed_total`. */
  readonly name: string;
  /** A gauge is shown as is; a counter as its per-second rate. */
  readonly kind: "gauge" | "counter";
  /** Panel title. */
  readonly title: string;
  /** Grafana unit id. @default "short" */
  readonly unit?: string;
  /** @default - none */
  readonly description?: string;
  /** Labels the metric carries besides the scrape target's, that panels may group by. @default - none */
  readonly labels?: readonly string[];
  /** Label to draw one line per value of. @default "pod" */
  readonly splitBy?: string;
}

/** The domain metrics one service declares. */
export interface ServiceDomainMetrics {
  readonly service: ServiceSelector;
  readonly metrics: readonly DomainMetric[];
}

const RATE_WINDOW = "$__rate_interval";

/**
 * Stable uid of a service's dashboard: `inference-<namespace>-<service>`, or, when that is longer
 * than Grafana's 40 characters, its start and a hash of the whole, so it stays stable and distinct.
 */
export function inferenceDashboardUid(service: ServiceSelector): string {
  const full = `inference-${service.namespace}-${service.service}`;
  if (full.length <= MAX_DASHBOARD_UID_LENGTH) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 8);
  return `${full.slice(0, MAX_DASHBOARD_UID_LENGTH - hash.length - 1)}-${hash}`;
}

/**
 * One model server: traffic and errors, latency quantiles and heatmap, queue and model state,
 * replicas against the autoscaler, scrape targets, per-stage breakdown when the contract has a
 * stage label, and the service's own domain metrics. Aggregates over 5 minutes come from the
 * inference recording rules; everything else from the metric contract's builders.
 */
export function inferenceServiceDashboard(
  ctx: DashboardContext,
  service: MonitoredService,
  domainMetrics: readonly DomainMetric[] = [],
): GrafanaDashboard {
  const { namespace, service: name } = service.selector;
  const cluster = clusterMatcher(ctx);
  // The contract's own matchers plus the cluster variable: every builder query follows the variable.
  const c: MetricContract = { ...service.contract, extraMatchers: [...(service.contract.extraMatchers ?? []), cluster] };
  const s = service.selector;
  const svc: SeriesMatcher[] = [
    { label: "namespace", op: "=", value: namespace },
    { label: "service", op: "=", value: name },
    cluster,
  ];
  const record = (level: string, metric: string) => selector(`${level}:${metric}`, svc);
  const recorded = (metric: string) => record(INFERENCE_RECORD_LEVEL, metric);
  const seconds = service.contract.latency.unit === "milliseconds" ? units.Milliseconds : units.Seconds;

  const d = newDashboard({
    uid: inferenceDashboardUid(s),
    title: `Inference: ${namespace}/${name}`,
    description: `Model server ${namespace}/${name} (metric contract '${service.contract.flavour}'), Deployment ${service.deployment}.`,
    variables: [clusterVariable(ctx)],
  });

  // A counter without outcome (`noOutcome`) records no error ratio: no error panels then.
  const outcome = hasRequestOutcome(c);
  d.withRow(row("Traffic")).withPanel(
    statPanel(ctx, {
      title: "Requests per second",
        queries: [{ expr: recorded(INFERENCE_RECORDS.requestRate), legend: "req/s" }],
      unit: units.RequestsPerSecond,
      width: 4,
      height: 8,
    }),
  );
  if (outcome) {
    d.withPanel(
      statPanel(ctx, {
        title: "Error ratio (5m)",
        queries: [{ expr: recorded(INFERENCE_RECORDS.errorRatio), legend: "errors" }],
        unit: units.PercentUnit,
        thresholds: ["green", [0.01, "orange"], [0.1, "red"]],
        width: 4,
        height: 8,
      }),
    );
  }
  d.withPanel(
    timeseriesPanel(ctx, {
      title: "QPS by status",
      queries: requestRateByOutcome(c, s, RATE_WINDOW).map(
        (q): PanelQuery => ({ expr: q.expr, legend: "label" in q.outcome ? `{{${q.outcome.label}}}` : q.outcome.name }),
      ),
      unit: units.RequestsPerSecond,
      stacked: true,
      width: 8,
    }),
  );
  if (outcome) {
    d.withPanel(
      timeseriesPanel(ctx, {
        title: "Error ratio",
        description: "Share of failed requests over 5 minutes (recording rule).",
        queries: [{ expr: recorded(INFERENCE_RECORDS.errorRatio), legend: "error ratio" }],
        unit: units.PercentUnit,
        min: 0,
        width: 8,
      }),
    );
  }

  const latencyQueries: PanelQuery[] = hasLatencyQuantiles(service.contract)
    ? [
        { expr: latencyQuantile(c, s, 0.5, RATE_WINDOW)!, legend: "P50" },
        { expr: recorded(INFERENCE_RECORDS.latencyP95), legend: "P95" },
        { expr: recorded(INFERENCE_RECORDS.latencyP99), legend: "P99" },
      ]
    : [{ expr: recorded(INFERENCE_RECORDS.latencyMean), legend: "mean" }];
  d.withRow(row("Latency")).withPanel(
    timeseriesPanel(ctx, {
      title: hasLatencyQuantiles(service.contract) ? "Latency P50 / P95 / P99" : "Mean latency",
      description: hasLatencyQuantiles(service.contract)
        ? "P95 and P99 over 5 minutes from the recording rules; P50 over the panel's rate interval."
        : `Contract '${service.contract.flavour}' measures latency as sum and count: averages only, no quantiles.`,
      queries: latencyQueries,
      unit: units.Seconds,
      min: 0,
    }),
  );
  const buckets = latencyBucketRate(c, s, RATE_WINDOW);
  if (buckets) {
    d.withPanel(
      heatmapPanel(ctx, {
        title: "Latency heatmap",
        description: "Requests per second in each latency bucket of the histogram.",
        queries: [{ expr: buckets, legend: "{{le}}", format: "heatmap" }],
        yUnit: seconds,
        unit: units.RequestsPerSecond,
        buckets: true,
      }),
    );
  }

  d.withRow(row("Pods and scaling"));
  d.withPanel(
    statusLightsPanel(ctx, {
      title: "Scrape targets",
      description: "One light per pod Prometheus scrapes: UP when the last scrape succeeded.",
      queries: [{ expr: selector("up", svc), legend: "{{pod}}", instant: true }],
      width: 8,
    }),
  );
  if (service.contract.modelLoaded) {
    d.withPanel(
      statusLightsPanel(ctx, {
        title: "Model loaded",
        queries: [{ expr: `max by (pod) (${serviceGauge(c, s, service.contract.modelLoaded)})`, legend: "{{pod}}", instant: true }],
        on: "LOADED",
        off: "LOADING",
        width: 8,
      }),
    );
  }
  if (service.contract.queueDepth) {
    d.withPanel(
      timeseriesPanel(ctx, {
        title: "Queue depth",
        queries: [{ expr: `sum by (pod) (${serviceGauge(c, s, service.contract.queueDepth)})`, legend: "{{pod}}" }],
        unit: units.Short,
        min: 0,
        width: 8,
      }),
    );
  }
  d.withPanel(timeseriesPanel(ctx, { title: service.hpa ? "Replicas and autoscaler" : "Replicas", queries: replicaQueries(ctx, service), unit: units.Short, min: 0, width: service.hpa ? 12 : 24 }));
  if (service.hpa) {
    const hpa = [svc[0], { label: "horizontalpodautoscaler", op: "=" as const, value: service.hpa }, cluster];
    d.withPanel(
      timeseriesPanel(ctx, {
        title: "Autoscaling metric per pod vs target",
        description: "The HPA's metric (per-pod average) against its target: above the target, the HPA adds replicas up to its maximum.",
        queries: [
          { expr: `max by (metric_name) (${selector("kube_horizontalpodautoscaler_status_target_metric", [...hpa, { label: "metric_target_type", op: "=", value: "average" }])})`, legend: "{{metric_name}}" },
          { expr: `max by (metric_name) (${selector("kube_horizontalpodautoscaler_spec_target_metric", [...hpa, { label: "metric_target_type", op: "=", value: "average" }])})`, legend: "{{metric_name}} target" },
        ],
        unit: units.Short,
        min: 0,
      }),
    );
  }

  const stage = service.contract.stageLabel;
  if (stage) {
    const level = `${INFERENCE_RECORD_LEVEL}_${stage}`;
    const byStage = (metric: string) => record(level, metric);
    d.withRow(row(`Per ${stage}`)).withPanel(
      timeseriesPanel(ctx, {
        title: `Requests per second by ${stage}`,
        queries: [{ expr: byStage(INFERENCE_RECORDS.requestRate), legend: `{{${stage}}}` }],
        unit: units.RequestsPerSecond,
        width: 8,
      }),
    );
    if (outcome) {
      d.withPanel(
        timeseriesPanel(ctx, {
          title: `Error ratio by ${stage}`,
          queries: [{ expr: byStage(INFERENCE_RECORDS.errorRatio), legend: `{{${stage}}}` }],
          unit: units.PercentUnit,
          min: 0,
          width: 8,
        }),
      );
    }
    d.withPanel(
      timeseriesPanel(ctx, {
        title: hasLatencyQuantiles(service.contract) ? `P95 latency by ${stage}` : `Mean latency by ${stage}`,
        queries: [
          {
            expr: byStage(hasLatencyQuantiles(service.contract) ? INFERENCE_RECORDS.latencyP95 : INFERENCE_RECORDS.latencyMean),
            legend: `{{${stage}}}`,
          },
        ],
        unit: units.Seconds,
        min: 0,
        width: 8,
      }),
    );
  }

  if (domainMetrics.length) {
    d.withRow(row("Domain metrics"));
    for (const m of domainMetrics) {
      const series = selector(m.name, svc);
      const split = m.splitBy ?? "pod";
      const expr = m.kind === "counter" ? `sum by (${split}) (rate(${series}[${RATE_WINDOW}]))` : `sum by (${split}) (${series})`;
      d.withPanel(
        timeseriesPanel(ctx, {
          title: m.title,
          ...(m.description !== undefined && { description: m.description }),
          queries: [{ expr, legend: `{{${split}}}` }],
          unit: m.unit ?? units.Short,
          width: 8,
        }),
      );
    }
  }
  return finishDashboard(d);
}

/** Replicas of the Deployment and, with an HPA, its current and desired replicas and its bounds. */
function replicaQueries(ctx: DashboardContext, service: MonitoredService): PanelQuery[] {
  const ns: SeriesMatcher = { label: "namespace", op: "=", value: service.selector.namespace };
  const cluster = clusterMatcher(ctx);
  const deployment = [ns, { label: "deployment", op: "=" as const, value: service.deployment }, cluster];
  const queries: PanelQuery[] = [
    { expr: `max(${selector("kube_deployment_status_replicas_available", deployment)})`, legend: "available" },
  ];
  if (!service.hpa) return [{ expr: `max(${selector("kube_deployment_spec_replicas", deployment)})`, legend: "desired" }, ...queries];
  const hpa = [ns, { label: "horizontalpodautoscaler", op: "=" as const, value: service.hpa }, cluster];
  const kinds: [string, string][] = [
    ["kube_horizontalpodautoscaler_status_current_replicas", "current (HPA)"],
    ["kube_horizontalpodautoscaler_status_desired_replicas", "target (HPA)"],
    ["kube_horizontalpodautoscaler_spec_min_replicas", "min"],
    ["kube_horizontalpodautoscaler_spec_max_replicas", "max"],
  ];
  return [...kinds.map(([metric, legend]) => ({ expr: `max(${selector(metric, hpa)})`, legend })), ...queries];
}
