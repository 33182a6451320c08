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
 * The fixture the promtool tests are written against: two pools, g6-spot running vLLM that
 * preallocates 90% of GPU memory (raised thresholds, no leak prediction), g5-ondemand with a
 * power threshold.
 */
export const FIXTURE_OPTIONS: PlatformRulesOptions = {
  services: [INFERENCE_SERVER],
  gpuPools: [{ poolName: "g5-ondemand" }, { poolName: "g6-spot" }],
  gpu: {
    pools: [
      { poolName: "g6-spot", preallocatedPercent: 90, memoryWarningPercent: 95, memoryCriticalPercent: 98 },
      { poolName: "g5-ondemand", powerWarningWatts: 280 },
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
