import { ITerraformDependable } from "cdktf";
import { IConstruct } from "constructs";
import { PlatformConfigError } from "../core/errors";

/** A group of CustomResourceDefinitions: the API group and the kinds it defines. */
export interface CrdGroup {
  /** API group, e.g. "monitoring.coreos.com". */
  readonly group: string;
  readonly kinds: readonly string[];
}

/**
 * CRDs as in-cluster constructs receive them: the group and, when this app installs them, the
 * resource that does (a Helm release shipping them), which everything creating their custom
 * resources must wait for (`depends_on`).
 */
export interface CrdProvider extends CrdGroup {
  /** The resource installing the CRDs. @default - none: they exist in the cluster already */
  readonly resource?: ITerraformDependable;
}

/** Custom resources a release creates, and the CRDs they need. */
export interface CustomResourceUse {
  readonly crds: CrdProvider;
  /** Kinds of `crds` the release creates. */
  readonly kinds: readonly string[];
}

/**
 * The prometheus-operator CRDs that kube-prometheus-stack installs from its `crds/` folder
 * (chart 88.x): ServiceMonitors, PodMonitors and PrometheusRules of other charts need them.
 */
export const PROMETHEUS_OPERATOR_CRDS: CrdGroup = {
  group: "monitoring.coreos.com",
  kinds: [
    "Alertmanager",
    "AlertmanagerConfig",
    "PodMonitor",
    "Probe",
    "Prometheus",
    "PrometheusAgent",
    "PrometheusRule",
    "ScrapeConfig",
    "ServiceMonitor",
    "ThanosRuler",
  ],
};

/** A CRD group that exists in the cluster already (installed outside this app): nothing to wait for. */
export function existingCrds(group: CrdGroup): CrdProvider {
  return { group: group.group, kinds: group.kinds };
}

/** `Kind.group`, the name a custom resource type is known by in messages and the plan. */
export function customResourceType(group: string, kind: string): string {
  return `${kind}.${group}`;
}

/** Throws when a use names a kind its CRD group does not define. */
export function checkCustomResourceUse(scope: IConstruct, prop: string, use: CustomResourceUse): void {
  for (const kind of use.kinds) {
    if (!use.crds.kinds.includes(kind)) {
      throw new PlatformConfigError(scope, prop, kind, `must be a kind of ${use.crds.group} (${use.crds.kinds.join(", ")})`);
    }
  }
}
