import { Expectation } from "./scenario";
import { BacktestReport, formatSeconds, ScenarioResult } from "./run-backtest";

/** The expectation in a few words: "critical within 2m", "no critical", "critical 30m before the limit". */
export function describeExpectation(e: Expectation): string {
  const severity = e.severity === "warning" ? "warning or critical" : "critical";
  switch (e.kind) {
    case "fires":
      return `${severity} within ${e.within}`;
    case "quiet":
      return `no ${severity}`;
    case "leadTime":
      return `${severity} >= ${e.atLeast} before the limit`;
  }
}

/** Per scenario and rule set: the verdict, each expectation against what was measured, and every alert that fired. */
export function formatReport(report: BacktestReport): string {
  const lines: string[] = [];
  const ruleSets = [...new Set(report.results.map((r) => r.ruleSet))];
  for (const ruleSet of ruleSets) {
    lines.push(`== rule set: ${ruleSet}`);
    for (const r of report.results.filter((x) => x.ruleSet === ruleSet)) {
      lines.push(`${r.passed ? "PASS" : "FAIL"}  ${r.scenario.name}`);
      for (const e of r.expectations) lines.push(`        ${e.passed ? "ok  " : "MISS"} ${describeExpectation(e.expectation)}: ${e.detail}`);
      lines.push(`        fired: ${firedList(r)}`);
    }
  }
  lines.push("", tally(report), "", `backtest wall time: ${report.wallSeconds.toFixed(1)} s`);
  return lines.join("\n");
}

function firedList(r: ScenarioResult): string {
  if (r.fired.length === 0) return "nothing";
  return r.fired
    .map((f) => `${f.alertname}/${f.severity} ${f.afterOnsetSeconds !== undefined ? `+${formatSeconds(f.afterOnsetSeconds)}` : ""}${f.firedBeforeOnset ? " (also before onset)" : ""}`.trim())
    .join(", ");
}

/** Scenarios met per rule set, side by side. */
export function tally(report: BacktestReport): string {
  const ruleSets = [...new Set(report.results.map((r) => r.ruleSet))];
  const names = [...new Set(report.results.map((r) => r.scenario.name))];
  const width = Math.max(8, ...names.map((n) => n.length));
  const header = `${"scenario".padEnd(width)}  ${ruleSets.map((s) => s.padEnd(10)).join("  ")}`;
  const rows = names.map((name) => {
    const cells = ruleSets.map((s) => {
      const r = report.results.find((x) => x.ruleSet === s && x.scenario.name === name);
      return (r ? (r.passed ? "met" : "MISSED") : "-").padEnd(10);
    });
    return `${name.padEnd(width)}  ${cells.join("  ")}`;
  });
  const totals = ruleSets.map((s) => {
    const mine = report.results.filter((r) => r.ruleSet === s);
    return `${mine.filter((r) => r.passed).length}/${mine.length}`.padEnd(10);
  });
  return [header, ...rows, `${"total met".padEnd(width)}  ${totals.join("  ")}`].join("\n");
}
