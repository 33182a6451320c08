import * as units from "@grafana/grafana-foundation-sdk/units";
import { SeriesMatcher } from "../../contracts/metric-contract";
import { DCGM_METRICS as D } from "../rules/dcgm-metrics";
import { GPU_MEMORY_RATIO_RECORD } from "../rules/gpu-rules";
import { KSM_POOL_LABEL, POOL_LABEL } from "../rules";
import { nodePools } from "../rules/private/queries";
import {
  clusterMatcher,
  clusterVariable,
  DashboardContext,
  finishDashboard,
  GrafanaDashboard,
  heatmapPanel,
  labelVariable,
  newDashboard,
  row,
  selector,
  statPanel,
  tablePanel,
  timeseriesPanel,
  variableMatcher,
} from "./common";

export const GPU_FLEET_DASHBOARD_UID = "gpu-fleet";

/** Extended resource name of GPUs as kube-state-metrics writes it (`nvidia.com/gpu` with "_" for "." and "/"). */
const KSM_GPU_RESOURCE = "nvidia_com_gpu";

/** How long a GPU held by a pod must stay at 0% to count as idle. */
const IDLE_WINDOW = "30m";

const VARS = { pool: "pool", node: "node", model: "gpu_model", namespace: "namespace" } as const;

/**
 * The GPU fleet: utilisation, memory (per GPU, per pod, as a heatmap), temperature, power, XID
 * events, allocatable against requested GPUs per pool, and idle GPUs (held by a pod but unused:
 * money burnt). DCGM series are filtered by node (chained to the pool variable) and GPU model.
 */
export function gpuFleetDashboard(ctx: DashboardContext): GrafanaDashboard {
  const cluster = clusterMatcher(ctx);
  const gpu: SeriesMatcher[] = [cluster, variableMatcher("Hostname", VARS.node), variableMatcher("modelName", VARS.model)];
  const dcgm = (metric: string) => selector(metric, gpu);
  const gpuResource: SeriesMatcher = { label: "resource", op: "=", value: KSM_GPU_RESOURCE };
  const poolMatcher = variableMatcher(KSM_POOL_LABEL, VARS.pool);
  // Pods that request GPUs and are not finished: the only pods a GPU can be "allocated" to.
  const gpuPods =
    `max by (namespace, pod) (${selector("kube_pod_container_resource_requests", [cluster, gpuResource, variableMatcher("namespace", VARS.namespace)])}) > 0\n` +
    `and on (namespace, pod) max by (namespace, pod) (${selector("kube_pod_status_phase", [cluster, { label: "phase", op: "=~", value: "Pending|Running" }])} == 1)`;
  const perPod = (metric: string, agg: "sum" | "avg") => `${agg} by (namespace, pod) (\n${dcgm(metric)}\nand on (namespace, pod) (\n${gpuPods}\n)\n)`;
  // Joined on the cluster too: node names repeat across clusters read together through Thanos.
  const inPool = (metric: string) =>
    `sum by (${POOL_LABEL}) (\n${metric}\n* on (${ctx.clusterLabel}, node) group_left (${POOL_LABEL})\n${nodePools("node", poolMatcher, cluster)}\n)`;
  const perGpu = "{{Hostname}} GPU {{gpu}}";

  const d = newDashboard({
    uid: GPU_FLEET_DASHBOARD_UID,
    title: "GPU fleet",
    description: "Every GPU of the cluster from the DCGM exporter, with pool capacity from kube-state-metrics.",
    variables: [
      clusterVariable(ctx),
      labelVariable(ctx, { name: VARS.pool, label: "Pool", series: selector("kube_node_labels", [cluster]), valuesOf: KSM_POOL_LABEL, allValue: ".*" }),
      labelVariable(ctx, { name: VARS.node, label: "Node", series: selector("kube_node_labels", [cluster, poolMatcher]), valuesOf: "node" }),
      labelVariable(ctx, { name: VARS.model, label: "GPU model", series: selector(D.gpuTemp, [cluster, variableMatcher("Hostname", VARS.node)]), valuesOf: "modelName" }),
      labelVariable(ctx, {
        name: VARS.namespace,
        label: "Namespace",
        series: selector("kube_pod_container_resource_requests", [cluster, gpuResource]),
        valuesOf: "namespace",
        allValue: ".*",
      }),
    ],
  });

  d.withRow(row("Capacity"))
    .withPanel(
      timeseriesPanel(ctx, {
        title: "GPUs allocatable vs requested per pool",
        description: "Allocatable: GPUs the device plugin offers on the pool's nodes. Requested: GPUs of pending and running pods on them.",
        queries: [
          { expr: inPool(selector("kube_node_status_allocatable", [cluster, gpuResource])), legend: "{{pool}} allocatable" },
          {
            expr: inPool(
              `sum by (${ctx.clusterLabel}, node) (${selector("kube_pod_container_resource_requests", [cluster, gpuResource])}\nand on (${ctx.clusterLabel}, namespace, pod) (${selector("kube_pod_status_phase", [cluster, { label: "phase", op: "=~", value: "Pending|Running" }])} == 1))`,
            ),
            legend: "{{pool}} requested",
          },
        ],
        unit: units.Short,
        min: 0,
      }),
    )
    .withPanel(
      statPanel(ctx, {
        title: "Idle GPUs",
        description: `GPUs held by a pod that stayed at 0% utilisation over the last ${IDLE_WINDOW}: paid for, serving nothing.`,
        queries: [{ expr: `count(\nmax_over_time(${dcgm(D.gpuUtil)}[${IDLE_WINDOW}]) == 0\nand on (namespace, pod) (\n${gpuPods}\n)\n) or vector(0)`, instant: true }],
        thresholds: ["green", [1, "orange"]],
        width: 4,
      }),
    )
    .withPanel(
      tablePanel(ctx, {
        title: "Idle GPUs by pod",
        queries: [
          {
            expr: `max by (namespace, pod, Hostname, gpu, modelName) (\nmax_over_time(${dcgm(D.gpuUtil)}[${IDLE_WINDOW}]) == 0\nand on (namespace, pod) (\n${gpuPods}\n)\n)`,
            instant: true,
            format: "table",
          },
        ],
        width: 8,
      }),
    );

  d.withRow(row("Utilisation"))
    .withPanel(timeseriesPanel(ctx, { title: "GPU utilisation per GPU", queries: [{ expr: dcgm(D.gpuUtil), legend: perGpu }], unit: units.Percent, min: 0, max: 100 }))
    .withPanel(
      timeseriesPanel(ctx, { title: "GPU utilisation per pod", queries: [{ expr: perPod(D.gpuUtil, "avg"), legend: "{{namespace}}/{{pod}}" }], unit: units.Percent, min: 0, max: 100 }),
    );

  d.withRow(row("Memory"))
    .withPanel(timeseriesPanel(ctx, { title: "GPU memory used per GPU", queries: [{ expr: dcgm(D.fbUsed), legend: perGpu }], unit: units.Mebibytes, min: 0, width: 8 }))
    .withPanel(
      timeseriesPanel(ctx, {
        title: "GPU memory ratio per GPU",
        description: "Used / (used + free), from the recording rule the memory alerts read.",
        queries: [{ expr: selector(GPU_MEMORY_RATIO_RECORD, gpu), legend: perGpu }],
        unit: units.PercentUnit,
        min: 0,
        max: 1,
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, { title: "GPU memory used per pod", queries: [{ expr: perPod(D.fbUsed, "sum"), legend: "{{namespace}}/{{pod}}" }], unit: units.Mebibytes, min: 0, width: 8 }),
    )
    .withPanel(
      heatmapPanel(ctx, {
        title: "GPU memory heatmap",
        description: "How many GPUs sit at each memory ratio over time: a band creeping up is a fleet-wide leak.",
        queries: [{ expr: selector(GPU_MEMORY_RATIO_RECORD, gpu), legend: perGpu }],
        yUnit: units.PercentUnit,
        unit: units.Short,
        buckets: false,
        width: 24,
      }),
    );

  d.withRow(row("Health"))
    .withPanel(timeseriesPanel(ctx, { title: "GPU temperature", queries: [{ expr: dcgm(D.gpuTemp), legend: perGpu }], unit: units.Celsius, width: 8 }))
    .withPanel(timeseriesPanel(ctx, { title: "GPU power", queries: [{ expr: dcgm(D.powerUsage), legend: perGpu }], unit: units.Watt, min: 0, width: 8 }))
    .withPanel(
      timeseriesPanel(ctx, {
        title: "XID events",
        description: "The code of the last XID error each GPU reported (DCGM keeps the last code, not a count); 0 is none.",
        queries: [{ expr: `${dcgm(D.xidErrors)} != 0`, legend: perGpu }],
        unit: units.Short,
        points: true,
        width: 8,
      }),
    );
  return finishDashboard(d);
}
