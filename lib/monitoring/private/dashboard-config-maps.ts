import { ConfigMap } from "@cdktf/provider-kubernetes/lib/config-map";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { IConstruct } from "constructs";
import type { GrafanaDashboardSidecar } from "../kube-prometheus-stack-values";

/**
 * ConfigMaps of the stack that carry the dashboard sidecar's label in a namespace the sidecar
 * does not read: Grafana would never show them, and nothing else would say so.
 */
export function unloadedDashboardErrors(stack: IConstruct, sidecar: GrafanaDashboardSidecar, watched: readonly string[]): string[] {
  return stack.node
    .findAll()
    .filter((c): c is ConfigMapV1 | ConfigMap => c instanceof ConfigMapV1 || c instanceof ConfigMap)
    .flatMap((c) => {
      // The props as given (the metadata block's inputs): no rendering of the dashboards' JSON.
      const labels = c.metadata.labelsInput ?? {};
      const namespace = c.metadata.namespaceInput ?? "default";
      if (labels[sidecar.label] === undefined || watched.includes(namespace)) return [];
      return [
        `${c.node.path}: ConfigMap '${c.metadata.nameInput}' carries the dashboard label ${sidecar.label} in namespace '${namespace}', but Grafana's sidecar reads only ${watched.join(", ")}: move it there or add '${namespace}' to dashboardNamespaces`,
      ];
    });
}
