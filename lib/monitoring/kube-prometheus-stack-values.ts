import { ResourceRequirements } from "../core/kubernetes/resources";
import { NodeAffinity, Toleration } from "../core/kubernetes/scheduling";
import { AdditionalPrometheusRulesMap } from "./rules/render-rule-files";

/**
 * Values of kube-prometheus-stack 88.5.3 (and its grafana, kube-state-metrics and
 * node-exporter subcharts) that this library sets. Only those keys: a misspelt key fails to
 * compile here, and a test checks every key against the chart's own defaults.
 */

/** A Grafana datasource as dashboards refer to it. */
export interface GrafanaDatasourceRef {
  readonly uid: string;
  readonly type: "prometheus";
}

/** How Grafana's dashboard sidecar finds dashboard ConfigMaps and the folder each goes into. */
export interface GrafanaDashboardSidecar {
  /** Label key a dashboard ConfigMap carries. */
  readonly label: string;
  readonly labelValue: string;
  /** Annotation whose value is the Grafana folder of the ConfigMap's dashboards. */
  readonly folderAnnotation: string;
}

/** A datasource provisioned beside the chart's own (Grafana provisioning format). */
export interface GrafanaAdditionalDatasource {
  readonly name: string;
  readonly uid: string;
  readonly type: "prometheus";
  readonly access: "proxy";
  readonly url: string;
  readonly isDefault: boolean;
  readonly editable: false;
  readonly jsonData: { readonly prometheusType: "Thanos" | "Prometheus"; readonly timeInterval: string };
}

export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
}

export interface VolumeClaimTemplate {
  readonly spec: {
    readonly storageClassName: string;
    readonly accessModes: readonly ["ReadWriteOnce"];
    readonly resources: { readonly requests: { readonly storage: string } };
  };
}

export interface ServiceMonitorValue {
  readonly name: string;
  readonly namespaceSelector: { readonly matchNames: readonly string[] };
  readonly selector: LabelSelector;
  readonly endpoints: readonly {
    readonly port: string;
    readonly path: string;
    readonly interval?: string;
    /** The ServiceMonitor Endpoint's basicAuth: keys of a Secret in the ServiceMonitor's namespace. */
    readonly basicAuth?: { readonly username: SecretKeySelector; readonly password: SecretKeySelector };
    /** The Endpoint's authorization (`Authorization: <type> <credentials>`). */
    readonly authorization?: { readonly type: "Bearer"; readonly credentials: SecretKeySelector };
  }[];
}

/** A key of a Secret, as the Prometheus operator's CRDs reference it. */
export interface SecretKeySelector {
  readonly name: string;
  readonly key: string;
}


export interface KubePrometheusStackValues {
  readonly defaultRules: {
    readonly create: boolean;
    /** Rule groups of the chart switched off: the ones EKS cannot serve. */
    readonly rules: {
      readonly etcd: false;
      readonly kubeControllerManager: false;
      readonly kubeSchedulerAlerting: false;
      readonly kubeSchedulerRecording: false;
      readonly kubeProxy: false;
    };
  };
  readonly kubeEtcd: { readonly enabled: false };
  readonly kubeControllerManager: { readonly enabled: false };
  readonly kubeScheduler: { readonly enabled: false };
  readonly kubeProxy: { readonly enabled: false };
  readonly additionalPrometheusRulesMap: AdditionalPrometheusRulesMap;
  readonly prometheusOperator: {
    readonly nodeSelector: Readonly<Record<string, string>>;
    readonly resources: ResourceRequirements;
  };
  readonly prometheus: {
    readonly prometheusSpec: {
      readonly replicas: number;
      readonly scrapeInterval: string;
      readonly evaluationInterval: string;
      readonly retention: string;
      readonly retentionSize: string;
      readonly externalLabels: Readonly<Record<string, string>>;
      readonly replicaExternalLabelName: string;
      readonly ruleSelector: LabelSelector;
      readonly ruleNamespaceSelector: Readonly<Record<string, never>>;
      readonly serviceMonitorSelector: LabelSelector;
      readonly serviceMonitorNamespaceSelector: Readonly<Record<string, never>>;
      readonly podMonitorSelector: LabelSelector;
      readonly podMonitorNamespaceSelector: Readonly<Record<string, never>>;
      readonly podAntiAffinity: "hard" | "soft";
      readonly nodeSelector: Readonly<Record<string, string>>;
      readonly resources: ResourceRequirements;
      readonly storageSpec: { readonly volumeClaimTemplate: VolumeClaimTemplate };
      /** The Thanos sidecar (operator ThanosSpec): image and the objstore Secret it uploads with. */
      readonly thanos?: {
        readonly image: string;
        readonly objectStorageConfig: { readonly existingSecret: { readonly name: string; readonly key: string } };
      };
    };
    readonly additionalServiceMonitors: readonly ServiceMonitorValue[];
    /** Prometheus' service account, shared by the sidecar; annotated with its IRSA role. */
    readonly serviceAccount?: { readonly name: string; readonly annotations: Readonly<Record<string, string>> };
    /** Headless `<fullname>-thanos-discovery` Service of the sidecars' gRPC (Query's DNS discovery). */
    readonly thanosService?: { readonly enabled: true };
    /** ServiceMonitor of the sidecars' metrics, labelled `release` by the chart. */
    readonly thanosServiceMonitor?: { readonly enabled: true };
  };
  readonly alertmanager: {
    readonly config?: object;
    readonly alertmanagerSpec: {
      readonly replicas: number;
      readonly podAntiAffinity: "hard" | "soft";
      readonly nodeSelector: Readonly<Record<string, string>>;
      readonly resources: ResourceRequirements;
      readonly storage: { readonly volumeClaimTemplate: VolumeClaimTemplate };
      /** Secrets mounted at /etc/alertmanager/secrets/<name>/ for the config's *_file fields. */
      readonly secrets: readonly string[];
    };
  };
  readonly grafana: {
    readonly enabled: true;
    readonly admin: { readonly existingSecret: string; readonly userKey: string; readonly passwordKey: string };
    readonly nodeSelector: Readonly<Record<string, string>>;
    readonly resources: ResourceRequirements;
    readonly sidecar: {
      readonly dashboards: {
        readonly enabled: true;
        readonly label: string;
        readonly labelValue: string;
        /** Comma-separated namespaces whose labelled ConfigMaps become dashboards (the sidecar's NAMESPACE). */
        readonly searchNamespace: string;
        readonly folderAnnotation: string;
        readonly provider: { readonly foldersFromFilesStructure: true };
      };
      /** The chart's Prometheus datasource; its uid is pinned so dashboards can name it. */
      readonly datasources: { readonly uid: string; readonly isDefaultDatasource: boolean };
    };
    /** More datasources (Thanos). */
    readonly additionalDataSources?: readonly GrafanaAdditionalDatasource[];
  };
  readonly "kube-state-metrics": {
    readonly nodeSelector: Readonly<Record<string, string>>;
    readonly resources: ResourceRequirements;
    /** Node labels exported as kube_node_labels, so rules can name the GPU pool of a node. */
    readonly metricLabelsAllowlist: readonly string[];
  };
  readonly "prometheus-node-exporter": {
    /** Namespace of the DaemonSet, its Service and ServiceMonitor (a privileged one). */
    readonly namespaceOverride?: string;
    readonly tolerations: readonly Toleration[];
    readonly resources: ResourceRequirements;
    readonly affinity?: { readonly nodeAffinity: NodeAffinity };
  };
}
