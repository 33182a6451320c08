// Incident backtests of rule sets with promtool: scenarios, series from the metric contract, the run and its report.
export * from "./scenario";
export * from "./series";
export * from "./default-scenarios";
export * from "./scenario-file";
export * from "./naive-rules";
export * from "./run-backtest";
export * from "./report";
