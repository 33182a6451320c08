import { createServer } from "http";
import { AddressInfo } from "net";
import { requireExecutable } from "./harness/binaries";
import { freePort } from "./harness/servers";

describe("end-to-end harness: bad input", () => {
  it("names the command that fetches a missing binary", () => {
    expect(() => requireExecutable("prometheus", "/nonexistent/.tools/debian-sid/usr/bin/prometheus")).toThrow(
      "prometheus (Prometheus 3 / Alertmanager 0.3x from Debian sid) not found at /nonexistent/.tools/debian-sid/usr/bin/prometheus: run scripts/fetch-prometheus.sh",
    );
  });

  it("takes the preferred port when it is free and another when it is taken", async () => {
    const taken = createServer();
    await new Promise<void>((ok) => taken.listen(0, "127.0.0.1", () => ok()));
    const port = (taken.address() as AddressInfo).port;
    try {
      const other = await freePort(port);
      expect(other).not.toBe(port);
      expect(other).toBeGreaterThan(0);
    } finally {
      await new Promise((ok) => taken.close(ok));
    }
    expect(await freePort(port)).toBe(port);
  });
});
