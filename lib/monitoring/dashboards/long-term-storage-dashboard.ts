import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as units from "@grafana/grafana-foundation-sdk/units";
import { SeriesMatcher } from "../../contracts/metric-contract";
import { eq, num, oneOf } from "../rules/private/queries";
import { ThanosTargets } from "../rules/storage-rules";
import { THANOS_DELETION_MARKER, THANOS_METRICS as M, THANOS_QUERY_HANDLERS, THANOS_STORE_TYPES } from "../rules/thanos-metrics";
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
  statusLightsPanel,
  timeseriesPanel,
} from "./common";

export const LONG_TERM_STORAGE_DASHBOARD_UID = "long-term-storage";

/** Counts of rare events (blocks, iterations) read per hour: a 2h block cadence shows as 0.5/h. */
const PER_HOUR = "1h";

/** Prometheus cuts a block every 2h: an upload older than this means one was missed. */
const LATE_UPLOAD_SECONDS = 3 * 3600;

/** The compactor's loop runs every `--wait-interval` (5m): its last success is found to that step. */
const COMPACTOR_STEP = "5m";

/**
 * Thanos as its operators watch it: the sidecars shipping blocks (per Prometheus replica, the
 * sidecar's pod), the compactor's progress (compactions, downsampling, retention deletions, halts,
 * time since its last successful run), the store gateway (bucket operations, blocks and series
 * per request, latency) and Query (endpoints connected against those expected, instant and range
 * latency, errors). Every selector names the exact scrape job of the component, from the same
 * targets the storage rule pack reads.
 */
export function longTermStorageDashboard(ctx: DashboardContext, targets: ThanosTargets): GrafanaDashboard {
  const { jobs } = targets;
  const cluster = clusterMatcher(ctx);
  const of = (job: string, metric: string, ...extra: SeriesMatcher[]) => selector(metric, [eq("namespace", targets.namespace), eq("job", job), cluster, ...extra]);
  const sum = (by: readonly string[]) => (by.length ? `sum by (${by.join(", ")}) ` : "sum");
  const perHour = (job: string, metric: string, by: readonly string[], ...extra: SeriesMatcher[]) => `${sum(by)}(increase(${of(job, metric, ...extra)}[${PER_HOUR}]))`;
  const rate = (job: string, metric: string, by: readonly string[], ...extra: SeriesMatcher[]) => `${sum(by)}(rate(${of(job, metric, ...extra)}[$__rate_interval]))`;
  const quantile = (q: number, job: string, histogram: string, ...extra: SeriesMatcher[]) =>
    `histogram_quantile(${num(q)}, ${sum(["le"])}(rate(${of(job, `${histogram}_bucket`, ...extra)}[$__rate_interval])))`;
  const queryHandlers = oneOf("handler", [THANOS_QUERY_HANDLERS.instant, THANOS_QUERY_HANDLERS.range]);
  // A Query pod with no connection of a type has no series for it: count it as 0 while the pod is up.
  const connected = (storeType: string) =>
    `min(\nsum by (pod) (${of(jobs.query, M.queryStoreConnections, eq("store_type", storeType))})\nor\nsum by (pod) (${of(jobs.query, "up")} == 1) * 0\n)`;

  const d = newDashboard({
    uid: LONG_TERM_STORAGE_DASHBOARD_UID,
    title: "Long-term storage (Thanos)",
    description: "Thanos sidecar uploads, compactor progress, store gateway and Query health.",
    variables: [clusterVariable(ctx)],
  });

  d.withRow(row("Components")).withPanel(
    statusLightsPanel(ctx, {
      title: "Thanos scrape targets",
      queries: [{ expr: selector("up", [eq("namespace", targets.namespace), oneOf("job", Object.values(jobs)), cluster]), legend: "{{job}} {{pod}}", instant: true }],
      width: 24,
      height: 4,
    }),
  );

  d.withRow(row("Sidecar uploads (per Prometheus replica)"))
    .withPanel(
      timeseriesPanel(ctx, {
        title: "Blocks uploaded per hour",
        description: "Prometheus cuts a block every 2 hours; each sidecar ships its own replica's blocks.",
        queries: [{ expr: perHour(jobs.sidecar, M.shipperUploads, ["pod"]), legend: "{{pod}}" }],
        unit: units.Short,
        min: 0,
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: "Upload failures per hour",
        description: "Failed block uploads (retried on the next sync) and failed bucket operations, per sidecar. ThanosSidecarBucketOperationsFailed pages on the latter.",
        queries: [
          { expr: perHour(jobs.sidecar, M.shipperUploadFailures, ["pod"]), legend: "{{pod}} uploads" },
          { expr: perHour(jobs.sidecar, M.bucketOperationFailures, ["pod", "operation"]), legend: "{{pod}} {{operation}}" },
        ],
        unit: units.Short,
        min: 0,
        width: 8,
      }),
    )
    .withPanel(
      statPanel(ctx, {
        title: "Time since last upload",
        description: "Per sidecar, since its last successful upload to the bucket. ThanosSidecarNoUpload warns when a sidecar ships nothing for hours.",
        queries: [{ expr: `time() - max by (pod) (${of(jobs.sidecar, M.bucketLastSuccessfulUpload)})`, legend: "{{pod}}", instant: true }],
        unit: units.Seconds,
        thresholds: ["green", [LATE_UPLOAD_SECONDS, "orange"]],
        width: 8,
      }),
    );

  d.withRow(row("Compactor"))
    .withPanel(
      statPanel(ctx, {
        title: "Compactor halted",
        description: "A halted compactor neither compacts, downsamples nor applies retention until it is fixed (ThanosCompactHalted).",
        queries: [{ expr: `max(${of(jobs.compactor, M.compactHalted)})`, instant: true }],
        thresholds: ["green", [1, "red"]],
        colorMode: "background",
        mappings: [
          { type: dashboard.MappingType.ValueToText, options: { "0": { text: "RUNNING", color: "green" }, "1": { text: "HALTED", color: "red" } } },
        ],
        width: 4,
      }),
    )
    .withPanel(
      statPanel(ctx, {
        title: "Time since last successful run",
        description: `Since the last compaction loop that completed, to ${COMPACTOR_STEP}; no data when none completed in the last day.`,
        queries: [
          {
            expr: `time() - max(max_over_time(timestamp(increase(${of(jobs.compactor, M.compactIterations)}[15m]) > 0)[1d:${COMPACTOR_STEP}]))`,
            instant: true,
          },
        ],
        unit: units.Seconds,
        thresholds: ["green", [3600, "orange"]],
        width: 4,
      }),
    )
    .withPanel(
      statPanel(ctx, {
        title: "Time since last compactor upload",
        description: "Since the compactor last uploaded a compacted or downsampled block; ThanosCompactHasNotRun warns after 24 hours.",
        queries: [{ expr: `time() - max(${of(jobs.compactor, M.bucketLastSuccessfulUpload)})`, instant: true }],
        unit: units.Seconds,
        thresholds: ["green", [12 * 3600, "orange"], [24 * 3600, "red"]],
        width: 4,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: "Iterations per hour",
        description: "Compaction loops that completed.",
        queries: [{ expr: perHour(jobs.compactor, M.compactIterations, []), legend: "iterations" }],
        unit: units.Short,
        min: 0,
        width: 12,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: "Compactions per hour",
        description: "Group compactions that produced a block, and failed ones, by resolution (0 raw, 300000 5m, 3600000 1h).",
        queries: [
          { expr: perHour(jobs.compactor, M.compactGroupCompactions, ["resolution"]), legend: "{{resolution}}" },
          { expr: perHour(jobs.compactor, M.compactGroupCompactionFailures, ["resolution"]), legend: "{{resolution}} failed" },
        ],
        unit: units.Short,
        min: 0,
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: "Downsampling per hour",
        description: "Downsampling runs and failures, by target resolution (300000 5m, 3600000 1h).",
        queries: [
          { expr: perHour(jobs.compactor, M.compactDownsamples, ["resolution"]), legend: "{{resolution}}" },
          { expr: perHour(jobs.compactor, M.compactDownsampleFailures, ["resolution"]), legend: "{{resolution}} failed" },
        ],
        unit: units.Short,
        min: 0,
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: "Retention deletions per hour",
        description: "Blocks marked for deletion (past retention, or replaced by a compacted block) and blocks deleted once the mark is older than the delete delay.",
        queries: [
          { expr: perHour(jobs.compactor, M.compactBlocksMarked, [], eq("marker", THANOS_DELETION_MARKER)), legend: "marked for deletion" },
          { expr: perHour(jobs.compactor, M.compactBlocksCleaned, []), legend: "deleted" },
          { expr: perHour(jobs.compactor, M.compactBlockCleanupFailures, []), legend: "deletion failures" },
        ],
        unit: units.Short,
        min: 0,
        width: 8,
      }),
    );

  d.withRow(row("Store gateway"))
    .withPanel(
      statPanel(ctx, {
        title: "Blocks loaded",
        description: "Blocks the store gateways serve, summed over replicas.",
        queries: [{ expr: `sum(${of(jobs.storeGateway, M.storeBlocksLoaded)})`, instant: true }],
        unit: units.Short,
        width: 4,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: "Bucket operations",
        queries: [{ expr: rate(jobs.storeGateway, M.bucketOperations, ["operation"]), legend: "{{operation}}" }],
        unit: units.OpsPerSecond,
        min: 0,
        width: 10,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: "Bucket operation failures",
        description: "Share of bucket operations that fail, by operation (ThanosStoreBucketHighOperationFailures).",
        queries: [
          {
            expr: `${rate(jobs.storeGateway, M.bucketOperationFailures, ["operation"])}\n/\n${rate(jobs.storeGateway, M.bucketOperations, ["operation"])}`,
            legend: "{{operation}}",
          },
        ],
        unit: units.PercentUnit,
        min: 0,
        width: 10,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: "Blocks queried per request",
        queries: [
          { expr: quantile(0.5, jobs.storeGateway, M.storeSeriesBlocksQueried), legend: "P50" },
          { expr: quantile(0.99, jobs.storeGateway, M.storeSeriesBlocksQueried), legend: "P99" },
        ],
        unit: units.Short,
        min: 0,
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: "Series returned per request",
        queries: [
          { expr: quantile(0.5, jobs.storeGateway, M.storeSeriesResultSeries), legend: "P50" },
          { expr: quantile(0.99, jobs.storeGateway, M.storeSeriesResultSeries), legend: "P99" },
        ],
        unit: units.Short,
        min: 0,
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: "Series request latency",
        description: "Time to fetch and decode everything a Series request needs from the bucket and caches.",
        queries: [
          { expr: quantile(0.5, jobs.storeGateway, M.storeSeriesGetAllDuration), legend: "P50" },
          { expr: quantile(0.99, jobs.storeGateway, M.storeSeriesGetAllDuration), legend: "P99" },
        ],
        unit: units.Seconds,
        min: 0,
        width: 8,
      }),
    );

  const instant = eq("handler", THANOS_QUERY_HANDLERS.instant);
  const range = eq("handler", THANOS_QUERY_HANDLERS.range);
  d.withRow(row("Query"))
    .withPanel(
      statPanel(ctx, {
        title: "Sidecars connected",
        description: `Fewest sidecars any Query replica reaches; expected ${targets.sidecarEndpoints}, one per Prometheus replica (ThanosQueryEndpointsMissing).`,
        queries: [{ expr: connected(THANOS_STORE_TYPES.sidecar), instant: true }],
        thresholds: ["red", [targets.sidecarEndpoints, "green"]],
        colorMode: "background",
        width: 4,
      }),
    )
    .withPanel(
      statPanel(ctx, {
        title: "Store gateways connected",
        description: `Fewest store gateways any Query replica reaches; expected ${targets.storeGatewayEndpoints} (ThanosQueryEndpointsMissing).`,
        queries: [{ expr: connected(THANOS_STORE_TYPES.storeGateway), instant: true }],
        thresholds: ["red", [targets.storeGatewayEndpoints, "green"]],
        colorMode: "background",
        width: 4,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: "Endpoints connected vs expected",
        queries: [
          { expr: `sum by (pod, store_type) (${of(jobs.query, M.queryStoreConnections)})`, legend: "{{pod}} {{store_type}}" },
          { expr: `vector(${targets.sidecarEndpoints})`, legend: "expected sidecars" },
          { expr: `vector(${targets.storeGatewayEndpoints})`, legend: "expected store gateways" },
        ],
        unit: units.Short,
        min: 0,
        width: 16,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: "Query latency",
        description: "Instant and range queries through Query's HTTP API (the Query Frontend in front of it caches and splits range queries).",
        queries: [
          { expr: quantile(0.5, jobs.query, M.httpRequestDuration, instant), legend: "instant P50" },
          { expr: quantile(0.99, jobs.query, M.httpRequestDuration, instant), legend: "instant P99" },
          { expr: quantile(0.5, jobs.query, M.httpRequestDuration, range), legend: "range P50" },
          { expr: quantile(0.99, jobs.query, M.httpRequestDuration, range), legend: "range P99" },
        ],
        unit: units.Seconds,
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: "Query errors",
        description: "Share of instant and range queries answered with a 5xx.",
        queries: [
          {
            expr: `${rate(jobs.query, M.httpRequests, ["handler"], queryHandlers, { label: "code", op: "=~", value: "5.." })}\n/\n${rate(jobs.query, M.httpRequests, ["handler"], queryHandlers)}`,
            legend: "{{handler}}",
          },
        ],
        unit: units.PercentUnit,
        min: 0,
      }),
    );
  return finishDashboard(d);
}
