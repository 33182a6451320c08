import { queriesThatMustReturnData } from "./data-queries";
import { ExpectedAlert, Fault, FAULTS, LocalStack, NODES } from "./harness/local-stack";
import { QueryOutcome, runQueries } from "./harness/queries";
import { binaryVersion } from "./harness/binaries";
import { Notification, sleep } from "./harness/servers";
import { parseDurationMs } from "./harness/time-profile";

/**
 * The whole path on real servers: reference exporters -> Prometheus 3 running the default app's
 * exported rules -> Alertmanager 0.3x with its exported routing -> a webhook sink per receiver,
 * under the time profile of harness/time-profile.ts. One healthy phase, then every fault at once
 * (each on its own signal, pod, node or GPU), then recovery. Never skipped: without the binaries
 * it fails and names the command that fetches them.
 */

const FAULT_PHASE_LIMIT_MS = 40_000;
const RECOVERY_LIMIT_MS = 30_000;
/**
 * Detection may exceed scrape + evaluation + `for` by the time a rate window needs to cross the
 * threshold, Alertmanager's (compressed) group_wait and scheduling on a loaded 2-core machine.
 */
const DETECTION_SLACK_SECONDS = 8;
/**
 * The SLO burn-rate alerts are the service's objectives reacting to the error and latency faults;
 * the latency rise (2 s, twice the 1 s latency objective, at normal traffic) also pages as
 * InferenceSlowUnderLoad, as its detection budget asks.
 */
const CONSEQUENCES = ["InferenceSloBudgetBurn", "InferenceSlowUnderLoad"];
const HEARTBEAT = "DeadMansSwitch";

interface PromAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly state: string;
}

const matches = (labels: Readonly<Record<string, string>>, e: Pick<ExpectedAlert, "alertname" | "severity" | "labels">) =>
  labels.alertname === e.alertname && labels.severity === e.severity && Object.entries(e.labels).every(([k, v]) => labels[k] === v);

/** Firing notifications at `receiver` that carry the expected alert as firing. */
const firingWith = (ns: readonly Notification[], e: ExpectedAlert) =>
  ns.filter((n) => n.receiver === e.receiver && n.alerts.some((a) => a.status === "firing" && matches(a.labels, e)));

async function waitFor(what: string, limitMs: number, done: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`gave up after ${limitMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

describe("alerting end to end on Prometheus 3 and Alertmanager 0.3x", () => {
  const stack = new LocalStack();
  const prom = async <T>(path: string): Promise<T> => ((await (await fetch(`${stack.prometheus?.url}${path}`)).json()) as { data: T }).data;

  let healthyAlerts: PromAlert[] = [];
  let healthyNotifications: Notification[] = [];
  let dataQueries: QueryOutcome[] = [];
  let dataQueriesDuringFaults: QueryOutcome[] = [];
  let injectedAt = 0;
  let recoveredAt = 0;
  let inhibitedDuringFault: { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }[] = [];
  let ruleHealth: { name: string; health: string; lastError?: string }[] = [];
  const report: string[] = [];

  beforeAll(async () => {
    const started = Date.now();
    const evaluationMs = stack.profile.evaluationIntervalSeconds * 1_000;
    await stack.start();

    // Healthy phase: until a whole (compressed) rate window of traffic is in, plus a few evaluations.
    await waitFor("a full rate window of healthy traffic", 30_000, async () => {
      const r = await prom<{ result: { value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent("namespace_service:inference_requests:rate5m")}`);
      return r.result.length === 1 && Number(r.result[0].value[1]) >= 5.9;
    });
    await sleep(2 * evaluationMs);
    healthyAlerts = (await prom<{ alerts: PromAlert[] }>("/api/v1/alerts")).alerts;
    healthyNotifications = [...stack.sink.notifications];
    const queries = queriesThatMustReturnData(stack.rules, stack.dashboards, stack.profile);
    dataQueries = await runQueries(stack.prometheus!.url, queries);

    injectedAt = Date.now();
    await Promise.all(FAULTS.map((f) => f.inject(stack.cluster)));
    const notified = (f: Fault) => firingWith(stack.sink.notifications, f.expect).length > 0;
    await waitFor("every fault's alert at its receiver", FAULT_PHASE_LIMIT_MS, () => FAULTS.every(notified)).catch((e: Error) => {
      throw new Error(`${e.message}; missing: ${FAULTS.filter((f) => !notified(f)).map((f) => f.name).join(", ")}`);
    });
    inhibitedDuringFault = (await (await fetch(`${stack.alertmanager?.url}/api/v2/alerts`)).json()) as typeof inhibitedDuringFault;
    dataQueriesDuringFaults = await runQueries(stack.prometheus!.url, queries);
    // Longer than group_interval: a duplicate notification of an unchanged incident would show now.
    await sleep(parseDurationMs(stack.alertmanagerFile.route.group_interval ?? "5m") + 1_000);

    recoveredAt = Date.now();
    await stack.cluster.recover();
    const resolvedAfterRecovery = (f: Fault) => resolution(f) !== undefined;
    await waitFor("every fault's alert resolved at its receiver", RECOVERY_LIMIT_MS, () => FAULTS.every(resolvedAfterRecovery)).catch((e: Error) => {
      throw new Error(`${e.message}; not resolved: ${FAULTS.filter((f) => !resolvedAfterRecovery(f)).map((f) => f.name).join(", ")}`);
    });
    const groups = await prom<{ groups: { rules: { name: string; health: string; lastError?: string }[] }[] }>("/api/v1/rules");
    ruleHealth = groups.groups.flatMap((g) => g.rules);

    report.push(`end-to-end wall time ${((Date.now() - started) / 1000).toFixed(1)} s (profile: durations / ${stack.profile.factor}, scrape and evaluation ${stack.profile.scrapeIntervalSeconds} s)`);
    const dashboardCount = dataQueries.filter((q) => q.query.name.startsWith("dashboard ")).length;
    report.push(`${dataQueries.length - dashboardCount} recording rules and ${dashboardCount} dashboard queries run against it`);
    report.push("fault                 alert                             detected  budget (scrape + eval + for)  resolved after recovery");
    for (const f of FAULTS) {
      const first = firingWith(stack.sink.notifications, f.expect)[0];
      const resolved = resolution(f);
      report.push(
        `${f.name.padEnd(22)}${`${f.expect.alertname}/${f.expect.severity}`.padEnd(34)}${`${((first.at - injectedAt) / 1000).toFixed(1)} s`.padEnd(10)}` +
          `${`${budgetSeconds(f.expect).toFixed(1)} s`.padEnd(30)}${resolved ? `${((resolved.at - (f.selfResolving ? first.at : recoveredAt)) / 1000).toFixed(1)} s` : "-"}${f.selfResolving ? " (by itself, after firing)" : ""}`,
      );
    }
    console.info(report.join("\n"));
  }, 120_000);

  afterAll(() => stack.stop());

  /** The resolved notification at the fault's receiver: after recovery, or after firing for a self-resolving alert. */
  function resolution(f: Fault): Notification | undefined {
    const since = f.selfResolving ? (firingWith(stack.sink.notifications, f.expect)[0]?.at ?? Infinity) : recoveredAt;
    return stack.sink.notifications.find(
      (n) => n.at >= since && n.receiver === f.expect.receiver && n.status === "resolved" && n.alerts.some((a) => a.status === "resolved" && matches(a.labels, f.expect)),
    );
  }

  /** Scrape interval + evaluation interval + the rule's `for` (as loaded: already under the profile). */
  function budgetSeconds(e: ExpectedAlert): number {
    const rule = Object.values(stack.rules)
      .flatMap((f) => f.groups.flatMap((g) => g.rules))
      .find((r) => r.alert === e.alertname && (r.labels as Record<string, string> | undefined)?.severity === e.severity);
    if (!rule) throw new Error(`no exported rule ${e.alertname} with severity ${e.severity}`);
    return stack.profile.scrapeIntervalSeconds + stack.profile.evaluationIntervalSeconds + (rule.for === undefined ? 0 : parseDurationMs(rule.for) / 1_000);
  }

  it("runs Prometheus 3.x and Alertmanager 0.3x", () => {
    expect(binaryVersion("prometheus")).toMatch(/^3\./);
    expect(Number(binaryVersion("alertmanager").split(".")[1])).toBeGreaterThanOrEqual(30);
  });

  it("loads every exported rule and evaluates it without error, through faults and recovery", () => {
    const exported = Object.values(stack.rules).flatMap((f) => f.groups.flatMap((g) => g.rules));
    expect(ruleHealth).toHaveLength(exported.length);
    expect(ruleHealth.filter((r) => r.health !== "ok")).toEqual([]);
  });

  it("raises nothing on healthy traffic but the heartbeat, pending included", () => {
    expect(healthyAlerts.map((a) => `${a.labels.alertname}:${a.state}`)).toEqual([`${HEARTBEAT}:firing`]);
    expect(new Set(healthyNotifications.map((n) => n.receiver))).toEqual(new Set(["heartbeat"]));
    expect(new Set(healthyNotifications.flatMap((n) => n.alerts.map((a) => a.labels.alertname)))).toEqual(new Set([HEARTBEAT]));
  });

  it("runs every recording rule and dashboard query without error, each with data when healthy or under the faults", () => {
    expect(dataQueries.filter((q) => q.query.name.startsWith("dashboard ")).length).toBeGreaterThan(0);
    const errors = [...dataQueries, ...dataQueriesDuringFaults].filter((q) => q.error !== undefined).map((q) => `${q.query.name}: ${q.error}`);
    expect(errors).toEqual([]);
    // Firing alerts, XID events: empty while healthy, as they should be; every query has data in one phase.
    const empty = dataQueries.filter((q, i) => q.series === 0 && dataQueriesDuringFaults[i].series === 0).map((q) => `${q.query.name}: ${q.query.expr}`);
    expect(empty).toEqual([]);
  });

  it("gives every recording rule data on the healthy system", () => {
    expect(dataQueries.filter((q) => q.query.name.startsWith("recording rule ") && q.series === 0).map((q) => q.query.name)).toEqual([]);
  });

  describe.each(FAULTS.map((f) => [f.name, f] as const))("fault %s", (_name, fault) => {
    const e = fault.expect;

    it(`delivers ${e.alertname} (${e.severity}) to ${e.receiver} within scrape + evaluation + for (+ slack)`, () => {
      const first = firingWith(stack.sink.notifications, e)[0];
      expect(first).toBeDefined();
      expect((first.at - injectedAt) / 1000).toBeLessThanOrEqual(budgetSeconds(e) + DETECTION_SLACK_SECONDS);
    });

    it("notifies once per incident, and nowhere else", () => {
      const before = stack.sink.notifications.filter((n) => n.at < recoveredAt && n.status === "firing");
      expect(firingWith(before, e)).toHaveLength(1);
      const elsewhere = before.filter((n) => n.receiver !== e.receiver && n.alerts.some((a) => a.status === "firing" && matches(a.labels, e)));
      expect(elsewhere).toEqual([]);
    });

    it(fault.selfResolving ? "sends the resolution once the event leaves the alert's window" : "sends the resolution after recovery", () => {
      expect(resolution(fault)).toBeDefined();
    });
  });

  it("inhibits the warning of a GPU whose critical fires (same alert, same GPU)", () => {
    const muted = { alertname: "GpuMemoryPressure", severity: "warning", labels: { Hostname: NODES.b, gpu: "0" } } as const;
    const firing = stack.sink.notifications.filter((n) => n.alerts.some((a) => a.status === "firing" && matches(a.labels, muted)));
    expect(firing).toEqual([]);
    const state = inhibitedDuringFault.filter((a) => matches(a.labels, muted)).map((a) => [a.status.state, a.status.inhibitedBy.length > 0]);
    expect(state).toEqual([["suppressed", true]]);
  });

  it("raises nothing beyond the injected faults, their SLO burn and the heartbeat", () => {
    const expected = new Set([...FAULTS.map((f) => f.expect.alertname), ...CONSEQUENCES, HEARTBEAT]);
    const unexpected = stack.sink.notifications.flatMap((n) => n.alerts.filter((a) => a.status === "firing" && !expected.has(a.labels.alertname)).map((a) => a.labels));
    expect(unexpected).toEqual([]);
  });

  it("sends the heartbeat to its own receiver only, all along", () => {
    const heartbeats = stack.sink.notifications.filter((n) => n.alerts.some((a) => a.labels.alertname === HEARTBEAT));
    expect(new Set(heartbeats.map((n) => n.receiver))).toEqual(new Set(["heartbeat"]));
    expect(heartbeats.filter((n) => n.at > recoveredAt).length).toBeGreaterThan(0);
  });
});
