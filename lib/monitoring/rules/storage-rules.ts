import { IConstruct } from "constructs";
import { DEFAULT_MONITORING_NAMESPACE, DEFAULT_MONITORING_RELEASE } from "../../contracts/monitoring-labels";
import { PlatformConfigError } from "../../core/errors";
import { checkDns1123Label, checkIntRange } from "../../core/validate";
import { thanosSidecarDiscoveryService } from "../thanos-sidecar";
import { checkPercent, checkPositive, checkWindow } from "./private/checks";
import { eq, num, series } from "./private/queries";
import { alertRule } from "./private/rule-builders";
import { Rule, RuleGroup } from "./rule-types";
import { THANOS_METRICS as M, THANOS_QUERY_HANDLERS, THANOS_STORE_TYPES } from "./thanos-metrics";

/** Scrape jobs of the Thanos components: Prometheus names a ServiceMonitor's job after the Service. */
export interface ThanosJobs {
  /** kube-prometheus-stack's `<fullname>-thanos-discovery` Service. */
  readonly sidecar: string;
  readonly query: string;
  readonly storeGateway: string;
  readonly compactor: string;
}

export interface StorageRuleOptions {
  /** Namespace of Prometheus and the Thanos components. @default "monitoring" */
  readonly namespace?: string;
  /** @default - the names the Thanos construct gives its Services, and the sidecar Service of the default release */
  readonly jobs?: ThanosJobs;
  /** Sidecars Query must reach: the Prometheus replicas. @default 2 */
  readonly sidecarEndpoints?: number;
  /** Store gateways Query must reach. @default 1 */
  readonly storeGatewayEndpoints?: number;
  /** A sidecar that has uploaded no block for this long alerts (Prometheus cuts a block every 2h). @default "4h" */
  readonly noUploadFor?: string;
  /** Share of failed compactions or bucket operations, in percent, that warns. @default 5 */
  readonly failurePercent?: number;
  /** 99th percentile of instant queries, in seconds, that pages. @default 40 */
  readonly queryLatencySeconds?: number;
}

export const DEFAULT_THANOS_JOBS: ThanosJobs = {
  sidecar: thanosSidecarDiscoveryService(DEFAULT_MONITORING_RELEASE),
  query: "thanos-query",
  storeGateway: "thanos-store",
  compactor: "thanos-compact",
};

/**
 * Where the Thanos components are scraped and how many endpoints Query must reach: what the
 * storage pack and the long-term storage dashboard select on.
 */
export interface ThanosTargets {
  readonly namespace: string;
  readonly jobs: ThanosJobs;
  readonly sidecarEndpoints: number;
  readonly storeGatewayEndpoints: number;
}

/** The storage options with their defaults, resolved once for the rules and the dashboard. */
export function thanosTargets(options: StorageRuleOptions = {}): ThanosTargets {
  return {
    namespace: options.namespace ?? DEFAULT_MONITORING_NAMESPACE,
    jobs: options.jobs ?? DEFAULT_THANOS_JOBS,
    sidecarEndpoints: options.sidecarEndpoints ?? 2,
    storeGatewayEndpoints: options.storeGatewayEndpoints ?? 1,
  };
}

/**
 * The storage path: sidecar to bucket, compactor, store gateway, Query. Alerts keep the names of
 * the Thanos mixin where the condition is the same (ThanosSidecarBucketOperationsFailed,
 * ThanosCompactHalted, ...), so users who know the mixin find them; ThanosSidecarNoUpload and
 * ThanosQueryEndpointsMissing have no mixin equivalent. Selectors name the exact jobs.
 */
export function storageRuleGroups(scope: IConstruct | string, options: StorageRuleOptions = {}): RuleGroup[] {
  const { namespace: ns, jobs, sidecarEndpoints: sidecars, storeGatewayEndpoints: stores } = thanosTargets(options);
  const noUploadFor = options.noUploadFor ?? "4h";
  const failurePercent = options.failurePercent ?? 5;
  const latency = options.queryLatencySeconds ?? 40;
  checkDns1123Label(scope, "storage.namespace", ns);
  for (const [key, job] of Object.entries(jobs)) checkDns1123Label(scope, `storage.jobs.${key}`, job);
  checkIntRange(scope, "storage.sidecarEndpoints", sidecars, 1, 10);
  checkIntRange(scope, "storage.storeGatewayEndpoints", stores, 1, 10);
  const noUploadSeconds = checkWindow(scope, "storage.noUploadFor", noUploadFor);
  if (noUploadSeconds < 3 * 3600) {
    throw new PlatformConfigError(scope, "storage.noUploadFor", noUploadFor, "must be at least 3h: Prometheus cuts its first block only once its head spans 3h");
  }
  checkPercent(scope, "storage.failurePercent", failurePercent);
  checkPositive(scope, "storage.queryLatencySeconds", latency);

  const of = (job: string, metric: string, ...extra: ReturnType<typeof eq>[]) => series(metric, eq("namespace", ns), eq("job", job), ...extra);
  const failureRatio = (job: string, failures: string, total: string) =>
    `sum by (namespace, job) (rate(${of(job, failures)}[5m]))\n/\nsum by (namespace, job) (rate(${of(job, total)}[5m]))\n* 100 > ${num(failurePercent)}`;
  const connected = (storeType: string) =>
    `label_replace(\n  sum by (namespace, pod) (${of(jobs.query, M.queryStoreConnections, eq("store_type", storeType))})\n  or on (namespace, pod)\n  max by (namespace, pod) (${of(jobs.query, "up")} == 1) * 0,\n  "store_type", "${storeType}", "", ""\n)`;

  const rules: Rule[] = [
    alertRule({
      alert: "ThanosSidecarNoConnectionToStartedPrometheus",
      expr: `${of(jobs.sidecar, M.sidecarPrometheusUp)} == 0\nand on (namespace, pod)\nprometheus_tsdb_data_replay_duration_seconds != 0`,
      for: "5m",
      severity: "critical",
      summary: "A Thanos sidecar cannot reach its Prometheus: no blocks ship, Query misses recent data.",
      description: "Thanos sidecar {{ $labels.namespace }}/{{ $labels.pod }} reports Prometheus up = {{ $value }} although Prometheus has started. Check the sidecar's logs and the Prometheus container.",
    }),
    alertRule({
      alert: "ThanosSidecarBucketOperationsFailed",
      expr: `sum by (namespace, pod) (rate(${of(jobs.sidecar, M.bucketOperationFailures)}[5m])) > 0`,
      for: "5m",
      severity: "critical",
      summary: "A Thanos sidecar's bucket operations fail: blocks are not reaching long-term storage.",
      description: "Thanos sidecar {{ $labels.namespace }}/{{ $labels.pod }} fails {{ printf \"%.2f\" $value }} bucket operations per second. Check the bucket, its KMS key and the IRSA role of Prometheus' service account.",
    }),
    alertRule({
      alert: "ThanosSidecarNoUpload",
      // Only for sidecars older than the window: a new Prometheus cuts its first block after 3h.
      expr: `sum by (namespace, pod) (increase(${of(jobs.sidecar, M.shipperUploads)}[${noUploadFor}])) == 0\nand on (namespace, pod)\n(time() - max by (namespace, pod) (${of(jobs.sidecar, "process_start_time_seconds")})) > ${noUploadSeconds}`,
      for: "15m",
      severity: "warning",
      summary: `A Thanos sidecar has uploaded no block for ${noUploadFor}.`,
      description: `Thanos sidecar {{ $labels.namespace }}/{{ $labels.pod }} uploaded {{ $value }} blocks in the last ${noUploadFor}: long-term metrics stop at Prometheus' local retention. Check the sidecar logs and ThanosSidecarBucketOperationsFailed.`,
    }),
    alertRule({
      alert: "ThanosCompactHalted",
      expr: `${of(jobs.compactor, M.compactHalted)} == 1`,
      for: "5m",
      severity: "warning",
      summary: "The Thanos compactor has halted: no compaction, downsampling or retention until it is fixed.",
      description: "Thanos compactor {{ $labels.namespace }}/{{ $labels.pod }} halted (thanos_compact_halted = {{ $value }}), usually on overlapping or corrupt blocks. Read its logs; the bucket grows until it runs again.",
    }),
    alertRule({
      alert: "ThanosCompactIsDown",
      expr: `absent(${of(jobs.compactor, "up")} == 1)`,
      for: "5m",
      severity: "critical",
      // absent() of a comparison keeps no labels: without these the page would say neither where
      // nor what, and namespace-scoped routes and silences would not match it.
      labels: { namespace: ns, job: jobs.compactor },
      summary: "The Thanos compactor is down or not scraped.",
      description: `No target of job ${jobs.compactor} in ${ns} has been up for 5m (absent = {{ $value }}): blocks are neither compacted, downsampled nor deleted.`,
    }),
    alertRule({
      alert: "ThanosCompactHasNotRun",
      expr: `(time() - max by (namespace, job) (max_over_time(${of(jobs.compactor, M.bucketLastSuccessfulUpload)}[24h]))) / 60 / 60 > 24`,
      severity: "warning",
      summary: "The Thanos compactor has not uploaded anything for 24 hours.",
      description: "Thanos compactor {{ $labels.namespace }}/{{ $labels.job }} last uploaded a block {{ $value | humanize }} hours ago: compaction or downsampling is stuck.",
    }),
    alertRule({
      alert: "ThanosCompactHighCompactionFailures",
      expr: failureRatio(jobs.compactor, M.compactGroupCompactionFailures, M.compactGroupCompactions),
      for: "15m",
      severity: "warning",
      summary: `More than ${num(failurePercent)}% of the Thanos compactor's compactions fail.`,
      description: "Thanos compactor {{ $labels.namespace }}/{{ $labels.job }} fails {{ $value | humanize }}% of its compactions.",
    }),
    alertRule({
      alert: "ThanosCompactBucketHighOperationFailures",
      expr: failureRatio(jobs.compactor, M.bucketOperationFailures, M.bucketOperations),
      for: "15m",
      severity: "warning",
      summary: `More than ${num(failurePercent)}% of the Thanos compactor's bucket operations fail.`,
      description: "Thanos compactor {{ $labels.namespace }}/{{ $labels.job }} fails {{ $value | humanize }}% of its bucket operations. Check the bucket, its KMS key and the compactor's IRSA role.",
    }),
    alertRule({
      alert: "ThanosStoreBucketHighOperationFailures",
      expr: failureRatio(jobs.storeGateway, M.bucketOperationFailures, M.bucketOperations),
      for: "15m",
      severity: "warning",
      summary: `More than ${num(failurePercent)}% of the Thanos store gateway's bucket operations fail: long-range queries miss data.`,
      description: "Thanos store gateway {{ $labels.namespace }}/{{ $labels.job }} fails {{ $value | humanize }}% of its bucket operations. Check the bucket, its KMS key and the store gateway's IRSA role.",
    }),
    alertRule({
      alert: "ThanosQueryEndpointsMissing",
      expr: `${connected(THANOS_STORE_TYPES.sidecar)} < ${sidecars}\nor\n${connected(THANOS_STORE_TYPES.storeGateway)} < ${stores}`,
      for: "10m",
      severity: "warning",
      summary: "Thanos Query has lost endpoints: answers may miss recent or historical data.",
      description: `Thanos Query {{ $labels.namespace }}/{{ $labels.pod }} is connected to {{ $value }} endpoints of type {{ $labels.store_type }} (expected ${sidecars} sidecars and ${stores} store gateways).`,
    }),
    alertRule({
      alert: "ThanosQueryInstantLatencyHigh",
      expr: `histogram_quantile(0.99, sum by (namespace, job, le) (rate(${of(jobs.query, `${M.httpRequestDuration}_bucket`, eq("handler", THANOS_QUERY_HANDLERS.instant))}[5m]))) > ${num(latency)}\nand\nsum by (namespace, job) (rate(${of(jobs.query, `${M.httpRequestDuration}_count`, eq("handler", THANOS_QUERY_HANDLERS.instant))}[5m])) > 0`,
      for: "10m",
      severity: "critical",
      summary: "Thanos Query answers instant queries slowly.",
      description: `The 99th percentile of instant queries on {{ $labels.namespace }}/{{ $labels.job }} is {{ $value | humanizeDuration }}, above ${num(latency)}s.`,
    }),
  ];
  return [{ name: "thanos", rules }];
}
