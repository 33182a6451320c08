import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ITerraformDependable } from "cdktf";

/**
 * A Kubernetes namespace as in-cluster constructs receive it: its literal name (so rules,
 * dashboards and exported files stay readable) and, when this app creates the namespace, the
 * resource that creates it, which every namespaced resource must wait for (`depends_on`).
 */
export interface NamespaceRef {
  readonly name: string;
  /** The resource creating the namespace. @default - none: the namespace exists already */
  readonly resource?: ITerraformDependable;
}

/** A namespace this app creates: the literal name and the resource to wait for. */
export function namespaceRefOf(namespace: NamespaceV1, name: string): NamespaceRef {
  return { name, resource: namespace };
}

/** Normalises a namespace given by name (it exists already) or by reference. */
export function toNamespaceRef(namespace: string | NamespaceRef): NamespaceRef {
  return typeof namespace === "string" ? { name: namespace } : namespace;
}

/** What a namespaced resource must wait for (`dependsOn`): the namespace's resource, if the app creates it. */
export function namespaceDependencies(namespace: NamespaceRef): ITerraformDependable[] | undefined {
  return namespace.resource ? [namespace.resource] : undefined;
}
