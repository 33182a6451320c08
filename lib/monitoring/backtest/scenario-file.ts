import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PlatformConfigError } from "../../core/errors";
import { checkUnique, parsePrometheusDuration } from "../../core/validate";
import { EXPECTATION_KINDS, Expectation, Keyframe, METRIC_ROLES, MetricRole, Scenario, Timeline } from "./scenario";

/**
 * Users' own scenarios from a YAML file: `scenarios:` holding a list in the shape of `Scenario`.
 * Every error names the file, the scenario and the field.
 *
 *   scenarios:
 *     - name: KV cache fills during a traffic spike
 *       duration: 2h
 *       onset: 1h
 *       signals:
 *         requestRate: [{ at: 1h, value: 20 }]
 *         gpuMemoryUsed: [{ at: 1h, value: 0.7 }, { at: 1h20m, value: 1, ramp: true }]
 *       expect:
 *         - { kind: leadTime, severity: critical, limitAt: 1h20m, atLeast: 10m }
 */
export function loadScenarioFile(file: string): Scenario[] {
  const name = path.basename(file);
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new PlatformConfigError(name, "scenarios", file, `must be a readable YAML file (${(e as Error).message.split("\n")[0]})`);
  }
  const list = isObject(doc) ? doc.scenarios : undefined;
  if (!Array.isArray(list)) throw new PlatformConfigError(name, "scenarios", list, "must be a list of scenarios under the top-level key 'scenarios'");
  const scenarios = list.map((item, i) => parseScenario(name, i, item));
  validateScenarios(name, scenarios);
  return scenarios;
}

/** Checks typed scenarios (the library's own suite too): durations, roles, onset within the trace, unique names. */
export function validateScenarios(source: string, scenarios: readonly Scenario[]): void {
  checkUnique(source, "scenarios[*].name", scenarios.map((s) => s.name));
  for (const s of scenarios) {
    const scope = `${source}: scenario '${s.name}'`;
    const duration = parsePrometheusDuration(scope, "duration", s.duration);
    const onset = parsePrometheusDuration(scope, "onset", s.onset);
    if (onset > duration) throw new PlatformConfigError(scope, "onset", s.onset, `must lie within the trace (duration ${s.duration})`);
    if (s.replicas !== undefined && (!Number.isInteger(s.replicas) || s.replicas < 1 || s.replicas > 10)) {
      throw new PlatformConfigError(scope, "replicas", s.replicas, "must be an integer between 1 and 10");
    }
    for (const [role, timeline] of Object.entries(s.signals)) {
      if (!(role in METRIC_ROLES)) throw new PlatformConfigError(scope, `signals.${role}`, role, `must be one of the metric roles (${Object.keys(METRIC_ROLES).join(", ")})`);
      checkTimeline(scope, `signals.${role}`, timeline as Timeline, duration);
    }
    if (s.expect.length === 0) throw new PlatformConfigError(scope, "expect", s.expect, "must list at least one expectation");
    s.expect.forEach((e, i) => checkExpectation(scope, `expect[${i}]`, e, duration));
  }
}

function checkTimeline(scope: string, prop: string, timeline: Timeline, duration: number): void {
  if (typeof timeline === "number") {
    if (!Number.isFinite(timeline)) throw new PlatformConfigError(scope, prop, timeline, "must be a finite number or a list of keyframes");
    return;
  }
  let previous = -1;
  timeline.forEach((k, i) => {
    const at = parsePrometheusDuration(scope, `${prop}[${i}].at`, k.at);
    if (at > duration) throw new PlatformConfigError(scope, `${prop}[${i}].at`, k.at, "must lie within the trace");
    if (at < previous) throw new PlatformConfigError(scope, `${prop}[${i}].at`, k.at, "must not come before the previous keyframe");
    if (!Number.isFinite(k.value)) throw new PlatformConfigError(scope, `${prop}[${i}].value`, k.value, "must be a finite number");
    previous = at;
  });
}

function checkExpectation(scope: string, prop: string, e: Expectation, duration: number): void {
  if (!(EXPECTATION_KINDS as readonly string[]).includes(e.kind)) {
    throw new PlatformConfigError(scope, `${prop}.kind`, e.kind, `must be one of ${EXPECTATION_KINDS.join(", ")}`);
  }
  if (e.severity !== "warning" && e.severity !== "critical") {
    throw new PlatformConfigError(scope, `${prop}.severity`, e.severity, "must be warning (warning or critical) or critical");
  }
  if (e.kind === "fires") parsePrometheusDuration(scope, `${prop}.within`, e.within);
  if (e.kind === "leadTime") {
    const limit = parsePrometheusDuration(scope, `${prop}.limitAt`, e.limitAt);
    if (limit > duration) throw new PlatformConfigError(scope, `${prop}.limitAt`, e.limitAt, "must lie within the trace");
    parsePrometheusDuration(scope, `${prop}.atLeast`, e.atLeast);
  }
}

/** Shape checks of the YAML; values are checked by validateScenarios. */
function parseScenario(file: string, index: number, item: unknown): Scenario {
  const at = `scenarios[${index}]`;
  if (!isObject(item)) throw new PlatformConfigError(file, at, item, "must be a mapping with name, duration, onset, signals and expect");
  const name = item.name;
  if (typeof name !== "string" || name === "") throw new PlatformConfigError(file, `${at}.name`, name, "must be a non-empty string");
  const scope = `${file}: scenario '${name}'`;
  const signals = item.signals ?? {};
  if (!isObject(signals)) throw new PlatformConfigError(scope, "signals", signals, "must map metric roles to timelines");
  const parsedSignals: Partial<Record<MetricRole, Timeline>> = {};
  for (const [role, value] of Object.entries(signals)) {
    if (!(role in METRIC_ROLES)) throw new PlatformConfigError(scope, `signals.${role}`, role, `must be one of the metric roles (${Object.keys(METRIC_ROLES).join(", ")})`);
    parsedSignals[role as MetricRole] = parseTimeline(scope, `signals.${role}`, value);
  }
  const expect = item.expect;
  if (!Array.isArray(expect)) throw new PlatformConfigError(scope, "expect", expect, "must be a list of expectations");
  return {
    name,
    duration: durationText(scope, "duration", item.duration),
    onset: durationText(scope, "onset", item.onset),
    ...(item.replicas !== undefined ? { replicas: item.replicas as number } : {}),
    signals: parsedSignals,
    expect: expect.map((e, i) => parseExpectation(scope, `expect[${i}]`, e)),
  };
}

function parseTimeline(scope: string, prop: string, value: unknown): Timeline {
  if (typeof value === "number") return value;
  if (!Array.isArray(value)) throw new PlatformConfigError(scope, prop, value, "must be a number or a list of keyframes { at, value, ramp? }");
  return value.map((k, i): Keyframe => {
    if (!isObject(k) || typeof k.value !== "number") throw new PlatformConfigError(scope, `${prop}[${i}]`, k, "must be a keyframe { at: <duration>, value: <number>, ramp?: <boolean> }");
    if (k.ramp !== undefined && typeof k.ramp !== "boolean") throw new PlatformConfigError(scope, `${prop}[${i}].ramp`, k.ramp, "must be true or false");
    return { at: durationText(scope, `${prop}[${i}].at`, k.at), value: k.value, ...(k.ramp !== undefined ? { ramp: k.ramp } : {}) };
  });
}

function parseExpectation(scope: string, prop: string, value: unknown): Expectation {
  if (!isObject(value)) throw new PlatformConfigError(scope, prop, value, "must be a mapping with kind and severity");
  const kind = value.kind;
  const severity = value.severity as Expectation["severity"];
  switch (kind) {
    case "fires":
      return { kind, severity, within: durationText(scope, `${prop}.within`, value.within) };
    case "quiet":
      return { kind, severity };
    case "leadTime":
      return { kind, severity, limitAt: durationText(scope, `${prop}.limitAt`, value.limitAt), atLeast: durationText(scope, `${prop}.atLeast`, value.atLeast) };
    default:
      throw new PlatformConfigError(scope, `${prop}.kind`, kind, `must be one of ${EXPECTATION_KINDS.join(", ")}`);
  }
}

/** A duration field: YAML reads `0` or `90` as numbers; only strings are Prometheus durations. */
function durationText(scope: string, prop: string, value: unknown): string {
  if (typeof value !== "string") throw new PlatformConfigError(scope, prop, value, "must be a Prometheus duration such as 30s, 5m, 1h or 1h30m");
  parsePrometheusDuration(scope, prop, value);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
