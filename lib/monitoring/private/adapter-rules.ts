import { MetricContract, ServiceSelector } from "../../contracts/metric-contract";
import { requestRate, serviceGauge } from "../../contracts/promql";
import { requestsPerSecondMetricName } from "../../contracts/autoscaling-agreement";

/** One entry of prometheus-adapter's `rules.custom` for a per-pod metric (chart 5.3.0). */
export interface AdapterCustomRule {
  readonly seriesQuery: string;
  readonly resources: {
    readonly overrides: {
      readonly namespace: { readonly resource: "namespace" };
      readonly pod: { readonly resource: "pod" };
    };
  };
  readonly name: { readonly matches: string; readonly as: string };
  readonly metricsQuery: string;
}

/** The adapter's Go-template placeholders inside `metricsQuery`. */
export const ADAPTER_LABEL_MATCHERS = "<<.LabelMatchers>>";
export const ADAPTER_GROUP_BY = "<<.GroupBy>>";

/**
 * A namespace value no real namespace can have (DNS-1123 forbids '_'). The query is built by
 * promql.ts's own `requestRate` with this namespace, then the rendered `namespace="<sentinel>"`
 * matcher is replaced by the adapter's `<<.LabelMatchers>>` (namespace and pod of the HPA's pods),
 * so the PromQL of QPS is written once, in promql.ts.
 */
const SENTINEL_NAMESPACE = "__adapter_label_matchers__";
const SENTINEL_MATCHER = `namespace="${SENTINEL_NAMESPACE}"`;

/** `requestRate` of the contract per pod, templated for prometheus-adapter. */
export function adapterRequestRateQuery(contract: MetricContract, service: string, window: string): string {
  const rendered = requestRate(contract, { namespace: SENTINEL_NAMESPACE, service }, window, [ADAPTER_GROUP_BY]);
  if (!rendered.includes(SENTINEL_MATCHER)) {
    // promql.ts changed how it renders matchers: fail the synth loudly rather than query every namespace.
    throw new Error(`prometheus-adapter rule for '${service}': cannot find ${SENTINEL_MATCHER} in ${rendered}`);
  }
  return rendered.split(SENTINEL_MATCHER).join(ADAPTER_LABEL_MATCHERS);
}

/** The series whose presence tells the adapter which pods have the metric. */
function discoverySeries(contract: MetricContract): string {
  const r = contract.requests;
  return r.kind === "successFailure" ? r.success : r.counter;
}

/** The `rules.custom` entry serving `requestsPerSecondMetricName(service)` for one service. */
export function requestsPerSecondRule(contract: MetricContract, selector: ServiceSelector, window: string): AdapterCustomRule {
  const series = discoverySeries(contract);
  return {
    seriesQuery: serviceGauge(contract, selector, series),
    resources: { overrides: { namespace: { resource: "namespace" }, pod: { resource: "pod" } } },
    // Metric names hold only [a-zA-Z0-9_:], none of them a regex metacharacter.
    name: { matches: `^${series}$`, as: requestsPerSecondMetricName(selector.service) },
    metricsQuery: adapterRequestRateQuery(contract, selector.service, window),
  };
}
