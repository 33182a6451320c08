export * from "./inference-service";
export * from "./model-volume";
export * from "./prometheus-adapter";
