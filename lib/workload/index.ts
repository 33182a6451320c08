export * from "./inference-service";
export { EnvValue, KubernetesSecretEnvSource, SecretsManagerEnvOptions, SecretsManagerEnvSource } from "./env-value";
export * from "./model-volume";
export { EgressCidr, EgressNamespace, InferenceEgress, PRIVATE_RANGES } from "./egress";
