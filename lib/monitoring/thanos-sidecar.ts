import { ITerraformDependable } from "cdktf";
import { GrafanaDatasourceRef } from "./kube-prometheus-stack-values";

/**
 * What kube-prometheus-stack needs to run the Thanos sidecar beside each Prometheus and to make
 * Thanos Grafana's default datasource. Produced by the in-cluster Thanos construct.
 */
export interface PrometheusThanosOptions {
  /** Secret holding the objstore configuration the sidecar uploads with. */
  readonly objectStorageSecret: { readonly name: string; readonly key: string };
  /** Prometheus' service account (the sidecar shares it) and the IAM role it assumes through IRSA. */
  readonly serviceAccount: { readonly name: string; readonly roleArn: string };
  /** Grafana's datasource for Thanos: it becomes the default, Prometheus stays as a second one. */
  readonly datasource: GrafanaDatasource;
  /** Local retention once blocks are shipped. @default "7d" */
  readonly prometheusRetention?: string;
  /** What the release must wait for, such as the objstore Secret. @default - none */
  readonly dependsOn?: ITerraformDependable[];
}

/** A Grafana datasource the library provisions, with its pinned uid. */
export interface GrafanaDatasource {
  readonly ref: GrafanaDatasourceRef;
  readonly name: string;
  /** In-cluster URL, with port. */
  readonly url: string;
}

/** The chart's own name; kube-prometheus-stack names its objects `<fullname>-<component>`. */
const CHART = "kube-prometheus-stack";

/**
 * kube-prometheus-stack's fullname helper (templates/_helpers.tpl): the release name when it
 * contains the chart name, else `<release>-kube-prometheus-stack`, cut to 26 characters.
 */
export function kubePrometheusStackFullname(releaseName: string): string {
  const full = releaseName.includes(CHART) ? releaseName : `${releaseName}-${CHART}`;
  return full.slice(0, 26).replace(/-+$/, "");
}

/** The headless Service `prometheus.thanosService` creates for the sidecars' gRPC (and its scrape job). */
export function thanosSidecarDiscoveryService(releaseName: string): string {
  return `${kubePrometheusStackFullname(releaseName)}-thanos-discovery`;
}

/** Prometheus' service account as the chart names it by default. */
export function prometheusServiceAccountName(releaseName: string): string {
  return `${kubePrometheusStackFullname(releaseName)}-prometheus`;
}
