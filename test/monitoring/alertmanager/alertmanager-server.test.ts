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
import { ALERTMANAGER, requireTool, TempDir } from "./amtool";

/**
 * A real Alertmanager 0.25 loads the platform policy as rendered, with its receivers pointed at
 * a webhook server in this test, and the bearer token read from a mounted-secret layout.
 */

const WAIT_LIMIT_MS = 20_000;
const TOKEN = "e2e-token-not-in-config";

interface Notification {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly alerts: readonly { readonly labels: Readonly<Record<string, string>> }[];
}

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

describe("Alertmanager 0.25 running the rendered platform policy", () => {
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
  const alertNames = (path: string) => sentTo(path).flatMap((n) => n.alerts.map((a) => `${a.labels.alertname}/${a.labels.severity}/${a.labels.pod ?? "-"}`));

  beforeAll(async () => {
    requireTool(ALERTMANAGER);
    mkdirSync(join(dir.path, "secrets", "am-e2e"), { recursive: true });
    writeFileSync(join(dir.path, "secrets", "am-e2e", "token"), TOKEN);
    const hookPort = await listen(receiver);
    const hook = (path: string): ReceiverIntegration[] => [
      { kind: "webhook", url: `http://127.0.0.1:${hookPort}${path}`, bearerToken: AlertmanagerSecret.fromKubernetesSecret("am-e2e", "token") },
    ];
    const yaml = toAlertmanagerYaml(
      platformAlertmanagerConfig({
        pager: hook("/pager"),
        chat: hook("/chat"),
        heartbeat: hook("/heartbeat"),
        groupWait: AlertDuration.seconds(1),
        groupInterval: AlertDuration.seconds(1),
      }),
      { targetVersion: "0.25", secretsMountPath: join(dir.path, "secrets") },
    );
    expect(yaml).not.toContain(TOKEN);

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

    const gpu = { namespace: "inference", service: "talking-head" };
    const crash = { alertname: "KubePodCrashLooping", namespace: "inference", service: "asr", severity: "warning" };
    const alerts = [
      { ...gpu, alertname: "GpuMemoryHigh", severity: "critical" },
      { ...gpu, alertname: "GpuMemoryHigh", severity: "warning" },
      { alertname: "KubeNodeNotReady", severity: "warning", node: "gpu-node-1" },
      { ...crash, pod: "asr-0", node: "gpu-node-1" },
      { ...crash, pod: "asr-1", node: "gpu-node-2" },
      { alertname: "Watchdog", severity: "none", heartbeat: "true" },
      // GPU alerts carry no service: Hostname and gpu keep one GPU's critical off another's warning.
      { alertname: "GpuMemoryPressure", severity: "critical", Hostname: "node-a", gpu: "0", pod: "gpu-a0" },
      { alertname: "GpuMemoryPressure", severity: "warning", Hostname: "node-b", gpu: "1", pod: "gpu-b1" },
    ];
    const posted = await fetch(`${api}/api/v2/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(alerts.map((labels) => ({ labels, annotations: { summary: labels.alertname } }))),
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

  it("pages once for the critical and mutes its warning (same alertname and service)", () => {
    expect(alertNames("/pager").sort()).toEqual(["GpuMemoryHigh/critical/-", "GpuMemoryPressure/critical/gpu-a0"]);
    expect(alertNames("/chat")).not.toContain("GpuMemoryHigh/warning/-");
  });

  it("mutes the pods of a node that is down, not those of other nodes", () => {
    expect(alertNames("/chat").sort()).toEqual(["GpuMemoryPressure/warning/gpu-b1", "KubeNodeNotReady/warning/-", "KubePodCrashLooping/warning/asr-1"]);
  });

  it("sends the heartbeat to its own receiver at once", () => {
    expect(alertNames("/heartbeat")).toEqual(["Watchdog/none/-"]);
  });

  it("reads the bearer token from the mounted secret file", () => {
    expect(new Set(notifications.map((n) => n.authorization))).toEqual(new Set([`Bearer ${TOKEN}`]));
  });

  it("reports the muted alerts as suppressed, inhibited by their source", async () => {
    const alerts = (await (await fetch(`${api}/api/v2/alerts`)).json()) as {
      labels: Record<string, string>;
      status: { state: string; inhibitedBy: string[] };
    }[];
    const state = Object.fromEntries(
      alerts.map((a) => [
        `${a.labels.alertname}/${a.labels.severity}/${a.labels.pod ?? "-"}`,
        `${a.status.state}${a.status.inhibitedBy.length > 0 ? " (inhibited)" : ""}`,
      ]),
    );
    expect(state).toEqual({
      "GpuMemoryHigh/critical/-": "active",
      "GpuMemoryHigh/warning/-": "suppressed (inhibited)",
      "GpuMemoryPressure/critical/gpu-a0": "active",
      "GpuMemoryPressure/warning/gpu-b1": "active",
      "KubeNodeNotReady/warning/-": "active",
      "KubePodCrashLooping/warning/asr-0": "suppressed (inhibited)",
      "KubePodCrashLooping/warning/asr-1": "active",
      "Watchdog/none/-": "active",
    });
  });
});
