import { IConstruct } from "constructs";
import { PlatformConfigError } from "../../core/errors";
import { MetricContract, ServiceSelector } from "../../contracts/metric-contract";
import { requestRate, serviceGauge } from "../../contracts/promql";
import { deploymentPods } from "../rules/private/queries";
import { AutoscalingSignal, autoscalingMetricName } from "../../contracts/autoscaling-agreement";
import { SeriesMatcher } from "../../contracts/metric-contract";
import { renderMatchers } from "../../contracts/promql";
import { DCGM_METRICS } from "../rules/dcgm-metrics";
import { PromqlCheckOptions, promqlProblem } from "./promql-check";

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
  // promql.ts changed how it renders matchers: `templated` fails the synth loudly rather than query every namespace.
  return templated(service, requestRate(contract, { namespace: SENTINEL_NAMESPACE, service }, window, [ADAPTER_GROUP_BY]));
}

/** The series whose presence tells the adapter which pods have the metric. */
function discoverySeries(contract: MetricContract): string {
  const r = contract.requests;
  return r.kind === "successFailure" ? r.success : r.counter;
}

const RESOURCES: AdapterCustomRule["resources"] = { overrides: { namespace: { resource: "namespace" }, pod: { resource: "pod" } } };

/** Replaces the sentinel namespace matcher of a query built by promql.ts with the adapter's placeholder. */
function templated(service: string, rendered: string): string {
  if (!rendered.includes(SENTINEL_MATCHER)) {
    throw new Error(`prometheus-adapter rule for '${service}': cannot find ${SENTINEL_MATCHER} in ${rendered}`);
  }
  return rendered.split(SENTINEL_MATCHER).join(ADAPTER_LABEL_MATCHERS);
}

/** The `rules.custom` entry serving `autoscalingMetricName(service, signal)` for one service. */
export function autoscalingRule(
  signal: AutoscalingSignal,
  contract: MetricContract,
  selector: ServiceSelector,
  deployment: string,
  window: string,
): AdapterCustomRule {
  const as = autoscalingMetricName(selector.service, signal);
  switch (signal) {
    case "requestsPerSecond":
      return requestsPerSecondRule(contract, selector, window);
    case "queueDepth": {
      const gauge = contract.queueDepth!;
      const sentinel = { namespace: SENTINEL_NAMESPACE, service: selector.service };
      return {
        seriesQuery: serviceGauge(contract, selector, gauge),
        resources: RESOURCES,
        name: { matches: `^${gauge}$`, as },
        // A pod may expose one gauge per stage or model: the pod's queue is their sum.
        metricsQuery: templated(selector.service, `sum by (${ADAPTER_GROUP_BY}) (${serviceGauge(contract, sentinel, gauge)})`),
      };
    }
    case "gpuUtilization":
    case "gpuMemory": {
      // DCGM series name the pod that holds the GPU (namespace, pod); the exporter's own pod is
      // kept apart by DcgmExporter's ServiceMonitor. Only this Deployment's pods are discovered.
      const own: SeriesMatcher[] = [{ label: "namespace", op: "=", value: selector.namespace }, deploymentPods(deployment)];
      const metric = signal === "gpuUtilization" ? DCGM_METRICS.gpuUtil : DCGM_METRICS.fbUsed;
      const m = ADAPTER_LABEL_MATCHERS;
      // A pod with several GPUs: their average.
      const perGpu =
        signal === "gpuUtilization"
          ? `${DCGM_METRICS.gpuUtil}{${m}}`
          : `100 * ${DCGM_METRICS.fbUsed}{${m}} / (${DCGM_METRICS.fbUsed}{${m}} + ${DCGM_METRICS.fbFree}{${m}})`;
      return {
        seriesQuery: `${metric}{${renderMatchers(own)}}`,
        resources: RESOURCES,
        name: { matches: `^${metric}$`, as },
        metricsQuery: `avg by (${ADAPTER_GROUP_BY}) (${perGpu})`,
      };
    }
  }
}

/** The `rules.custom` entry serving the requests-per-second metric of one service. */
export function requestsPerSecondRule(contract: MetricContract, selector: ServiceSelector, window: string): AdapterCustomRule {
  const series = discoverySeries(contract);
  return {
    seriesQuery: serviceGauge(contract, selector, series),
    resources: { overrides: { namespace: { resource: "namespace" }, pod: { resource: "pod" } } },
    // Metric names hold only [a-zA-Z0-9_:], none of them a regex metacharacter.
    name: { matches: `^${series}$`, as: autoscalingMetricName(selector.service, "requestsPerSecond") },
    metricsQuery: adapterRequestRateQuery(contract, selector.service, window),
  };
}

/**
 * The adapter's placeholders as it fills them for an HPA on two pods (its Go templates): the
 * query is then plain PromQL that the checker can parse and type.
 */
const FILLED_LABEL_MATCHERS = 'namespace="default",pod=~"a|b"';
const FILLED_GROUP_BY = "pod";

/**
 * What is wrong with the PromQL of an adapter rule, one message each (empty when nothing): its
 * `seriesQuery` must be a series selector (an instant vector), and its `metricsQuery`, with the
 * placeholders filled, an instant vector, the only type the adapter turns into metric values.
 */
export function adapterRuleProblems(scope: IConstruct, rule: AdapterCustomRule, options: PromqlCheckOptions = {}): string[] {
  const prop = `rules.custom["${rule.name.as}"]`;
  const metricsQuery = rule.metricsQuery.split(ADAPTER_LABEL_MATCHERS).join(FILLED_LABEL_MATCHERS).split(ADAPTER_GROUP_BY).join(FILLED_GROUP_BY);
  return [
    [`${prop}.seriesQuery`, rule.seriesQuery, promqlProblem(rule.seriesQuery, ["vector"], options), ""] as const,
    // Shown filled, so that the positions of the message point into the query shown.
    [`${prop}.metricsQuery`, metricsQuery, promqlProblem(metricsQuery, ["vector"], options), ` (shown with ${ADAPTER_LABEL_MATCHERS} and ${ADAPTER_GROUP_BY} filled as for two pods)`] as const,
  ].flatMap(([where, query, problem, note]) => (problem ? [new PlatformConfigError(scope, where, query, `must be valid PromQL${note}: ${problem}`).message] : []));
}
