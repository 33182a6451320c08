import { App, TerraformStack, Testing } from "cdktf";
import { buildApp } from "../../stacks/app";
import { DEFAULT_CONFIG, PlatformConfig } from "../../stacks/config";

/** A synthesized Terraform JSON document. */
export interface TfJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly provider?: Record<string, Record<string, unknown>[]>;
  readonly output?: Record<string, { value: unknown }>;
  readonly terraform?: Record<string, unknown>;
}

/** Synthesizes a stack with its validations, as `cdktf synth` does. */
export function synthStack(stack: TerraformStack): TfJson {
  stack.prepareStack();
  return JSON.parse(Testing.synth(stack, true)) as TfJson;
}

/** Synthesizes the default app (or one built from `config`) and returns both stacks' JSON. */
export function synthDefaultApp(config: PlatformConfig = DEFAULT_CONFIG): { cluster: TfJson; platform: TfJson; app: App } {
  const built = buildApp(config, Testing.app());
  // Cross-stack references are resolved when the consuming stack is prepared.
  built.cluster.prepareStack();
  built.platform.prepareStack();
  return { app: built.app, cluster: synthStack(built.cluster), platform: synthStack(built.platform) };
}

/** All resources of a type, keyed by their logical id. */
export function resourcesOf(doc: TfJson, type: string): Record<string, Record<string, unknown>> {
  return doc.resource?.[type] ?? {};
}

/**
 * The single resource of a type whose construct path ends with `pathSuffix`. Logical ids are
 * the construct path below the stack joined by '_' plus a hash suffix.
 */
export function resourceAt(doc: TfJson, type: string, pathSuffix: string): Record<string, unknown> {
  const wanted = pathSuffix.split("/").join("_");
  const found = Object.entries(resourcesOf(doc, type))
    .filter(([id]) => {
      const path = id.replace(/_[0-9A-F]{8}$/, "");
      return path === wanted || path.endsWith(`_${wanted}`);
    })
    .map(([, r]) => r);
  if (found.length !== 1) throw new Error(`expected one ${type} at */${pathSuffix}, found ${found.length}`);
  return found[0];
}
