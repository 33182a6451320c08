import { Json, PathSegment, ValueChange, formatPath, isArray, isObject } from "./model";
import { ChangedEntry, PlanEntry, ResourceDiff } from "./resources";
import { HelmReleaseChange } from "./helm";

/**
 * Attributes whose change makes the provider destroy and recreate the resource (ForceNew in
 * the provider schema), for the resource types this app creates. Paths are prefixes; `*`
 * means every attribute. Kept small and explicit: a type missing here is reported as an
 * in-place update, which is what the provider does for most attributes.
 */
export const FORCE_NEW_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  aws_eks_cluster: ["name", "role_arn", "vpc_config.subnet_ids", "kubernetes_network_config.service_ipv4_cidr", "kubernetes_network_config.ip_family", "bootstrap_self_managed_addons", "access_config.bootstrap_cluster_creator_admin_permissions", "outpost_config"],
  aws_eks_node_group: ["cluster_name", "node_group_name", "node_group_name_prefix", "node_role_arn", "subnet_ids", "ami_type", "capacity_type", "instance_types", "disk_size", "remote_access", "launch_template.id", "launch_template.name"],
  aws_eks_addon: ["cluster_name", "addon_name"],
  aws_eks_access_entry: ["cluster_name", "principal_arn", "type"],
  aws_eks_access_policy_association: ["cluster_name", "principal_arn", "policy_arn", "access_scope"],
  aws_s3_bucket: ["bucket", "bucket_prefix", "object_lock_enabled"],
  aws_kms_key: ["customer_master_key_spec", "key_usage", "multi_region", "custom_key_store_id", "xks_key_id"],
  aws_vpc: ["cidr_block", "instance_tenancy"],
  aws_subnet: ["vpc_id", "cidr_block", "availability_zone", "availability_zone_id"],
  aws_nat_gateway: ["subnet_id", "allocation_id", "connectivity_type", "private_ip"],
  aws_route_table_association: ["subnet_id", "gateway_id"],
  aws_iam_role: ["name", "name_prefix", "path"],
  aws_iam_role_policy_attachment: ["role", "policy_arn"],
  aws_iam_openid_connect_provider: ["url"],
  aws_launch_template: ["name", "name_prefix"],
  aws_cloudwatch_log_group: ["name", "name_prefix"],
  helm_release: ["name", "namespace"],
  kubernetes_storage_class_v1: ["metadata.name", "storage_provisioner", "parameters", "reclaim_policy", "volume_binding_mode"],
  kubernetes_persistent_volume_claim_v1: ["metadata.name", "metadata.namespace", "spec.storage_class_name", "spec.access_modes"],
  random_password: ["*"],
  random_id: ["*"],
  random_string: ["*"],
};

/** Kubernetes objects are identified by name and namespace: renaming one replaces it. */
const KUBERNETES_IDENTITY = ["metadata.name", "metadata.namespace"];

/** Resources whose destruction loses data or access that a re-create does not bring back. */
export const STATEFUL_TYPES: readonly string[] = [
  "aws_s3_bucket",
  "aws_kms_key",
  "aws_eks_cluster",
  "aws_ebs_volume",
  "aws_efs_file_system",
  "aws_db_instance",
  "aws_rds_cluster",
  "aws_dynamodb_table",
  "aws_cloudwatch_log_group",
  "aws_secretsmanager_secret",
  "kubernetes_persistent_volume_claim_v1",
  "kubernetes_namespace_v1",
  "random_password",
];

export type WarningKind = "unreadable" | "replaced" | "destroyed" | "iam-widened" | "chart-major";

export interface Warning {
  readonly kind: WarningKind;
  readonly stack: string;
  readonly address: string;
  readonly message: string;
}

function forceNewPaths(type: string): string[] {
  return [...(FORCE_NEW_ATTRIBUTES[type] ?? []), ...(type.startsWith("kubernetes_") ? KUBERNETES_IDENTITY : [])];
}

/** `metadata[0].name` and `metadata.name` are the same attribute for the table above. */
function dottedPath(path: readonly PathSegment[]): string {
  return path.filter((s) => typeof s === "string").join(".");
}

/** The ForceNew attributes a change touches, empty for an in-place update. */
export function replacementCauses(type: string, changes: readonly ValueChange[]): string[] {
  const table = forceNewPaths(type);
  if (table.includes("*")) return changes.length > 0 ? [...new Set(changes.map((c) => formatPath(c.path)))] : [];
  const out = new Set<string>();
  for (const c of changes) {
    const p = dottedPath(c.path);
    for (const attr of table) if (p === attr || p.startsWith(`${attr}.`)) out.add(attr);
  }
  return [...out];
}

/** Allowed (action, resource) pairs and principals of every IAM policy document in a resource. */
export function policyGrants(entry: PlanEntry): Set<string> {
  const grants = new Set<string>();
  const addStatements = (statements: Json | undefined, upperCase: boolean): void => {
    for (const s of isArray(statements) ? statements : isObject(statements) ? [statements] : []) {
      if (!isObject(s)) continue;
      const effect = s[upperCase ? "Effect" : "effect"] ?? "Allow";
      if (effect !== "Allow") continue;
      const list = (v: Json | undefined): string[] => (isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)]);
      const actions = list(s[upperCase ? "Action" : "actions"]);
      const resources = upperCase ? list(s.Resource) : list(s.resources);
      for (const a of actions) for (const r of resources.length > 0 ? resources : ["(any principal's resource)"]) grants.add(`${a} on ${r}`);
      const principals = upperCase ? s.Principal : s.principals;
      if (isObject(principals)) for (const [k, v] of Object.entries(principals)) for (const p of list(v)) grants.add(`assume by ${k} ${p}`);
      for (const p of isArray(principals) ? principals : []) {
        if (isObject(p)) for (const id of list(p.identifiers)) grants.add(`assume by ${String(p.type)} ${id}`);
      }
    }
  };
  const addDocument = (text: Json | undefined): void => {
    if (typeof text !== "string" || text.includes("${")) return;
    try {
      const doc = JSON.parse(text) as Json;
      if (isObject(doc)) addStatements(doc.Statement, true);
    } catch {
      // Not JSON: a reference resolved at apply.
    }
  };
  if (entry.type === "aws_iam_policy_document") addStatements(entry.body.statement, false);
  for (const attr of ["policy", "assume_role_policy"]) addDocument(entry.body[attr]);
  const inline = entry.body.inline_policy;
  for (const p of isArray(inline) ? inline : []) if (isObject(p)) addDocument(p.policy);
  if (entry.type === "aws_iam_role_policy_attachment" && typeof entry.body.policy_arn === "string") grants.add(`managed policy ${entry.body.policy_arn}`);
  return grants;
}

/** An action `*` or `service:*`, or the resource `*`. */
function isWildcard(grant: string): boolean {
  const m = / on (.*)$/.exec(grant);
  if (!m) return false;
  const action = grant.slice(0, m.index);
  return action === "*" || action.endsWith(":*") || m[1] === "*";
}

function iamWarning(before: PlanEntry | undefined, after: PlanEntry): Warning | undefined {
  const old = before ? policyGrants(before) : new Set<string>();
  const added = [...policyGrants(after)].filter((g) => !old.has(g)).sort();
  if (added.length === 0) return undefined;
  const wild = added.filter(isWildcard);
  if (before === undefined && wild.length === 0) return undefined;
  const shown = [...wild, ...added.filter((g) => !isWildcard(g))].slice(0, 8);
  const more = added.length > shown.length ? ` and ${added.length - shown.length} more` : "";
  return {
    kind: "iam-widened",
    stack: after.stack,
    address: after.address,
    message: `IAM permissions widened${wild.length > 0 ? " (wildcard)" : ""}: ${shown.map((g) => `\`${g}\``).join(", ")}${more}`,
  };
}

/** Changes that deserve a second look, in a stable order. */
export function warningsFor(resources: ResourceDiff, releases: readonly HelmReleaseChange[]): Warning[] {
  const out: Warning[] = [];
  const replaced = (c: ChangedEntry): void => {
    const causes = replacementCauses(c.after.type, c.changes);
    if (causes.length === 0) return;
    const stateful = STATEFUL_TYPES.includes(c.after.type);
    out.push({
      kind: "replaced",
      stack: c.after.stack,
      address: c.after.address,
      message: `replaced, not updated: the provider forces a new resource when ${causes.map((x) => `\`${x}\``).join(", ")} change${stateful ? "; the old one and what it holds are destroyed" : ""}`,
    });
  };
  for (const c of resources.changed) replaced(c);
  for (const m of resources.moved) {
    out.push({
      kind: STATEFUL_TYPES.includes(m.after.type) ? "destroyed" : "replaced",
      stack: m.after.stack,
      address: m.before.address,
      message: `address changed to \`${m.after.address}\`: destroyed and created again unless the \`moved\` block below is added`,
    });
  }
  for (const r of resources.removed) {
    if (r.mode === "resource" && STATEFUL_TYPES.includes(r.type)) {
      out.push({ kind: "destroyed", stack: r.stack, address: r.address, message: `destroyed: ${r.type} holds data or access that a new one does not bring back` });
    }
  }
  for (const c of [...resources.changed, ...resources.moved]) {
    const w = iamWarning(c.before, c.after);
    if (w) out.push(w);
  }
  for (const a of resources.added) {
    const w = iamWarning(undefined, a);
    if (w) out.push(w);
  }
  for (const r of releases) {
    if (r.majorBump && r.before && r.after) {
      out.push({
        kind: "chart-major",
        stack: r.after.entry.stack,
        address: r.after.entry.address,
        message: `chart major version bump: ${r.after.chart} ${r.before.version} → ${r.after.version} (read the chart's upgrade notes: CRDs and values keys may change)`,
      });
    }
  }
  for (const r of releases) {
    for (const side of [r.before, r.after]) {
      if (side?.valuesError) {
        out.push({ kind: "unreadable", stack: side.entry.stack, address: side.entry.address, message: `values not reviewed (${side === r.before ? "base" : "working tree"}): ${side.valuesError}` });
      }
    }
  }
  const order: Record<WarningKind, number> = { unreadable: 0, destroyed: 1, replaced: 2, "iam-widened": 3, "chart-major": 4 };
  return out.sort((x, y) => order[x.kind] - order[y.kind] || (x.stack + x.address < y.stack + y.address ? -1 : x.stack + x.address > y.stack + y.address ? 1 : 0));
}
