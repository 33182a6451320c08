import { existsSync } from "fs";
import { join, resolve } from "path";

/**
 * Reference copies of the pinned charts' default values and the DCGM exporter's counters live
 * beside the repository (../shared/upstream) on build machines, not in it. CI sets
 * REQUIRE_UPSTREAM_VALUES=1, so there a missing copy fails; elsewhere (a clone on its own) the
 * suites that need it are skipped with a notice.
 */
export const UPSTREAM_DIR = process.env.UPSTREAM_VALUES_DIR ?? resolve(__dirname, "../../../shared/upstream");

const available = existsSync(UPSTREAM_DIR);
if (!available && process.env.REQUIRE_UPSTREAM_VALUES === "1") {
  throw new Error(`upstream reference data not found at ${UPSTREAM_DIR} (set UPSTREAM_VALUES_DIR)`);
}

export function upstreamFile(name: string): string {
  return join(UPSTREAM_DIR, name);
}

/** `describe` when the reference data is here, `describe.skip` with a notice otherwise. */
export function describeWithUpstream(name: string, body: () => void): void {
  if (available) {
    describe(name, body);
  } else {
    console.warn(`${name}: ${UPSTREAM_DIR} not found; skipped outside CI`);
    describe.skip(name, body);
  }
}
