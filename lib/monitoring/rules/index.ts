// Alert and recording rules as typed data: packs, validation, runbook links and rendering.
export * from "./rule-types";
export * from "./rule-validation";
export * from "./runbook-links";
export * from "./dcgm-metrics";
export * from "./gpu-rules";
export * from "./inference-rules";
export * from "./slo-rules";
export * from "./platform-rules";
export * from "./storage-rules";
export * from "./thanos-metrics";
export * from "./render-rule-files";
export * from "./build-platform-rules";
export { KSM_NODE_LABELS_ALLOWLIST, KSM_POOL_LABEL, POOL_LABEL } from "./private/queries";
