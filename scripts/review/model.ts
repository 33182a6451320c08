/**
 * The data the review works on: synthesized Terraform JSON documents per stack, and the
 * review computed from two of them. No git, no file system, no cdktf here: the diff logic
 * runs on plain JSON so it can be unit-tested on small fixtures.
 */

/** A JSON value as parsed from a synthesized `cdk.tf.json`. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };

/** One synthesized stack (`cdk.tf.json`). */
export interface TfDocument {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, JsonObject>>>>;
  readonly data?: Readonly<Record<string, Readonly<Record<string, JsonObject>>>>;
  readonly [block: string]: Json | undefined;
}

/** Every stack of one synthesized app, by stack name. */
export type SynthesizedApp = Readonly<Record<string, TfDocument>>;

export type PathSegment = string | number;

/** One changed value inside a structure. */
export interface ValueChange {
  readonly path: readonly PathSegment[];
  readonly kind: "added" | "removed" | "changed";
  readonly before?: Json;
  readonly after?: Json;
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isArray(value: Json | undefined): value is readonly Json[] {
  return Array.isArray(value);
}

/** `a.b[0]["c.d"]`: a path as a reader writes it. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out === "" ? "(root)" : out;
}

/** Sorted entries, so every listing in the review has one order whatever the input's order. */
export function sortedEntries<T>(record: Readonly<Record<string, T>> | undefined): [string, T][] {
  return Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
