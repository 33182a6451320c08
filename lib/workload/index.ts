export * from "./inference-service";
export * from "./model-volume";
