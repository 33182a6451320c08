import { IConstruct } from "constructs";

/**
 * Cross-construct check between HPAs that scale on a `Pods` custom metric and the adapters that
 * serve custom metrics: each such metric must be served by exactly one adapter rule, else the HPA
 * reports `FailedGetPodsMetric` and never scales (no adapter, a misspelt name) or scales on
 * whichever of two rules the adapter registered last.
 */

const ADAPTER = Symbol.for("cdktf-gpu-inference.CustomMetricsAdapter");
const CONSUMER = Symbol.for("cdktf-gpu-inference.PodsMetricConsumer");

/** An HPA that scales on a Pods metric. */
export interface PodsMetricConsumer {
  /** Namespace/name of the HPA, for messages. */
  readonly hpa: string;
  readonly metricName: string;
}

interface Registered {
  [ADAPTER]?: () => readonly string[];
  [CONSUMER]?: PodsMetricConsumer;
}

/** Marks a construct as a custom metrics adapter; `served` lists its rules' metric names at synth. */
export function registerCustomMetricsAdapter(construct: IConstruct, served: () => readonly string[]): void {
  (construct as Registered)[ADAPTER] = served;
}

/** Marks a construct as rendering an HPA on a Pods metric and adds the agreement check to it. */
export function registerPodsMetricConsumer(construct: IConstruct, consumer: PodsMetricConsumer): void {
  (construct as Registered)[CONSUMER] = consumer;
  construct.node.addValidation({ validate: () => podsMetricErrors(construct, consumer) });
}

export function podsMetricErrors(construct: IConstruct, consumer: PodsMetricConsumer): string[] {
  const adapters = construct.node.root.node
    .findAll()
    .map((c) => (c as Registered)[ADAPTER])
    .filter((served): served is () => readonly string[] => served !== undefined);
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
