import { readFileSync, readdirSync, statSync } from "fs";
import { join, relative, resolve } from "path";

/**
 * Provider classes are imported by deep path (`@cdktf/provider-aws/lib/eks-node-group`): the
 * barrel loads every resource of the provider, which makes a small synth many times slower and
 * larger in memory.
 */
const root = resolve(__dirname, "../..");
const BARREL = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*)(["'])(@cdktf\/provider-[a-z0-9-]+)\1/g;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.ts$/.test(f) ? [p] : [];
  });
}

export function barrelImports(text: string): string[] {
  return [...text.matchAll(BARREL)].map((m) => m[2]);
}

describe("provider imports", () => {
  test("the check recognises barrel imports and lets deep imports through", () => {
    expect(barrelImports('import { EksNodeGroup } from "@cdktf/provider-aws";\nconst h = require(\'@cdktf/provider-helm\');\nimport("@cdktf/provider-random")')).toEqual([
      "@cdktf/provider-aws",
      "@cdktf/provider-helm",
      "@cdktf/provider-random",
    ]);
    expect(barrelImports('import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";\nimport * as k from "@cdktf/provider-kubernetes/lib/deployment-v1";')).toEqual([]);
  });

  test("no barrel import of a provider package in lib/, stacks/ or scripts/", () => {
    const found = ["lib", "stacks", "scripts"]
      .flatMap((d) => sources(join(root, d)))
      .flatMap((file) => barrelImports(readFileSync(file, "utf8")).map((pkg) => `${relative(root, file)}: ${pkg}`));
    expect(found).toEqual([]);
  });
});
