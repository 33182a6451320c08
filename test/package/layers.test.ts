import { readFileSync, readdirSync, statSync } from "fs";
import { dirname, join, normalize, relative } from "path";

/**
 * The library's folders form layers: each may import only from the layers below it, so the
 * tree reads like the architecture and no change can make two concerns depend on each other.
 * A new folder must be placed here before it can be imported.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["core", "versions"],
  ["contracts", "platform"],
  ["gpu"],
  ["cluster", "workload", "monitoring"],
  // Node autoscaling and long-term storage each join the AWS side (node groups or the bucket,
  // IRSA) and the in-cluster parts (the chart, or Thanos beside Prometheus).
  ["autoscaling", "storage"],
];

const LIB = join(__dirname, "../../lib");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

function layerOf(folder: string): number {
  return LAYERS.findIndex((layer) => layer.includes(folder));
}

/** The top-level entry of lib/ a path belongs to: "gpu" for lib/gpu/x.ts, "versions" for lib/versions.ts. */
function topLevel(path: string): string {
  return relative(LIB, path).split("/")[0].replace(/\.ts$/, "");
}

describe("library layers", () => {
  const imports = sources(LIB)
    .filter((file) => relative(LIB, file) !== "index.ts")
    .flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/from "(\.{1,2}\/[^"]+)"/g)].map((m) => ({
        file: relative(LIB, file),
        from: topLevel(file),
        to: topLevel(normalize(join(dirname(file), m[1]))),
      })),
    );

  test("every folder of lib/ has a layer", () => {
    const unplaced = [...new Set(imports.flatMap((i) => [i.from, i.to]))].filter((f) => layerOf(f) < 0);
    expect(unplaced).toEqual([]);
  });

  test("every import goes to a lower layer or stays in its folder", () => {
    const upward = imports
      .filter((i) => i.from !== i.to && layerOf(i.to) >= layerOf(i.from))
      .map((i) => `lib/${i.file} imports ${i.to} (layer ${layerOf(i.to)}) from layer ${layerOf(i.from)}`);
    expect(upward).toEqual([]);
  });

  test("the check sees the imports it judges", () => {
    // A guard against a regex that matches nothing: gpu/ builds on platform/ and core/.
    expect(imports.some((i) => i.from === "gpu" && i.to === "platform")).toBe(true);
    expect(imports.some((i) => i.from === "cluster" && i.to === "gpu")).toBe(true);
  });
});
