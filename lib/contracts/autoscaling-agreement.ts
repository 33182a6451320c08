import { IConstruct } from "constructs";
import { ConstructTag } from "../core/construct-tag";

/**
 * Cross-construct check between HPAs that scale on a `Pods` custom metric and the adapters that
 * serve custom metrics: each such metric must be served by exactly one adapter rule, else the HPA
 * reports `FailedGetPodsMetric` and never scales (no adapter, a misspelt name) or scales on
 * whichever of two rules the adapter registered last.
 */

/**
 * Name of the custom metric a service autoscales on: `<service>_requests_per_second`, with the
 * Service name's dashes turned into underscores. The HPA and the adapter rule both take it from here.
 */
export function requestsPerSecondMetricName(service: string): string {
  return `${service.replace(/-/g, "_")}_requests_per_second`;
}

/**
 * What an HPA scales on: the service's requests per second, its queue (the contract's `queueDepth`
 * gauge), or the GPUs its own pods hold (DCGM series carry the pod holding the GPU).
 */
export const AUTOSCALING_SIGNALS = ["requestsPerSecond", "queueDepth", "gpuUtilization", "gpuMemory"] as const;
export type AutoscalingSignal = (typeof AUTOSCALING_SIGNALS)[number];

/**
 * The custom metric a service scales on: `<service>_requests_per_second`, `<service>_queue_depth`,
 * `<service>_gpu_utilization_percent` or `<service>_gpu_memory_percent`, dashes turned into
 * underscores. The HPA and the adapter rule both take it from here.
 */
export function autoscalingMetricName(service: string, signal: AutoscalingSignal): string {
  const suffix: Record<AutoscalingSignal, string> = {
    requestsPerSecond: "requests_per_second",
    queueDepth: "queue_depth",
    gpuUtilization: "gpu_utilization_percent",
    gpuMemory: "gpu_memory_percent",
  };
  return `${service.replace(/-/g, "_")}_${suffix[signal]}`;
}

/** What a custom metrics adapter serves: its rules' metric names, listed at synth. */
const ADAPTER = new ConstructTag<() => readonly string[]>("CustomMetricsAdapter");

/** An HPA that scales on a Pods metric. */
export interface PodsMetricConsumer {
  /** Namespace/name of the HPA, for messages. */
  readonly hpa: string;
  readonly metricName: string;
}

/** Marks a construct as a custom metrics adapter; `served` lists its rules' metric names at synth. */
export function registerCustomMetricsAdapter(construct: IConstruct, served: () => readonly string[]): void {
  ADAPTER.set(construct, served);
}

/** Marks a construct as rendering an HPA on a Pods metric and adds the agreement check to it. */
export function registerPodsMetricConsumer(construct: IConstruct, consumer: PodsMetricConsumer): void {
  construct.node.addValidation({ validate: () => podsMetricErrors(construct, consumer) });
}

export function podsMetricErrors(construct: IConstruct, consumer: PodsMetricConsumer): string[] {
  const adapters = ADAPTER.findAll(construct.node.root).map(({ value }) => value);
  const where = `${construct.node.path}: HPA ${consumer.hpa} scales on Pods metric '${consumer.metricName}'`;
  if (adapters.length === 0) {
    return [`${where}, but the app has no custom metrics adapter; add a PrometheusAdapter fed by the same MonitoringCatalog`];
  }
  const served = adapters.flatMap((s) => s());
  const rules = served.filter((name) => name === consumer.metricName).length;
  if (rules === 0) {
    return [
      `${where}, which no prometheus-adapter rule serves (rules serve: ${served.length ? served.join(", ") : "none"}); is the adapter fed by the same MonitoringCatalog?`,
    ];
  }
  if (rules > 1) {
    return [
      `${where}, which ${rules} prometheus-adapter rules serve; it must be served by exactly one (two services of the same name in different namespaces, or two adapters on one catalog)`,
    ];
  }
  return [];
}
