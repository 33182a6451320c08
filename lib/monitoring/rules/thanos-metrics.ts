/**
 * The Thanos metrics the storage pack and the long-term storage dashboard read (Thanos v0.42.4,
 * the pinned image; bucket metrics from thanos-io/objstore, which Thanos prefixes `thanos_`).
 * Their own labels, besides the target labels a ServiceMonitor attaches, are declared beside the
 * dashboards' other known series (dashboards/private/known-series.ts), keyed by these entries.
 */
export const THANOS_METRICS = {
  // Sidecar (shipper).
  /** Blocks the sidecar uploaded. */
  shipperUploads: "thanos_shipper_uploads_total",
  /** Block uploads that failed (the shipper retries them on its next sync). */
  shipperUploadFailures: "thanos_shipper_upload_failures_total",
  /** 1 while the sidecar reaches its Prometheus. */
  sidecarPrometheusUp: "thanos_sidecar_prometheus_up",

  // Bucket client of every component that talks to the bucket (`bucket` and `operation` labels).
  bucketOperations: "thanos_objstore_bucket_operations_total",
  bucketOperationFailures: "thanos_objstore_bucket_operation_failures_total",
  /** Histogram of successful bucket operations. */
  bucketOperationDuration: "thanos_objstore_bucket_operation_duration_seconds",
  /** Unix time of the component's last successful upload; 0 before the first. */
  bucketLastSuccessfulUpload: "thanos_objstore_bucket_last_successful_upload_time",

  // Compactor.
  /** 1 once the compactor has halted on an error it cannot retry. */
  compactHalted: "thanos_compact_halted",
  /** Compaction loops that completed (one per `--wait-interval` when nothing fails). */
  compactIterations: "thanos_compact_iterations_total",
  /** Group compactions that produced a block, by `resolution`. */
  compactGroupCompactions: "thanos_compact_group_compactions_total",
  compactGroupCompactionFailures: "thanos_compact_group_compactions_failures_total",
  /** Downsampling attempts, by target `resolution`. */
  compactDownsamples: "thanos_compact_downsample_total",
  compactDownsampleFailures: "thanos_compact_downsample_failures_total",
  /** Blocks marked, by `marker` file and `reason`: retention and compaction mark with `deletion-mark.json`. */
  compactBlocksMarked: "thanos_compact_blocks_marked_total",
  /** Blocks deleted once their deletion mark is older than `--delete-delay`. */
  compactBlocksCleaned: "thanos_compact_blocks_cleaned_total",
  compactBlockCleanupFailures: "thanos_compact_block_cleanup_failures_total",

  // Store gateway (`tenant` label).
  storeBlocksLoaded: "thanos_bucket_store_blocks_loaded",
  /** Histogram of blocks one Series request reads. */
  storeSeriesBlocksQueried: "thanos_bucket_store_series_blocks_queried",
  /** Histogram of series one Series request returns. */
  storeSeriesResultSeries: "thanos_bucket_store_series_result_series",
  /** Histogram of the time to fetch and decode everything one Series request needs. */
  storeSeriesGetAllDuration: "thanos_bucket_store_series_get_all_duration_seconds",

  // Query.
  /** Open gRPC connections to Store API endpoints, by `store_type` (and `external_labels`). */
  queryStoreConnections: "thanos_store_nodes_grpc_connections",
  /** HTTP API histogram by `handler` (`query`, `query_range`), `code` and `method`. */
  httpRequestDuration: "http_request_duration_seconds",
  httpRequests: "http_requests_total",
} as const;

/** Which Thanos metrics are classic histograms (`_bucket` with `le`, `_sum`, `_count`). */
export const THANOS_HISTOGRAMS: readonly (keyof typeof THANOS_METRICS)[] = [
  "bucketOperationDuration",
  "storeSeriesBlocksQueried",
  "storeSeriesResultSeries",
  "storeSeriesGetAllDuration",
  "httpRequestDuration",
];

/** Query's Prometheus API handlers, as the `handler` label names them. */
export const THANOS_QUERY_HANDLERS = { instant: "query", range: "query_range" } as const;

/** `store_type` of Query's endpoints: the sidecars and the store gateways. */
export const THANOS_STORE_TYPES = { sidecar: "sidecar", storeGateway: "store" } as const;

/** The `marker` of blocks marked for deletion (Thanos `metadata.DeletionMarkFilename`). */
export const THANOS_DELETION_MARKER = "deletion-mark.json";
