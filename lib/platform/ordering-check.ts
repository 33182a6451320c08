import { customResourceType } from "./custom-resources";
import { CUSTOM_RESOURCES_COMMENT, CustomResourcesComment } from "./private/plan-comments";

/** The parts of a synthesized Terraform JSON document (cdk.tf.json) the ordering check reads. */
export interface TerraformJsonDocument {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly data?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly module?: Readonly<Record<string, unknown>>;
  readonly output?: Readonly<Record<string, unknown>>;
}

/** One ordering defect: the block's address, its construct path when known, and what is wrong. */
export interface OrderingFinding {
  /** `type.name`, `data.type.name`, `module.name` or `output.name`. */
  readonly address: string;
  /** Construct path from the block's `"//"` metadata. @default - unknown (hand-written JSON) */
  readonly constructPath?: string;
  readonly message: string;
}

interface Block {
  readonly address: string;
  /** What `depends_on` of another block names this one by; undefined for outputs. */
  readonly dependable?: string;
  readonly type?: string;
  readonly body: Readonly<Record<string, unknown>>;
}

const NAMESPACE_TYPES = new Set(["kubernetes_namespace_v1", "kubernetes_namespace"]);
const IDENT = "[A-Za-z_][A-Za-z0-9_-]*";
/** The only forms Terraform accepts in depends_on: a whole resource, data source or module. */
const STATIC_REFERENCE = new RegExp(`^(?:data\\.${IDENT}\\.${IDENT}|module\\.${IDENT}|${IDENT}\\.${IDENT})$`);
const NODE_GROUP_REFERENCE = new RegExp(`\\baws_eks_node_group\\.(${IDENT})`, "g");
const CROSS_STACK_NODE_GROUP = /outputs\.(cross-stack-output-aws_eks_node_group[A-Za-z0-9_-]*)/g;
/** A tag on a node group's own Auto Scaling group (Cluster Autoscaler's node template) is part of the group. */
const OWN_ASG = new RegExp(`^\\$\\{aws_eks_node_group\\.(${IDENT})\\.resources\\[0\\]\\.autoscaling_groups\\[0\\]\\.name\\}$`);
const GPU_AMI = /NVIDIA|GPU/;
const GPU_TAINT_KEY = "nvidia.com/gpu";

/**
 * Proves the apply order of a synthesized stack from its JSON alone, so it holds whoever wrote
 * the resources:
 * - every `depends_on` entry is a static reference (`type.name`) to a block of the document,
 *   never an interpolation (`"${...}"`), which Terraform rejects while parsing;
 * - every namespaced Kubernetes resource and every Helm release waits for the namespace
 *   resource of the document whose name it uses (in `depends_on`, or through a reference to
 *   the namespace's name);
 * - every Helm release that creates custom resources (declared in its `"//"` comment, see
 *   `PinnedHelmRelease.createsCustomResources`) waits for the release installing their CRDs,
 *   and no `kubernetes_manifest` creates a custom resource whose CRD the same apply installs
 *   (the provider needs the CRD at plan time);
 * - nothing waits on or refers to a GPU node group (GPU AMI or `nvidia.com/gpu` taint), nor on
 *   a node group of another stack: in-cluster resources need none of them, and a GPU capacity
 *   failure must not hold them back.
 */
export function orderingFindings(doc: TerraformJsonDocument): OrderingFinding[] {
  const blocks = blocksOf(doc);
  const byDependable = new Map(blocks.filter((b) => b.dependable).map((b) => [b.dependable!, b]));
  const findings: OrderingFinding[] = [];
  const report = (block: Block, message: string): void => {
    findings.push({ address: block.address, constructPath: constructPathOf(block.body), message });
  };

  for (const block of blocks) {
    for (const entry of dependsOnOf(block.body)) {
      if (typeof entry !== "string" || !STATIC_REFERENCE.test(entry)) {
        report(block, `depends_on entry ${JSON.stringify(entry)} is not a static reference: Terraform accepts only "type.name" (hand cdktf the resource, not a string)`);
      } else if (!byDependable.has(entry)) {
        report(block, `depends_on entry "${entry}" names nothing in this stack`);
      }
    }
  }

  checkNamespaces(blocks, report);
  checkCustomResources(blocks, report);
  checkNodeGroups(blocks, report);
  return findings;
}

/** Renders a finding as one line: address, construct path, message. */
export function formatOrderingFinding(finding: OrderingFinding): string {
  const where = finding.constructPath ? `${finding.address} (${finding.constructPath})` : finding.address;
  return `${where}: ${finding.message}`;
}

function checkNamespaces(blocks: readonly Block[], report: (block: Block, message: string) => void): void {
  const namespaces = new Map<string, string>();
  for (const block of blocks) {
    if (!block.dependable || !NAMESPACE_TYPES.has(block.type ?? "")) continue;
    const name = firstObject(block.body.metadata)?.name;
    if (typeof name === "string" && !isInterpolated(name)) namespaces.set(name, block.dependable);
  }
  if (namespaces.size === 0) return;
  for (const block of blocks) {
    if (!block.dependable || block.dependable.startsWith("data.")) continue;
    const namespace = namespaceOf(block);
    if (typeof namespace !== "string") continue;
    // A reference (to the namespace's own name, say) is an edge Terraform orders by.
    if (isInterpolated(namespace)) continue;
    const creator = namespaces.get(namespace);
    if (creator && !dependsOnOf(block.body).includes(creator)) {
      report(
        block,
        `uses namespace "${namespace}" without waiting for ${creator}, which creates it: add it to depends_on (pass the namespace as a NamespaceRef)`,
      );
    }
  }
}

function checkCustomResources(blocks: readonly Block[], report: (block: Block, message: string) => void): void {
  const installers = new Map<string, string[]>();
  for (const block of blocks) {
    for (const group of customResourcesOf(block.body)?.installs ?? []) {
      for (const kind of group.kinds) {
        const type = customResourceType(group.group, kind);
        installers.set(type, [...(installers.get(type) ?? []), block.dependable!]);
      }
    }
  }
  if (installers.size === 0) return;
  for (const block of blocks) {
    if (!block.dependable) continue;
    if (block.type === "kubernetes_manifest") {
      const type = manifestType(block.body);
      if (type && installers.has(type)) {
        report(
          block,
          `creates a ${type} whose CRD ${installers.get(type)!.join(", ")} installs in the same apply: kubernetes_manifest needs the CRD at plan time, so the first plan fails; deliver it through the chart's values`,
        );
      }
      continue;
    }
    const dependsOn = dependsOnOf(block.body);
    for (const group of customResourcesOf(block.body)?.creates ?? []) {
      for (const kind of group.kinds) {
        const type = customResourceType(group.group, kind);
        const candidates = (installers.get(type) ?? []).filter((a) => a !== block.dependable);
        if (candidates.length > 0 && !candidates.some((a) => dependsOn.includes(a))) {
          report(
            block,
            `creates ${type} without waiting for ${candidates.join(" or ")}, which installs its CRD: add it to depends_on (pass the CRD provider, e.g. MonitoringStack.crds)`,
          );
        }
      }
    }
  }
}

function checkNodeGroups(blocks: readonly Block[], report: (block: Block, message: string) => void): void {
  const gpuGroups = new Set(blocks.filter((b) => b.type === "aws_eks_node_group" && isGpuNodeGroup(b.body)).map((b) => b.dependable!));
  for (const block of blocks) {
    if (!JSON.stringify(block.body).includes("aws_eks_node_group")) continue;
    // Without the comment, whose construct path may spell anything.
    const text = JSON.stringify(block.body, (key, value: unknown) => (key === "//" ? undefined : value));
    const waited = new Set<string>();
    const tagged = block.type === "aws_autoscaling_group_tag" ? OWN_ASG.exec(String(block.body.autoscaling_group_name))?.[1] : undefined;
    for (const m of text.matchAll(NODE_GROUP_REFERENCE)) {
      const group = `aws_eks_node_group.${m[1]}`;
      if (gpuGroups.has(group) && group !== block.dependable && m[1] !== tagged) waited.add(group);
    }
    for (const group of waited) {
      report(block, `waits on the GPU node group ${group}: nothing needs it, and a GPU capacity failure (quota, spot shortage) would hold this back`);
    }
    for (const m of new Set([...text.matchAll(CROSS_STACK_NODE_GROUP)].map((x) => x[1]))) {
      report(block, `refers to ${m}, a node group of another stack: in-cluster resources need no node group's attributes, and the stack dependency already orders the node groups first`);
    }
  }
}

function blocksOf(doc: TerraformJsonDocument): Block[] {
  const blocks: Block[] = [];
  for (const [type, byName] of Object.entries(doc.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) {
      blocks.push({ address: `${type}.${name}`, dependable: `${type}.${name}`, type, body: asObject(body) });
    }
  }
  for (const [type, byName] of Object.entries(doc.data ?? {})) {
    for (const [name, body] of Object.entries(byName)) {
      blocks.push({ address: `data.${type}.${name}`, dependable: `data.${type}.${name}`, type, body: asObject(body) });
    }
  }
  for (const [name, body] of Object.entries(doc.module ?? {})) {
    blocks.push({ address: `module.${name}`, dependable: `module.${name}`, body: asObject(body) });
  }
  for (const [name, body] of Object.entries(doc.output ?? {})) {
    blocks.push({ address: `output.${name}`, body: asObject(body) });
  }
  return blocks;
}

/** The namespace a block creates its object in: Helm's `namespace`, or the Kubernetes object's metadata. */
function namespaceOf(block: Block): unknown {
  const type = block.type ?? "";
  if (type === "helm_release") return block.body.namespace;
  if (type === "kubernetes_manifest") return firstObject(asObject(block.body.manifest).metadata)?.namespace;
  if (type.startsWith("kubernetes_") && !NAMESPACE_TYPES.has(type)) return firstObject(block.body.metadata)?.namespace;
  return undefined;
}

function manifestType(body: Readonly<Record<string, unknown>>): string | undefined {
  const manifest = asObject(body.manifest);
  const apiVersion = manifest.apiVersion;
  const kind = manifest.kind;
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !apiVersion.includes("/")) return undefined;
  return customResourceType(apiVersion.split("/")[0], kind);
}

function customResourcesOf(body: Readonly<Record<string, unknown>>): CustomResourcesComment | undefined {
  const comment = asObject(body["//"])[CUSTOM_RESOURCES_COMMENT];
  return comment && typeof comment === "object" ? (comment as CustomResourcesComment) : undefined;
}

function constructPathOf(body: Readonly<Record<string, unknown>>): string | undefined {
  const path = asObject(asObject(body["//"]).metadata).path;
  return typeof path === "string" ? path : undefined;
}

function isGpuNodeGroup(body: Readonly<Record<string, unknown>>): boolean {
  if (typeof body.ami_type === "string" && GPU_AMI.test(body.ami_type)) return true;
  const taints = Array.isArray(body.taint) ? body.taint : [body.taint];
  return taints.some((t) => asObject(t).key === GPU_TAINT_KEY);
}

function dependsOnOf(body: Readonly<Record<string, unknown>>): unknown[] {
  return Array.isArray(body.depends_on) ? body.depends_on : [];
}

function isInterpolated(value: string): boolean {
  return value.includes("${");
}

/** A nested block is rendered as an object, or as a list of one object. */
function firstObject(value: unknown): Readonly<Record<string, unknown>> | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v && typeof v === "object" ? (v as Record<string, unknown>) : undefined;
}

function asObject(value: unknown): Readonly<Record<string, unknown>> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
