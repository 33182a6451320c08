import * as fs from "fs";
import { buildPlatformRules, DCGM_METRICS, renderRuleFiles } from "../../../lib/monitoring/rules";
import { FIXTURE_OPTIONS } from "./fixtures";
import { describeWithUpstream, upstreamFile } from "../../support/upstream";

/** The exporter's default counters, from the pinned image (shared reference data beside the repo). */
const COUNTERS = upstreamFile("dcgm-exporter-4.5.3-4.8.2.default-counters.csv");

function defaultCounters(): Set<string> {
  const lines = fs.readFileSync(COUNTERS, "utf8").split("\n");
  // Commented lines are counters the exporter does not serve by default.
  return new Set(lines.filter((l) => /^DCGM_/.test(l)).map((l) => l.split(",")[0].trim()));
}

describeWithUpstream("DCGM metric names", () => {
  test("every metric the rules read is a default counter of the pinned exporter", () => {
    const counters = defaultCounters();
    expect(Object.values(DCGM_METRICS).filter((m) => !counters.has(m))).toEqual([]);
    const used = new Set(renderRuleFiles(buildPlatformRules(FIXTURE_OPTIONS)).flatMap((f) => f.yaml.match(/\bDCGM_[A-Z_]+\b/g) ?? []));
    expect([...used].filter((m) => !counters.has(m))).toEqual([]);
    expect(used.size).toBeGreaterThanOrEqual(Object.keys(DCGM_METRICS).length);
  });

  test("no power-limit field is served by default, so power thresholds are absolute watts", () => {
    expect([...defaultCounters()].filter((m) => /POWER/.test(m))).toEqual(["DCGM_FI_DEV_POWER_USAGE"]);
  });
});
