import { DEFAULT_METRIC_CONTRACT, MetricContract } from "../../../lib/contracts/metric-contract";
import { MetricContracts } from "../../../lib/contracts/presets";
import { MonitoredService } from "../../../lib/contracts/monitoring-catalog";
import { PlatformRulesOptions } from "../../../lib/monitoring/rules";

/** The default-contract service of the promtool suite: every optional alert of the pack is on. */
export const INFERENCE_SERVER: MonitoredService = {
  selector: { namespace: "inference", service: "inference-server" },
  contract: DEFAULT_METRIC_CONTRACT,
  deployment: "inference-server",
  hpa: "inference-server",
  team: "ml-serving",
  slos: { availability: 0.995, latency: { objective: 0.99, thresholdSeconds: 1 } },
};

/**
 * A talking-head pipeline whose counter has no outcome label (no error alerts), with a slow
 * latency objective the latency alerts follow, and its own gauges with thresholds.
 */
export const TALKING_HEAD: MonitoredService = {
  selector: { namespace: "avatar", service: "talking-head" },
  contract: MetricContracts.prometheusClient({
    requestCounter: "linly_talker_request_total",
    latencyHistogram: "linly_talker_latency_seconds",
    latencyBuckets: [0.5, 1, 2, 5, 10, 20, 30, 60],
    stageLabel: "module",
  }),
  deployment: "talking-head",
  slos: { latency: { objective: 0.9, thresholdSeconds: 10 } },
  domainMetrics: [
    { metric: "linly_talker_gpu_memory_used_bytes", kind: "gauge", title: "GPU memory used by the pipeline", unit: "bytes", warning: 20e9, critical: 23e9, criticalFor: "1m" },
    { metric: "linly_talker_active_tasks", kind: "gauge", title: "Active tasks", warning: 8 },
  ],
};

/** A face-swap fleet counting failures in a separate counter, with an absolute error-rate floor. */
export const FACE_SWAP_FLEET: MonitoredService = {
  selector: { namespace: "inference", service: "face-swap-fleet" },
  contract: MetricContracts.prometheusClient({
    requestCounter: "facefusion_requests_total",
    errorCounter: "facefusion_request_errors_total",
    latencyHistogram: "facefusion_request_duration_seconds",
  }),
  deployment: "face-swap-fleet",
  hpa: "face-swap-fleet",
  alerting: { p90Latency: { seconds: 15 }, slowUnderLoad: { p95Seconds: 30, minQps: 2 }, errorRatePerSecond: 0.1 },
};

/**
 * The fixture the promtool tests are written against: two pools, g6-spot running vLLM that
 * preallocates 90% of GPU memory (raised thresholds, no leak prediction), g5-ondemand with a
 * power threshold.
 */
export const FIXTURE_OPTIONS: PlatformRulesOptions = {
  services: [INFERENCE_SERVER, TALKING_HEAD, FACE_SWAP_FLEET],
  gpuPools: [{ poolName: "g5-ondemand" }, { poolName: "g6-spot" }],
  gpu: {
    pools: [
      { poolName: "g6-spot", preallocatedPercent: 90, memoryWarningPercent: 95, memoryCriticalPercent: 98 },
      { poolName: "g5-ondemand", powerWarningWatts: 280, memoryCriticalFor: "1m" },
    ],
  },
  scrapeInterval: "15s",
  // Thanos with the default jobs and namespace: the "thanos" group (storage.test.yaml).
  storage: {},
};

/** The repository's presets, as users pick them. */
export const FASTAPI_CONTRACT: MetricContract = MetricContracts.fastapiInstrumentator();
export const TRITON_CONTRACT: MetricContract = MetricContracts.triton();
export const VLLM_CONTRACT: MetricContract = MetricContracts.vllm();
/** A talking-head pipeline instrumented by hand, with the stage in a `module` label. */
export const PIPELINE_CONTRACT: MetricContract = MetricContracts.prometheusClient({
  requestCounter: "pipeline_requests_total",
  statusLabel: "status",
  errorValues: ["error", "timeout"],
  latencyHistogram: "pipeline_latency_seconds",
  stageLabel: "module",
});
