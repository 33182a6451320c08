import { TerraformResource } from "cdktf";
import { IConstruct } from "constructs";
import type { GrafanaDashboardSidecar } from "../kube-prometheus-stack-values";

const CONFIG_MAP_TYPES: readonly string[] = ["kubernetes_config_map_v1", "kubernetes_config_map"];

/**
 * ConfigMaps of the stack that carry the dashboard sidecar's label in a namespace the sidecar
 * does not read: Grafana would never show them, and nothing else would say so.
 */
export function unloadedDashboardErrors(stack: IConstruct, sidecar: GrafanaDashboardSidecar, watched: readonly string[]): string[] {
  return stack.node
    .findAll()
    .filter((c): c is TerraformResource => TerraformResource.isTerraformResource(c) && CONFIG_MAP_TYPES.includes(c.terraformResourceType))
    .flatMap((c) => {
      const written = c.toTerraform() as { resource: Record<string, Record<string, { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } }>> };
      const metadata = Object.values(written.resource[c.terraformResourceType])[0].metadata ?? {};
      const namespace = metadata.namespace ?? "default";
      if (metadata.labels?.[sidecar.label] === undefined || watched.includes(namespace)) return [];
      return [
        `${c.node.path}: ConfigMap '${metadata.name}' carries the dashboard label ${sidecar.label} in namespace '${namespace}', but Grafana's sidecar reads only ${watched.join(", ")}: move it there or add '${namespace}' to dashboardNamespaces`,
      ];
    });
}
