/**
 * Kubernetes scheduling primitives (taints, tolerations, node affinity) as plain data, with
 * the matching rules of the scheduler itself, so checks at synth time answer the question
 * the scheduler will answer in the cluster: "will this DaemonSet get a pod on that node?"
 */

export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: TaintEffect;
}

export interface Toleration {
  readonly key?: string;
  readonly operator?: "Exists" | "Equal";
  readonly value?: string;
  readonly effect?: TaintEffect;
}

export interface NodeSelectorRequirement {
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  readonly values?: readonly string[];
}

export interface NodeSelectorTerm {
  readonly matchExpressions: readonly NodeSelectorRequirement[];
}

/** `affinity.nodeAffinity` in Helm values and pod specs. */
export interface NodeAffinity {
  readonly requiredDuringSchedulingIgnoredDuringExecution: {
    readonly nodeSelectorTerms: readonly NodeSelectorTerm[];
  };
}

/** Kubernetes semantics (k8s.io/api/core/v1 Toleration.ToleratesTaint). */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect !== undefined && toleration.effect !== taint.effect) return false;
  if (toleration.key === undefined || toleration.key === "") {
    // An empty key with Exists tolerates every taint.
    return toleration.operator === "Exists";
  }
  if (toleration.key !== taint.key) return false;
  if (toleration.operator === "Exists") return true;
  return (toleration.value ?? "") === (taint.value ?? "");
}

/** Taints that keep new pods off a node and that no toleration in the list tolerates. */
export function untoleratedTaints(tolerations: readonly Toleration[], taints: readonly Taint[]): Taint[] {
  return taints.filter((taint) => taint.effect !== "PreferNoSchedule" && !tolerations.some((t) => tolerates(t, taint)));
}

/** The exact toleration for each taint, without duplicates. */
export function tolerationsFor(taints: readonly Taint[]): Toleration[] {
  const out: Toleration[] = [];
  for (const taint of taints) {
    const toleration: Toleration =
      taint.value === undefined
        ? { key: taint.key, operator: "Exists", effect: taint.effect }
        : { key: taint.key, operator: "Equal", value: taint.value, effect: taint.effect };
    if (!out.some((t) => JSON.stringify(t) === JSON.stringify(toleration))) out.push(toleration);
  }
  return out;
}

function requirementMatches(req: NodeSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  switch (req.operator) {
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "In":
      return has && (req.values ?? []).includes(labels[req.key]);
    case "NotIn":
      return !has || !(req.values ?? []).includes(labels[req.key]);
  }
}

/** Terms are ORed, expressions within a term ANDed; an empty term matches nothing. */
export function nodeAffinitySelects(affinity: NodeAffinity, labels: Readonly<Record<string, string>>): boolean {
  return affinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.some(
    (term) => term.matchExpressions.length > 0 && term.matchExpressions.every((req) => requirementMatches(req, labels)),
  );
}

/** A nodeSelector (all labels must match) as the scheduler reads it. */
export function nodeSelectorSelects(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
