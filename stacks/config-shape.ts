import { PlatformConfigError } from "../lib/core/errors";

/**
 * The shape of the configuration file: which keys exist and what type each holds. A file is
 * checked against it before anything is resolved, so a misspelt key is an error with a suggestion,
 * never a silent default.
 */

export type Kind = "string" | "number" | "boolean" | "string[]" | "number[]" | "map" | "number|string";
export type ShapeNode = Kind | Shape | readonly [Shape] | NamedList | Tagged | Either;
export interface Shape {
  readonly [key: string]: ShapeNode;
}

/**
 * A list of objects each named by `key` (`services`, `domainMetrics`): an item is reported as
 * `services["phone-detector"]`, not by its position, which says nothing to whoever wrote the file.
 */
export class NamedList {
  constructor(
    public readonly item: Shape,
    public readonly key: string,
  ) {}
}

/** An object whose `tag` key selects its other keys, e.g. `preset: prometheusClient` and that preset's options. */
export class Tagged {
  constructor(
    public readonly tag: string,
    public readonly cases: Readonly<Record<string, Shape>>,
    /** The case when `tag` is left out. */
    public readonly defaultCase?: string,
  ) {}
}

/** `false` or an object, like `autoscaling: false`. */
export class Either {
  constructor(
    public readonly literal: false,
    public readonly shape: Shape,
  ) {}
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  const best = candidates.map((c) => ({ c, d: distance(word.toLowerCase(), c.toLowerCase()) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= 3 ? best.c : undefined;
}

/** `parent["name"]` for an item of a named list, `parent[i]` while it has no usable name. */
export function itemPath(path: string, item: Json, key: string, index: number): string {
  const name = isObject(item) ? item[key] : undefined;
  return typeof name === "string" && name !== "" ? `${path}["${name}"]` : `${path}[${index}]`;
}

/** Rejects unknown keys (with a suggestion) and values of the wrong type. */
export function checkShape(source: string, path: string, value: Json, shape: ShapeNode): void {
  const fail = (accepted: string) => {
    throw new PlatformConfigError(source, path, value, accepted);
  };
  if (shape instanceof NamedList) {
    if (!Array.isArray(value)) fail("must be a list");
    (value as Json[]).forEach((item, i) => {
      const at = itemPath(path, item, shape.key, i);
      if (!isObject(item) || typeof item[shape.key] !== "string") {
        throw new PlatformConfigError(source, at, item, `must be an object with a '${shape.key}'`);
      }
      checkShape(source, at, item, shape.item);
    });
    return;
  }
  if (shape instanceof Either) {
    if (value === shape.literal) return;
    if (!isObject(value)) fail(`must be ${String(shape.literal)} or an object`);
    checkShape(source, path, value, shape.shape);
    return;
  }
  if (shape instanceof Tagged) {
    if (!isObject(value)) fail("must be an object");
    const cases = Object.keys(shape.cases);
    const tag = (value as JsonObject)[shape.tag] ?? shape.defaultCase;
    if (typeof tag !== "string" || !cases.includes(tag)) {
      const hint = typeof tag === "string" ? closest(tag, cases) : undefined;
      throw new PlatformConfigError(
        source,
        `${path}.${shape.tag}`,
        tag,
        `must be one of ${cases.join(", ")}${hint ? ` (did you mean '${hint}'?)` : ""}`,
      );
    }
    checkShape(source, path, value, { [shape.tag]: "string", ...shape.cases[tag] });
    return;
  }
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) fail("must be a list");
    (value as Json[]).forEach((item, i) => checkShape(source, `${path}[${i}]`, item, shape[0]));
    return;
  }
  if (typeof shape === "string") {
    const ok =
      shape === "string[]" ? Array.isArray(value) && value.every((v) => typeof v === "string")
      : shape === "number[]" ? Array.isArray(value) && value.every((v) => typeof v === "number" && Number.isFinite(v))
      : shape === "map" ? isObject(value) && Object.values(value).every((v) => typeof v === "string")
      : shape === "number" ? typeof value === "number" && Number.isFinite(value)
      : shape === "number|string" ? (typeof value === "number" && Number.isFinite(value)) || typeof value === "string"
      : typeof value === shape;
    const expected: Record<Kind, string> = {
      "string[]": "a list of strings",
      "number[]": "a list of numbers",
      map: "a map of strings",
      number: "a number",
      string: "a string",
      boolean: "a boolean",
      "number|string": "a number or a string",
    };
    if (!ok) fail(`must be ${expected[shape]}`);
    return;
  }
  if (!isObject(value)) fail("must be an object");
  const known = Object.keys(shape as Shape);
  for (const [key, v] of Object.entries(value as JsonObject)) {
    const child = path ? `${path}.${key}` : key;
    if (!known.includes(key)) {
      const hint = closest(key, known);
      throw new PlatformConfigError(source, child, v, `is not a known setting${hint ? ` (did you mean '${hint}'?)` : ""}; known settings here: ${known.join(", ")}`);
    }
    checkShape(source, child, v, (shape as Shape)[key]);
  }
}

/** `egress:` of a service (`inference.egress`, `services[].egress`), as `InferenceEgress`. */
export const EGRESS_SHAPE: Shape = {
  internetHttps: "boolean",
  unrestricted: "boolean",
  cidrs: [{ cidr: "string", ports: "number[]" }],
  namespaces: [{ name: "string", ports: "number[]" }],
};
