import { App, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { DIAGRAM_END, DIAGRAM_START, defaultAppDiagram, diagramOf, withDiagram } from "../../scripts/diagram";
import { DEFAULT_CONFIG } from "../../stacks/config";
import { ROOT } from "./project-copy";

describe("npm run diagram", () => {
  const diagram = defaultAppDiagram(DEFAULT_CONFIG);

  test("the README embeds the default app's current diagram", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).toContain(DIAGRAM_START);
    expect(readme).toContain(DIAGRAM_END);
    // Stale? Run `npm run diagram` and commit README.md.
    expect(withDiagram(readme, diagram)).toBe(readme);
  });

  test("the default app's data flows are drawn from its construct tree and values", () => {
    const edges = diagram.split("\n").filter((l) => /-->|\.->/.test(l));
    expect(edges).toEqual(
      expect.arrayContaining([
        "  platform_gpu_dcgm_exporter -->|GPU metrics| platform_monitoring_prometheus",
        "  platform_inference_server -->|/metrics| platform_monitoring_prometheus",
        "  platform_monitoring_prometheus -->|alerts from rules| platform_monitoring_alertmanager",
        "  platform_prometheus_adapter -->|custom metrics API| platform_inference_server_hpa",
        "  platform_inference_server_hpa -->|scales| platform_inference_server",
        "  platform_gpu_dcgm_exporter -. on every node .-> cluster_gpu_pool_g5_ondemand",
      ]),
    );
    // Grafana reads Prometheus (directly, or as a second datasource beside Thanos).
    expect(diagram).toMatch(/platform_monitoring_grafana -->\|(default )?datasource\| platform_monitoring_prometheus\n/);
    // Receivers come from the synthesized Alertmanager configuration, not from a list in the script.
    expect(diagram).toMatch(/platform_monitoring_alertmanager -->\|routes\| platform_monitoring_alertmanager_receiver_null/);
    // Long-term storage, when the app has it: Prometheus ships blocks to Thanos, Thanos keeps them in the bucket.
    if (diagram.includes('["Thanos"]')) {
      expect(diagram).toMatch(/_monitoring_prometheus -->\|blocks \(sidecar\)\| \w+\n/);
      expect(diagram).toMatch(/ -->\|blocks\| \w+\n/);
    }
  });

  test("kinds the app does not have are left out; new kinds (Thanos, a bucket) are drawn when they appear", () => {
    // Stand-ins named like the library's classes: the diagram knows constructs by class name.
    class MonitoringStack extends Construct {}
    class ThanosQuery extends Construct {}
    class ThanosStoreGateway extends Construct {}
    class ThanosBucket extends Construct {}
    const outdir = mkdtempSync(join(tmpdir(), "diagram-test-"));
    try {
      const app = new App({ outdir, stackTraces: false });
      const stack = new TerraformStack(app, "observability");
      new MonitoringStack(stack, "monitoring");
      new ThanosQuery(stack, "query");
      new ThanosStoreGateway(stack, "store");
      new ThanosBucket(stack, "bucket");
      app.synth();
      const d = diagramOf(app, outdir);
      expect(d).toContain('    subgraph observability_thanos["Thanos"]\n      observability_query("Thanos Query")\n      observability_store("Thanos Store Gateway")\n    end');
      expect(d).toContain("  observability_monitoring_prometheus -->|blocks (sidecar)| observability_thanos");
      expect(d).toContain("  observability_thanos -->|blocks| observability_bucket");
      expect(d).toContain("  observability_monitoring_grafana -->|default datasource| observability_thanos");
      expect(d).not.toMatch(/DCGM|adapter|HPA|GPU pool/);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
