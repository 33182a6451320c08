import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { parse } from "yaml";
import { MonitoringCatalog } from "../../lib/contracts/monitoring-catalog";
import { monitoringLabelContract } from "../../lib/contracts/monitoring-labels";
import { ExistingGpuPoolOptions, GpuPool, IGpuPool } from "../../lib/gpu/gpu-pool";
import { InferenceService, InferenceServiceOptions } from "../../lib/workload/inference-service";

/** Labels of the system pool's nodes, as SystemNodeGroup sets them. */
export const SYSTEM_NODE_SELECTOR = { "gpu-platform.io/role": "system" };

export interface PlatformFixture {
  readonly stack: TerraformStack;
  readonly catalog: MonitoringCatalog;
  readonly pools: { readonly a10g: IGpuPool; readonly l4: IGpuPool };
  readonly allPools: readonly IGpuPool[];
}

/**
 * A platform stack (Kubernetes + Helm providers) with two GPU pools of an existing cluster,
 * of unknown capacity unless options say otherwise.
 */
export function platform(
  options: { readonly a10g?: Partial<ExistingGpuPoolOptions>; readonly l4?: Partial<ExistingGpuPoolOptions> } = {},
): PlatformFixture {
  const stack = new TerraformStack(Testing.app(), "platform");
  const kubernetes = { configPath: "~/.kube/config" };
  new KubernetesProvider(stack, "kubernetes", kubernetes);
  new HelmProvider(stack, "helm", { kubernetes });
  const a10g = GpuPool.fromExisting({ poolName: "a10g", ...options.a10g });
  const l4 = GpuPool.fromExisting({ poolName: "l4", ...options.l4 });
  return { stack, catalog: new MonitoringCatalog(monitoringLabelContract()), pools: { a10g, l4 }, allPools: [a10g, l4] };
}

/** An InferenceService on the fixture's platform with the given options. */
export function service(f: PlatformFixture, options: Partial<InferenceServiceOptions> = {}, id = "svc"): InferenceService {
  return new InferenceService(f.stack, id, {
    name: "detector",
    image: "registry.example.com/detector:1.0.0",
    gpuPool: f.pools.a10g,
    catalog: f.catalog,
    pools: f.allPools,
    ...options,
  });
}

/** Synth with validations (node.addValidation checks run and throw). */
export function synth(f: PlatformFixture): string {
  return Testing.synth(f.stack, true);
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** All resources of one type in a synthesized stack, by logical id. */
export function resourcesOf(synthesized: string, type: string): Record<string, Json> {
  const parsed = JSON.parse(synthesized) as { resource?: Record<string, Record<string, Json>> };
  return parsed.resource?.[type] ?? {};
}

/** The only resource of a type (fails when there are several). */
export function onlyResource(synthesized: string, type: string): { [key: string]: Json } {
  const all = Object.values(resourcesOf(synthesized, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0] as { [key: string]: Json };
}

/**
 * `Testing.toHaveResourceWithProperties`, failing with the resources of that type in the message
 * instead of a bare `false`.
 */
export function expectResource(synthesized: string, type: string, properties: Record<string, unknown>): void {
  if (!Testing.toHaveResourceWithProperties(synthesized, type, properties)) {
    throw new Error(
      `no ${type} has ${JSON.stringify(properties, null, 1)}\nfound: ${JSON.stringify(resourcesOf(synthesized, type), null, 1)}`,
    );
  }
}

/** The Helm values of a release, parsed back from the rendered YAML. */
export function helmValues(synthesized: string, releaseName: string): Json {
  const releases = Object.values(resourcesOf(synthesized, "helm_release")) as { name: string; values: string[] }[];
  const release = releases.find((r) => r.name === releaseName);
  if (!release) throw new Error(`no helm_release named ${releaseName}`);
  return parse(release.values[0]) as Json;
}
