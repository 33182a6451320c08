import { BASELINE, Scenario } from "./scenario";

/**
 * The detection budgets of the default rule packs, one scenario per row: on the default app
 * (15 s scrape and evaluation), from the incident's onset to the first alert of the severity
 * named. Quiet rows must raise no critical alert at all. Every trace starts healthy (BASELINE: a
 * model server on three GPUs at 6 req/s, P95 0.6 s, GPU memory 62 %, 64 °C). Request scenarios
 * have an hour of healthy traffic before the onset, so the SLO alerts' 1h window holds a real
 * hour (longer SLO windows see only what the trace holds, which overstates a burst in them: the
 * conservative side for quiet rows); GPU scenarios 20 minutes. Traces end a few `for` durations
 * after the budget: promtool evaluates every rule at every 15 s step, so trace length is what the
 * suite's run time grows with.
 */
export const DEFAULT_SCENARIOS: readonly Scenario[] = [
  {
    name: "GPU memory jumps to 99% and stays",
    duration: "30m",
    onset: "20m",
    signals: { gpuMemoryUsed: [{ at: "20m", value: 0.99 }] },
    expect: [{ kind: "fires", severity: "critical", within: "2m" }],
  },
  {
    // 62% to full in 3h: about 0.2 points a minute.
    name: "GPU memory leaks at a steady rate (hours to exhaustion)",
    duration: "3h20m",
    onset: "20m",
    signals: { gpuMemoryUsed: [{ at: "20m", value: BASELINE.gpuMemoryUsed }, { at: "3h20m", value: 1, ramp: true }] },
    expect: [
      { kind: "leadTime", severity: "critical", limitAt: "3h20m", atLeast: "30m" },
      { kind: "leadTime", severity: "warning", limitAt: "3h20m", atLeast: "1h30m" },
    ],
  },
  {
    name: "GPU memory leaks fast (exhaustion within about half an hour)",
    duration: "55m",
    onset: "20m",
    signals: { gpuMemoryUsed: [{ at: "20m", value: 0.6 }, { at: "50m", value: 1, ramp: true }] },
    expect: [{ kind: "leadTime", severity: "critical", limitAt: "50m", atLeast: "10m" }],
  },
  {
    // vLLM-style: the CUDA context, then the weights and KV cache allocated within a minute.
    name: "a model server preallocates about 90% of GPU memory and stays flat",
    duration: "1h15m",
    onset: "10m",
    signals: { gpuMemoryUsed: [{ at: "0s", value: 0.02 }, { at: "10m", value: 0.02 }, { at: "11m", value: 0.93, ramp: true }] },
    expect: [{ kind: "quiet", severity: "critical" }],
  },
  {
    name: "20% of requests fail, sustained",
    duration: "1h10m",
    onset: "1h",
    signals: { errorRatio: [{ at: "1h", value: 0.2 }] },
    expect: [{ kind: "fires", severity: "critical", within: "5m" }],
  },
  {
    name: "a 90-second burst of errors, then healthy",
    duration: "1h30m",
    onset: "1h",
    signals: { errorRatio: [{ at: "1h", value: 1 }, { at: "1h1m30s", value: BASELINE.errorRatio }] },
    expect: [{ kind: "quiet", severity: "critical" }],
  },
  {
    name: "P95 latency rises several-fold at normal traffic",
    duration: "1h15m",
    onset: "1h",
    signals: { latencyMedian: [{ at: "1h", value: 1.2 }], latencyP95: [{ at: "1h", value: 3 }] },
    expect: [{ kind: "fires", severity: "critical", within: "10m" }],
  },
  {
    // 3 requests a minute, P95 1.4 s against the 1 s latency objective.
    name: "a service with a few requests a minute, somewhat slow",
    duration: "1h45m",
    onset: "1h",
    signals: { requestRate: 0.05, latencyMedian: [{ at: "1h", value: 0.6 }], latencyP95: [{ at: "1h", value: 1.4 }] },
    expect: [{ kind: "quiet", severity: "critical" }],
  },
  {
    name: "a model server's scrape target goes down",
    duration: "30m",
    onset: "20m",
    signals: { podsUp: [{ at: "20m", value: 2 }] },
    expect: [{ kind: "fires", severity: "warning", within: "3m" }],
  },
  {
    // XID 79: the GPU has fallen off the bus.
    name: "XID error needing a reset",
    duration: "30m",
    onset: "20m",
    signals: { gpuXid: [{ at: "20m", value: 79 }] },
    expect: [{ kind: "fires", severity: "critical", within: "2m" }],
  },
  {
    name: "GPU at 93 °C",
    duration: "35m",
    onset: "20m",
    signals: { gpuTemperature: [{ at: "20m", value: 93 }] },
    expect: [{ kind: "fires", severity: "warning", within: "10m" }],
  },
  {
    name: "traffic drops to zero while replicas are up",
    duration: "1h15m",
    onset: "1h",
    signals: { requestRate: [{ at: "1h", value: 0 }] },
    expect: [{ kind: "fires", severity: "warning", within: "10m" }],
  },
  {
    name: "DCGM exporter dies on a GPU node",
    duration: "35m",
    onset: "20m",
    signals: { dcgmExporterUp: [{ at: "20m", value: 0 }] },
    expect: [{ kind: "fires", severity: "warning", within: "10m" }],
  },
  {
    // Traffic follows the day; short blips an on-call engineer should not be woken for: 30 s of
    // 30% errors, 2 minutes of slow requests, a 3-minute heat spike, a pod restart, the allocator
    // growing in steps, a short queue.
    name: "a healthy six-hour day with short blips",
    duration: "6h",
    onset: "0s",
    signals: {
      requestRate: [
        { at: "0s", value: 3 },
        { at: "3h", value: 9, ramp: true },
        { at: "6h", value: 4, ramp: true },
      ],
      errorRatio: [
        { at: "2h", value: 0.3 },
        { at: "2h0m30s", value: BASELINE.errorRatio },
      ],
      latencyMedian: [
        { at: "3h", value: 1.5 },
        { at: "3h2m", value: BASELINE.latencyMedian },
      ],
      latencyP95: [
        { at: "3h", value: 4 },
        { at: "3h2m", value: BASELINE.latencyP95 },
      ],
      gpuTemperature: [
        { at: "4h", value: 86 },
        { at: "4h3m", value: BASELINE.gpuTemperature },
      ],
      podsUp: [
        { at: "5h", value: 2 },
        { at: "5h0m45s", value: 3 },
      ],
      gpuMemoryUsed: [
        { at: "1h30m", value: 0.66 },
        { at: "3h30m", value: 0.7 },
        { at: "4h30m", value: 0.72 },
      ],
      queueDepth: [
        { at: "3h", value: 25 },
        { at: "3h4m", value: BASELINE.queueDepth },
      ],
    },
    expect: [{ kind: "quiet", severity: "critical" }],
  },
];
