import { IConstruct } from "constructs";
import { PlatformConfigError } from "../core/errors";
import { checkBelow, checkPrometheusMetricName, checkUnique, checkWindow } from "../core/validate";
import { ServiceSelector } from "./metric-contract";

/**
 * A service's own gauges and counters beyond requests and latency: GPU memory it reports itself,
 * active tasks, detected objects per frame, CPU percent. Each gets a per-pod alert when it has
 * thresholds, and a panel through `domainMetricQuery` (dashboards read `MonitoredService.domainMetrics`).
 */

/** Units a panel can show; the names are Grafana's unit ids. */
export const DOMAIN_METRIC_UNITS = ["none", "percent", "percentunit", "bytes", "seconds", "short"] as const;
export type DomainMetricUnit = (typeof DOMAIN_METRIC_UNITS)[number];

export const DOMAIN_METRIC_KINDS = ["gauge", "counter"] as const;
export type DomainMetricKind = (typeof DOMAIN_METRIC_KINDS)[number];

export interface DomainMetric {
  /** Metric name as exposed; a counter with its `_total` suffix. */
  readonly metric: string;
  /** A gauge is read as is; a counter as its per-second rate over 5 minutes. */
  readonly kind: DomainMetricKind;
  /** Panel title and the alert's summary, e.g. "Active tasks". */
  readonly title: string;
  /** Unit of the value (of the rate, for a counter: per second). @default "short" */
  readonly unit?: DomainMetricUnit;
  /** Per-pod value above which a warning fires. @default - no warning */
  readonly warning?: number;
  /** Per-pod value above which a critical alert fires; above `warning`. @default - no critical alert */
  readonly critical?: number;
  /** How long the value must stay above a threshold. @default "5m" */
  readonly for?: string;
  /** `for` of the critical alert, when it should fire sooner (or later) than the warning. @default - `for` */
  readonly criticalFor?: string;
}

export const DEFAULT_DOMAIN_METRIC_FOR = "5m";

/** Rate window of counters, in panels and alerts alike. */
export const DOMAIN_COUNTER_WINDOW = "5m";

/**
 * Rejects a bad list of domain metrics; `prop` is the option's name as the user wrote it
 * (`domainMetrics`), and each entry is named by its metric.
 */
export function validateDomainMetrics(scope: IConstruct | string, prop: string, metrics: readonly DomainMetric[]): void {
  checkUnique(
    scope,
    `${prop}[*].metric`,
    metrics.map((m) => m.metric),
  );
  metrics.forEach((m, i) => {
    const at = typeof m.metric === "string" && m.metric ? `${prop}["${m.metric}"]` : `${prop}[${i}]`;
    checkPrometheusMetricName(scope, `${at}.metric`, m.metric);
    if (!(DOMAIN_METRIC_KINDS as readonly string[]).includes(m.kind)) {
      throw new PlatformConfigError(scope, `${at}.kind`, m.kind, `must be one of ${DOMAIN_METRIC_KINDS.join(", ")}`);
    }
    if (m.kind === "counter" && !m.metric.endsWith("_total")) {
      throw new PlatformConfigError(scope, `${at}.metric`, m.metric, "must end in _total for a counter (the name Prometheus stores); is it a gauge?");
    }
    if (typeof m.title !== "string" || !m.title.trim()) throw new PlatformConfigError(scope, `${at}.title`, m.title, "must be a non-empty title");
    if (m.unit !== undefined && !(DOMAIN_METRIC_UNITS as readonly string[]).includes(m.unit)) {
      throw new PlatformConfigError(scope, `${at}.unit`, m.unit, `must be one of ${DOMAIN_METRIC_UNITS.join(", ")}`);
    }
    for (const key of ["warning", "critical"] as const) {
      const v = m[key];
      if (v !== undefined && !Number.isFinite(v)) throw new PlatformConfigError(scope, `${at}.${key}`, v, "must be a finite number");
    }
    if (m.warning !== undefined && m.critical !== undefined) checkBelow(scope, `${at}.warning`, m.warning, `${at}.critical`, m.critical);
    if (m.for !== undefined) checkWindow(scope, `${at}.for`, m.for);
    if (m.criticalFor !== undefined) {
      checkWindow(scope, `${at}.criticalFor`, m.criticalFor);
      if (m.critical === undefined) throw new PlatformConfigError(scope, `${at}.criticalFor`, m.criticalFor, "only applies with a critical threshold");
    }
    if (m.for !== undefined && m.warning === undefined && m.critical === undefined) {
      throw new PlatformConfigError(scope, `${at}.for`, m.for, "only applies with a warning or critical threshold");
    }
  });
}

function escape(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

/**
 * The per-pod value of a domain metric for one service, `by (namespace, service, pod)`: the gauge's
 * maximum (a pod exposing one series per GPU reports its worst), or the counter's rate. Only the
 * ServiceMonitor's namespace and service labels select: the contract's extra matchers (a
 * `handler` or `model`) belong to request series, which domain metrics are not.
 */
export function domainMetricQuery(metric: DomainMetric, svc: ServiceSelector): string {
  const series = `${metric.metric}{namespace="${escape(svc.namespace)}", service="${escape(svc.service)}"}`;
  return metric.kind === "gauge"
    ? `max by (namespace, service, pod) (${series})`
    : `sum by (namespace, service, pod) (rate(${series}[${DOMAIN_COUNTER_WINDOW}]))`;
}
