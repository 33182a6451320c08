/**
 * `npm run backtest [-- --scenarios FILE]`: replays incident scenarios through the default app's
 * rules (the rule files `npm run export` writes) and through a naive threshold rule set, with
 * promtool, and prints per scenario which alerts fired, when after the onset, against the
 * scenario's expectation, then both tallies side by side. The default suite is the detection
 * budget table of the rule packs; FILE adds the user's own scenarios (YAML). Exits 1 when a
 * scenario's expectation fails on the platform's rules. Reads the same configuration as
 * `cdktf synth` (GPU_PLATFORM_CONFIG, GPU_PLATFORM_* variables).
 */
import { existsSync } from "fs";
import { dirname, join, resolve } from "path";
import { Testing } from "cdktf";
import { DEFAULT_SCENARIOS } from "../lib/monitoring/backtest/default-scenarios";
import { naiveRuleGroups } from "../lib/monitoring/backtest/naive-rules";
import { formatReport } from "../lib/monitoring/backtest/report";
import { BacktestReport, runBacktest } from "../lib/monitoring/backtest/run-backtest";
import { Scenario } from "../lib/monitoring/backtest/scenario";
import { loadScenarioFile, validateScenarios } from "../lib/monitoring/backtest/scenario-file";
import { DEFAULT_SCRAPE_INTERVAL } from "../lib/monitoring/rules/build-platform-rules";
import { buildApp } from "../stacks/app";
import { loadConfig } from "../stacks/config";

/**
 * promtool 3 (the release line the chart deploys) where scripts/fetch-prometheus.sh unpacked it
 * into .tools/, which `npm test` does first; else $PROMTOOL, else promtool on PATH (Debian
 * bookworm's 2.42).
 */
export function defaultPromtool(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.PROMTOOL) return env.PROMTOOL;
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (!existsSync(join(dir, "package.json"))) continue;
    const sid = join(dir, ".tools", "debian-sid", "usr", "bin", "promtool");
    return existsSync(sid) ? sid : "promtool";
  }
  return "promtool";
}

export interface DefaultAppBacktest {
  readonly report: BacktestReport;
  /** Scenarios whose expectations failed on the platform's rules. */
  readonly failed: readonly string[];
  /** The promtool binary that ran the scenarios. */
  readonly promtool: string;
}

/** Backtests the default app's first inference service and its rules, plus `extra` scenarios. */
export async function backtestDefaultApp(extra: readonly Scenario[] = [], env: Readonly<Record<string, string | undefined>> = process.env): Promise<DefaultAppBacktest> {
  const config = loadConfig(env);
  const { platform } = buildApp(config, Testing.app());
  const service = platform.catalog.services[0];
  if (!service) throw new Error("the app declares no inference service to backtest");
  const scenarios = [...DEFAULT_SCENARIOS, ...extra];
  validateScenarios("backtest", scenarios);
  const promtool = defaultPromtool(env);
  const report = await runBacktest({
    promtool,
    scenarios,
    ruleSets: [
      // Thanos' rules watch the long-term storage path, which no scenario drives: their absent()
      // checks would page on every trace, which holds no Thanos targets.
      { name: "platform", groups: platform.monitoring.ruleGroups().filter((g) => g.name !== "thanos") },
      { name: "naive", groups: naiveRuleGroups(service) },
    ],
    placement: { service, poolName: config.inference.gpuPool ?? config.gpuPools[0].name },
    scrapeInterval: DEFAULT_SCRAPE_INTERVAL,
  });
  const failed = report.results.filter((r) => r.ruleSet === "platform" && !r.passed).map((r) => r.scenario.name);
  return { report, failed, promtool };
}

async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf("--scenarios");
  if (i >= 0 && !argv[i + 1]) {
    console.error("usage: npm run backtest [-- --scenarios FILE]");
    process.exit(2);
  }
  const extra = i >= 0 ? loadScenarioFile(resolve(argv[i + 1])) : [];
  const { report, failed, promtool } = await backtestDefaultApp(extra);
  console.log(`${formatReport(report)}\npromtool: ${promtool}`);
  if (failed.length) {
    console.error(`\n${failed.length} scenario(s) missed their expectation on the platform's rules: ${failed.join("; ")}`);
    process.exit(1);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: Error) => {
    console.error(`error: ${e.message}`);
    process.exit(1);
  });
}
