import { SeriesMatcher, MetricContract, ServiceSelector } from "./metric-contract";

/**
 * PromQL builders over a metric contract: the only place that turns a contract into queries.
 * Alerts, recording rules, dashboards and the autoscaling adapter all call these, so a query
 * is never written twice with string templates.
 */

function escape(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

export function renderMatchers(matchers: readonly SeriesMatcher[]): string {
  return matchers.map((m) => `${m.label}${m.op}"${escape(m.value)}"`).join(", ");
}

/** `{namespace="x", service="y", <extra>}` for one service. */
export function serviceMatchers(contract: MetricContract, svc: ServiceSelector): SeriesMatcher[] {
  return [
    { label: "namespace", op: "=", value: svc.namespace },
    { label: "service", op: "=", value: svc.service },
    ...(contract.extraMatchers ?? []),
  ];
}

function selector(metric: string, matchers: readonly SeriesMatcher[]): string {
  return `${metric}{${renderMatchers(matchers)}}`;
}

/** The label matcher that selects failed requests, for status-label counters. */
export function errorMatcher(contract: MetricContract): SeriesMatcher | undefined {
  const r = contract.requests;
  if (r.kind !== "statusLabel") return undefined;
  if (r.errors.kind === "values") {
    return r.errors.values.length === 1
      ? { label: r.statusLabel, op: "=", value: r.errors.values[0] }
      : { label: r.statusLabel, op: "=~", value: r.errors.values.map(regexEscape).join("|") };
  }
  // Matches both raw codes ("503") and the instrumentator's grouped form ("5xx").
  const alternatives = r.errors.classes.map((c) => `${c[0]}..`);
  return { label: r.statusLabel, op: "=~", value: alternatives.join("|") };
}

function regexEscape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function by(labels: readonly string[]): string {
  return labels.length ? ` by (${labels.join(", ")})` : "";
}

/** Requests per second over `window`, summed by `groupBy`. */
export function requestRate(contract: MetricContract, svc: ServiceSelector, window: string, groupBy: readonly string[] = []): string {
  const m = serviceMatchers(contract, svc);
  const r = contract.requests;
  if (r.kind === "successFailure") {
    return `(sum${by(groupBy)}(rate(${selector(r.success, m)}[${window}])) + sum${by(groupBy)}(rate(${selector(r.failure, m)}[${window}])))`;
  }
  return `sum${by(groupBy)}(rate(${selector(r.counter, m)}[${window}]))`;
}

/**
 * Failed requests per second over `window`. A contract without outcome (`noOutcome`) has none:
 * check `hasRequestOutcome` first; asking anyway is a bug and throws.
 */
export function errorRate(contract: MetricContract, svc: ServiceSelector, window: string, groupBy: readonly string[] = []): string {
  const m = serviceMatchers(contract, svc);
  const r = contract.requests;
  switch (r.kind) {
    case "statusLabel":
      return `sum${by(groupBy)}(rate(${selector(r.counter, [...m, errorMatcher(contract)!])}[${window}]))`;
    case "successFailure":
      return `sum${by(groupBy)}(rate(${selector(r.failure, m)}[${window}]))`;
    case "errorCounter":
      return `sum${by(groupBy)}(rate(${selector(r.errorCounter, m)}[${window}]))`;
    case "noOutcome":
      throw new Error(`contract '${contract.flavour}' counts requests without outcome: it has no error rate`);
  }
}

/** Fraction of failed requests (0-1) over `window`. */
export function errorRatio(contract: MetricContract, svc: ServiceSelector, window: string, groupBy: readonly string[] = []): string {
  return `(${errorRate(contract, svc, window, groupBy)} / ${requestRate(contract, svc, window, groupBy)})`;
}

/** Seconds per unit of the contract's latency metric. */
export function latencyUnitSeconds(contract: MetricContract): number {
  switch (contract.latency.unit) {
    case "seconds":
      return 1;
    case "milliseconds":
      return 1e-3;
    case "microseconds":
      return 1e-6;
  }
}

function toSeconds(contract: MetricContract, expr: string): string {
  const f = latencyUnitSeconds(contract);
  return f === 1 ? expr : `(${expr} * ${f})`;
}

/** True when the contract's latency supports quantiles (a histogram). */
export function hasLatencyQuantiles(contract: MetricContract): boolean {
  return contract.latency.kind === "histogram";
}

/**
 * The q-quantile (0-1) of request latency in seconds over `window`, or undefined when the
 * contract has no histogram (callers fall back to `latencyAverage`).
 */
export function latencyQuantile(
  contract: MetricContract,
  svc: ServiceSelector,
  q: number,
  window: string,
  groupBy: readonly string[] = [],
): string | undefined {
  const l = contract.latency;
  if (l.kind !== "histogram") return undefined;
  const m = serviceMatchers(contract, svc);
  const inner = `histogram_quantile(${q}, sum by (${["le", ...groupBy].join(", ")})(rate(${selector(`${l.name}_bucket`, m)}[${window}])))`;
  return toSeconds(contract, inner);
}

/** Average request latency in seconds over `window`. */
export function latencyAverage(contract: MetricContract, svc: ServiceSelector, window: string, groupBy: readonly string[] = []): string {
  const l = contract.latency;
  const m = serviceMatchers(contract, svc);
  const [sum, count] = l.kind === "histogram" ? [`${l.name}_sum`, `${l.name}_count`] : [l.sum, l.count];
  const inner = `(sum${by(groupBy)}(rate(${selector(sum, m)}[${window}])) / sum${by(groupBy)}(rate(${selector(count, m)}[${window}])))`;
  return toSeconds(contract, inner);
}

/** Fraction of requests (0-1) faster than `thresholdSeconds`: needs a histogram bucket at that bound. */
export function latencyGoodRatio(
  contract: MetricContract,
  svc: ServiceSelector,
  thresholdSeconds: number,
  window: string,
): string | undefined {
  const l = contract.latency;
  if (l.kind !== "histogram") return undefined;
  const m = serviceMatchers(contract, svc);
  // Rounded so 0.3 s in milliseconds is 300, not 299.99999999999994.
  const le = Number((thresholdSeconds / latencyUnitSeconds(contract)).toPrecision(12));
  return `(sum(rate(${selector(`${l.name}_bucket`, [...m, bucketBoundMatcher(le)])}[${window}])) / sum(rate(${selector(`${l.name}_count`, m)}[${window}])))`;
}

/**
 * The `le` matcher of one bucket, right on Prometheus 3 and 2: Prometheus 3 stores the bound
 * normalised (`formatBucketBound`: "1.0"), Prometheus 2 as the exporter wrote it: "1" from the Go
 * and JavaScript clients, "1.0" from Python's. One equality where the spellings agree ("0.5"),
 * else an alternation of them (`le=~"1\\.0|1"`).
 */
export function bucketBoundMatcher(value: number): SeriesMatcher {
  const normalised = formatBucketBound(value);
  // Go's strconv 'g' form is the normalised one without the ".0" that Prometheus 3 appends.
  const spellings = [...new Set([normalised, normalised.replace(/\.0$/, ""), String(value)])];
  return spellings.length === 1
    ? { label: "le", op: "=", value: normalised }
    : { label: "le", op: "=~", value: spellings.map(regexEscape).join("|") };
}

/**
 * A bucket bound as Prometheus v3 stores it: `le` values are normalised on ingestion to Go's
 * shortest float form with ".0" on integers (`le="1"` is stored as `le="1.0"`, Prometheus 3.0
 * migration guide), so a matcher built with `String(1)` would silently match nothing.
 */
export function formatBucketBound(value: number): string {
  if (value === Infinity) return "+Inf";
  // Port of labels.FormatOpenMetricsFloat: strconv.FormatFloat(v, 'g', -1, 64) switches to
  // exponent form below 1e-4 and from 1e6 ("1e+06"), then ".0" goes on what has neither "." nor "e".
  const [mantissa, exp] = value.toExponential().split("e");
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  const plain = String(value);
  return plain.includes(".") ? plain : `${plain}.0`;
}

/** A gauge of the contract (queue depth, model loaded) for one service. */
export function serviceGauge(contract: MetricContract, svc: ServiceSelector, metric: string): string {
  return selector(metric, serviceMatchers(contract, svc));
}

/**
 * Request rate split by outcome, one query per series family: by the status label for a
 * status-label counter (`outcome` names the label), success and failure for separate counters
 * (`outcome` names the series), or all requests when the counter has no outcome. For a "QPS by
 * status" panel.
 */
export function requestRateByOutcome(
  contract: MetricContract,
  svc: ServiceSelector,
  window: string,
): readonly { readonly expr: string; readonly outcome: { readonly label: string } | { readonly name: string } }[] {
  const r = contract.requests;
  const m = serviceMatchers(contract, svc);
  switch (r.kind) {
    case "statusLabel":
      return [{ expr: requestRate(contract, svc, window, [r.statusLabel]), outcome: { label: r.statusLabel } }];
    case "successFailure":
      return [
        { expr: `sum(rate(${selector(r.success, m)}[${window}]))`, outcome: { name: "success" } },
        { expr: errorRate(contract, svc, window), outcome: { name: "failure" } },
      ];
    case "errorCounter":
      // The request counter counts failures too: success is the difference.
      return [
        { expr: `(${requestRate(contract, svc, window)} - ${errorRate(contract, svc, window)})`, outcome: { name: "success" } },
        { expr: errorRate(contract, svc, window), outcome: { name: "failure" } },
      ];
    case "noOutcome":
      return [{ expr: requestRate(contract, svc, window), outcome: { name: "requests" } }];
  }
}

/**
 * Per-bucket request rate of the latency histogram, `sum by (le)`, for a latency heatmap; undefined
 * when the contract has no histogram. Bucket bounds stay in the contract's unit.
 */
export function latencyBucketRate(contract: MetricContract, svc: ServiceSelector, window: string): string | undefined {
  const l = contract.latency;
  if (l.kind !== "histogram") return undefined;
  return `sum by (le) (rate(${selector(`${l.name}_bucket`, serviceMatchers(contract, svc))}[${window}]))`;
}
