import { ChildProcess, spawn } from "child_process";
import { createServer, IncomingMessage, Server } from "http";
import { AddressInfo } from "net";

/** Servers started on loopback and always stopped, and the webhook sink that stands in for receivers. */

/* ---------- ports ---------- */

async function listenOn(server: Server, port: number): Promise<number> {
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => ok());
  });
  return (server.address() as AddressInfo).port;
}

/** `preferred` when it is free on loopback, else any free port. */
export async function freePort(preferred = 0): Promise<number> {
  for (const candidate of preferred ? [preferred, 0] : [0]) {
    const probe = createServer();
    try {
      const port = await listenOn(probe, candidate);
      await new Promise((ok) => probe.close(ok));
      return port;
    } catch {
      probe.close();
    }
  }
  throw new Error("no free port on 127.0.0.1");
}

/* ---------- child processes ---------- */

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every server still running when the Node process exits, however it exits. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of running) child.kill("SIGKILL");
  });
}

export class ServerProcess {
  private log = "";

  private constructor(
    public readonly name: string,
    public readonly url: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on("data", (d: Buffer) => (this.log = (this.log + d.toString()).slice(-20_000)));
    child.stderr?.on("data", (d: Buffer) => (this.log = (this.log + d.toString()).slice(-20_000)));
    child.once("exit", () => running.delete(child));
  }

  /**
   * Starts `binary` with `args(port)` on a free loopback port (`preferredPort` if free) and waits
   * for `readyPath`. A port taken between the probe and the bind makes it try another.
   */
  public static async start(
    name: string,
    binary: string,
    args: (port: number) => string[],
    options: { readonly readyPath: string; readonly preferredPort?: number; readonly timeoutMs?: number },
  ): Promise<ServerProcess> {
    installExitHook();
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort(attempt === 0 ? options.preferredPort : 0);
      const child = spawn(binary, args(port), { stdio: ["ignore", "pipe", "pipe"] });
      running.add(child);
      const server = new ServerProcess(name, `http://127.0.0.1:${port}`, child);
      try {
        await server.waitReady(options.readyPath, options.timeoutMs ?? 15_000);
        return server;
      } catch (e) {
        lastError = e as Error;
        await server.stop();
        if (!/address already in use/.test(server.log)) break;
      }
    }
    throw lastError ?? new Error(`${name} did not start`);
  }

  public get output(): string {
    return this.log;
  }

  private async waitReady(path: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}) before it was ready:\n${this.log}`);
      }
      const ok = await fetch(`${this.url}${path}`).then((r) => r.ok, () => false);
      if (ok) return;
      await sleep(100);
    }
    throw new Error(`${this.name} not ready at ${this.url}${path} after ${timeoutMs} ms:\n${this.log}`);
  }

  /** SIGTERM, then SIGKILL after 3 s; resolves once the process is gone. */
  public async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((ok) => child.once("exit", ok));
    child.kill("SIGTERM");
    const force = setTimeout(() => child.kill("SIGKILL"), 3_000);
    await exited;
    clearTimeout(force);
  }
}

export const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/* ---------- webhook sink ---------- */

/** One notification as Alertmanager's webhook sends it. */
export interface Notification {
  /** Receiver name: the sink serves `/<receiver>`. */
  readonly receiver: string;
  /** Milliseconds since the epoch when it arrived. */
  readonly at: number;
  readonly status: "firing" | "resolved";
  readonly groupKey: string;
  readonly alerts: readonly { readonly status: "firing" | "resolved"; readonly labels: Readonly<Record<string, string>>; readonly fingerprint: string }[];
}

/** A small HTTP server that stands in for every receiver and records what arrives. */
export class WebhookSink {
  public readonly notifications: Notification[] = [];
  private readonly listeners: ((n: Notification) => void)[] = [];
  private readonly server = createServer((req, res) => {
    readBody(req).then((body) => {
      const payload = JSON.parse(body) as Omit<Notification, "receiver" | "at">;
      const n: Notification = { ...payload, receiver: (req.url ?? "/").slice(1), at: Date.now() };
      this.notifications.push(n);
      this.listeners.forEach((l) => l(n));
      res.end("ok");
    });
  });
  private port = 0;

  public async start(preferredPort = 0): Promise<void> {
    this.port = await listenOn(this.server, await freePort(preferredPort));
  }

  /** The URL Alertmanager posts `receiver`'s notifications to. */
  public urlFor(receiver: string): string {
    return `http://127.0.0.1:${this.port}/${receiver}`;
  }

  public onNotification(listener: (n: Notification) => void): void {
    this.listeners.push(listener);
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((ok) => this.server.close(ok));
  }
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => ok(body));
  });
}
