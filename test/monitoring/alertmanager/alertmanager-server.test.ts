import { ChildProcess, spawn } from "child_process";
import { mkdirSync, writeFileSync } from "fs";
import { createServer, IncomingMessage, Server } from "http";
import { AddressInfo } from "net";
import { join } from "path";
import {
  AlertDuration,
  AlertmanagerSecret,
  platformAlertmanagerConfig,
  ReceiverIntegration,
  toAlertmanagerYaml,
} from "../../../lib/monitoring/alertmanager";
import { expectedAlerts, findExpectedAlert } from "../../promtool/expected-alerts";
import { ALERTMANAGER, AMTOOL_TARGET_VERSION, requireTool, TempDir } from "./amtool";

/**
 * A real Alertmanager 0.3x (the chart's release line) loads the platform policy as rendered, with
 * its receivers pointed at a webhook server in this test; the bearer token and the pager's URL
 * are read from a mounted-secret layout (`credentials_file`, `url_file`). The alerts are those
 * the promtool unit tests expect from the rules on cluster-realistic series, labels and
 * annotations as promtool checks them, so inhibition is proven on real label sets.
 */

const WAIT_LIMIT_MS = 20_000;
const TOKEN = "e2e-token-not-in-config";

interface Notification {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly alerts: readonly { readonly labels: Readonly<Record<string, string>>; readonly annotations: Readonly<Record<string, string>> }[];
}

/** alertname/severity/node/what: the GPU or pod an alert is about. */
const key = (l: Readonly<Record<string, string>>) => `${l.alertname}/${l.severity}/${l.node ?? "-"}/${l.gpu !== undefined ? `gpu${l.gpu}` : (l.pod ?? "-")}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `done()` or the limit, then fails with `what`. */
async function waitFor(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (Date.now() < deadline) {
    if (await done()) return;
    await sleep(100);
  }
  throw new Error(`gave up after ${WAIT_LIMIT_MS} ms waiting for ${what}`);
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => resolve(body));
  });
}

describe("Alertmanager 0.3x running the rendered platform policy", () => {
  const dir = new TempDir();
  const notifications: Notification[] = [];
  const receiver = createServer(async (req, res) => {
    const body = JSON.parse(await readBody(req)) as { alerts: Notification["alerts"] };
    notifications.push({ path: req.url ?? "", authorization: req.headers.authorization, alerts: body.alerts });
    res.end("ok");
  });
  let server: ChildProcess | undefined;
  let serverLog = "";
  let api = "";

  const sentTo = (path: string) => notifications.filter((n) => n.path === path);
  const alertNames = (path: string) => sentTo(path).flatMap((n) => n.alerts.map((a) => key(a.labels)));

  beforeAll(async () => {
    requireTool(ALERTMANAGER);
    mkdirSync(join(dir.path, "secrets", "am-e2e"), { recursive: true });
    writeFileSync(join(dir.path, "secrets", "am-e2e", "token"), TOKEN);
    const hookPort = await listen(receiver);
    writeFileSync(join(dir.path, "secrets", "am-e2e", "pager-url"), `http://127.0.0.1:${hookPort}/pager`);
    const token = AlertmanagerSecret.fromKubernetesSecret("am-e2e", "token");
    const hook = (path: string): ReceiverIntegration[] => [{ kind: "webhook", url: `http://127.0.0.1:${hookPort}${path}`, bearerToken: token }];
    const yaml = toAlertmanagerYaml(
      platformAlertmanagerConfig({
        pager: [{ kind: "webhook", urlSecret: AlertmanagerSecret.fromKubernetesSecret("am-e2e", "pager-url"), bearerToken: token }],
        chat: hook("/chat"),
        heartbeat: hook("/heartbeat"),
        groupWait: AlertDuration.seconds(1),
        groupInterval: AlertDuration.seconds(1),
      }),
      { targetVersion: AMTOOL_TARGET_VERSION, secretsMountPath: join(dir.path, "secrets") },
    );
    expect(yaml).not.toContain(TOKEN);
    expect(yaml).not.toContain(`127.0.0.1:${hookPort}/pager`);

    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    server = spawn(
      ALERTMANAGER,
      [
        `--config.file=${dir.write("alertmanager.yaml", yaml)}`,
        `--storage.path=${join(dir.path, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--cluster.listen-address=",
        "--log.level=warn",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    server.stdout?.on("data", (d: Buffer) => (serverLog += d.toString()));
    server.stderr?.on("data", (d: Buffer) => (serverLog += d.toString()));
    await waitFor(`Alertmanager to be ready at ${api} (log: ${serverLog})`, async () => {
      if (server?.exitCode !== null) throw new Error(`Alertmanager exited with ${server?.exitCode}: ${serverLog}`);
      return fetch(`${api}/-/ready`).then((r) => r.ok, () => false);
    });

    const tested = expectedAlerts();
    const a1 = { alertname: "GpuMemoryPressure", UUID: "GPU-a1" };
    const b0 = { alertname: "GpuMemoryPressure", UUID: "GPU-b0" };
    const memory = "memory pressure fires";
    const alerts = [
      // node-a is NotReady: its GPUs (a0, a1) and its pod (inference-server-7c9d8f-abcde) are muted.
      findExpectedAlert(tested, { alertname: "GpuNodeNotReady", node: "node-a" }),
      findExpectedAlert(tested, { ...a1, severity: "critical" }, memory),
      findExpectedAlert(tested, { ...a1, severity: "warning" }, memory),
      findExpectedAlert(tested, { alertname: "GpuMemoryPressure", UUID: "GPU-a0" }, memory),
      findExpectedAlert(tested, { alertname: "InferencePodRestarting", pod: "inference-server-7c9d8f-abcde" }),
      // node-b is fine: its critical pages and mutes its own warning; its OOMKilled pod is reported.
      findExpectedAlert(tested, { ...b0, severity: "critical" }, memory),
      findExpectedAlert(tested, { ...b0, severity: "warning" }, memory),
      findExpectedAlert(tested, { alertname: "InferencePodOOMKilled", pod: "inference-server-7c9d8f-fghij" }),
      // The idle GPU c0 on node-c: reported, and said to be allocated to no pod.
      findExpectedAlert(tested, { alertname: "GpuMemoryPressure", UUID: "GPU-c0" }, memory),
      // A service-level alert at both severities: no node, the critical mutes the warning.
      findExpectedAlert(tested, { alertname: "InferenceTargetDown", severity: "critical" }),
      findExpectedAlert(tested, { alertname: "InferenceTargetDown", severity: "warning" }, "every target down"),
      findExpectedAlert(tested, { alertname: "DeadMansSwitch" }),
    ].map((a) => ({ labels: a.labels, annotations: a.annotations }));
    const posted = await fetch(`${api}/api/v2/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(alerts),
    });
    expect(posted.status).toBe(200);
    await waitFor("the pager, chat and heartbeat notifications", () => sentTo("/pager").length >= 2 && sentTo("/chat").length >= 3 && sentTo("/heartbeat").length >= 1);
    // Longer than group_wait + group_interval: anything not muted would have arrived by now.
    await sleep(2_500);
  }, 40_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once("exit", resolve));
      server.kill("SIGTERM");
      const forceKill = setTimeout(() => server?.kill("SIGKILL"), 3_000);
      await exited;
      clearTimeout(forceKill);
    }
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    dir.dispose();
  });

  it("pages once per critical and mutes its warning (same alert on the same GPU or service)", () => {
    expect(alertNames("/pager").sort()).toEqual(["GpuMemoryPressure/critical/node-b/gpu0", "InferenceTargetDown/critical/-/-"]);
  });

  it("mutes the GPU and pod alerts of the node that is down, not those of other nodes", () => {
    expect(alertNames("/chat").sort()).toEqual([
      "GpuMemoryPressure/warning/node-c/gpu0",
      "GpuNodeNotReady/warning/node-a/-",
      "InferencePodOOMKilled/warning/node-b/inference-server-7c9d8f-fghij",
    ]);
  });

  it("delivers the descriptions the rules write: an idle GPU is allocated to no pod", () => {
    const idle = sentTo("/chat")
      .flatMap((n) => n.alerts)
      .find((a) => a.labels.UUID === "GPU-c0");
    expect(idle?.annotations.description).toBe("GPU 0 (NVIDIA A10G) on node-c, allocated to no pod: memory 85% full.");
    const used = sentTo("/pager")
      .flatMap((n) => n.alerts)
      .find((a) => a.labels.UUID === "GPU-b0");
    expect(used?.annotations.description).toBe(
      "GPU 0 (NVIDIA L4) on node-b in pool g6-spot, used by llm/vllm-5d6c7b-klmno: memory 99% full. Pages at 98% at once, and above the critical threshold only while still growing: a model server that preallocates near-full memory and stays flat gets the warning, not a page.",
    );
  });

  it("sends the heartbeat to its own receiver at once", () => {
    expect(alertNames("/heartbeat")).toEqual(["DeadMansSwitch/info/-/-"]);
  });

  it("reads the pager's webhook URL from its mounted secret file (url_file)", () => {
    expect(sentTo("/pager").length).toBeGreaterThan(0);
  });

  it("reads the bearer token from the mounted secret file", () => {
    expect(new Set(notifications.map((n) => n.authorization))).toEqual(new Set([`Bearer ${TOKEN}`]));
  });

  it("reports the muted alerts as suppressed, inhibited by their source", async () => {
    const alerts = (await (await fetch(`${api}/api/v2/alerts`)).json()) as {
      labels: Record<string, string>;
      status: { state: string; inhibitedBy: string[] };
    }[];
    const state = Object.fromEntries(alerts.map((a) => [key(a.labels), `${a.status.state}${a.status.inhibitedBy.length > 0 ? " (inhibited)" : ""}`]));
    expect(state).toEqual({
      "DeadMansSwitch/info/-/-": "active",
      "GpuNodeNotReady/warning/node-a/-": "active",
      "GpuMemoryPressure/critical/node-a/gpu1": "suppressed (inhibited)",
      "GpuMemoryPressure/warning/node-a/gpu1": "suppressed (inhibited)",
      "GpuMemoryPressure/warning/node-a/gpu0": "suppressed (inhibited)",
      "InferencePodRestarting/warning/node-a/inference-server-7c9d8f-abcde": "suppressed (inhibited)",
      "GpuMemoryPressure/critical/node-b/gpu0": "active",
      "GpuMemoryPressure/warning/node-b/gpu0": "suppressed (inhibited)",
      "InferencePodOOMKilled/warning/node-b/inference-server-7c9d8f-fghij": "active",
      "GpuMemoryPressure/warning/node-c/gpu0": "active",
      "InferenceTargetDown/critical/-/-": "active",
      "InferenceTargetDown/warning/-/-": "suppressed (inhibited)",
    });
  });
});
