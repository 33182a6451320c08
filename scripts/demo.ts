/**
 * `npm run demo`: the default app's alerting on this machine, before deploying anything.
 * Reference exporters (a model server speaking the default metric contract, DCGM exporters,
 * kube-state-metrics) are scraped by Prometheus 3 running the exported rules; Alertmanager 0.3x
 * routes with the exported configuration to a local sink that prints each notification. Time
 * runs under the end-to-end test profile (durations divided by its factor). Ctrl-C stops it all.
 */
import { FAULTS, LocalStack } from "../test/e2e/harness/local-stack";
import { Notification } from "../test/e2e/harness/servers";
import { DEMO_TIME_PROFILE } from "../test/e2e/harness/time-profile";

const PREFERRED_PORTS = { prometheus: 9090, alertmanager: 9093, sink: 9095, control: 9096 } as const;

function formatNotification(n: Notification): string {
  const time = new Date(n.at).toISOString().slice(11, 19);
  return n.alerts
    .map((a) => {
      const { alertname, severity, ...rest } = a.labels;
      const where = ["namespace", "service", "pod", "Hostname", "node", "gpu", "slo"]
        .filter((k) => rest[k] !== undefined)
        .map((k) => `${k}=${rest[k]}`)
        .join(" ");
      return `${time}  ${n.receiver.padEnd(9)} ${a.status.toUpperCase().padEnd(8)} ${alertname} (${severity}) ${where}`;
    })
    .join("\n");
}

async function main(): Promise<void> {
  const stack = new LocalStack({ control: true, preferredPorts: PREFERRED_PORTS, profile: DEMO_TIME_PROFILE });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping Prometheus, Alertmanager and the exporters ...");
    await stack.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));

  console.log("starting the local alerting demo (default app's exported rules and routing) ...");
  await stack.start();
  const p = stack.profile;
  let heartbeats = 0;
  stack.sink.onNotification((n) => {
    if (n.receiver === "heartbeat") {
      if (heartbeats++ === 0) console.log(`${formatNotification(n)}   (the heartbeat repeats every ${60 / p.factor} s; not shown again)`);
      return;
    }
    console.log(formatNotification(n));
  });

  const control = stack.controlUrl;
  console.log(`
Prometheus    ${stack.prometheus?.url}/alerts     (rules, targets, graphs)
Alertmanager  ${stack.alertmanager?.url}          (routing, silences, inhibited alerts)
Sink          every receiver posts to ${stack.sink.urlFor("<receiver>")}; notifications print below
Time          ${p.factor}x faster: scrape and evaluation every ${p.scrapeIntervalSeconds} s, 5m of 'for' takes ${300 / p.factor} s

Inject a fault (each raises the alert named; several may run at once):
${FAULTS.map((f) => `  curl -X POST ${control}/faults/${f.name.padEnd(20)} # ${f.description} -> ${f.expect.alertname} (${f.expect.severity}) at ${f.expect.receiver}`).join("\n")}
Heal everything:
  curl -X POST ${control}/recover

Ctrl-C stops everything.
`);
}

main().catch((e: Error) => {
  console.error(`error: ${e.message}`);
  process.exit(1);
});
