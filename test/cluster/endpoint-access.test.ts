import { Testing } from "cdktf";
import { buildApp } from "../../stacks/app";
import { DEFAULT_CONFIG, loadConfig, resolveConfig } from "../../stacks/config";
import { resourceAt, synthDefaultApp } from "../support/synth";

// Each test synthesizes the default app (and may run Terraform): seconds on a loaded machine.
jest.setTimeout(60_000);

const REQUIRED =
  "must list the CIDRs allowed to reach the public API endpoint: your deployers' egress (from your machine: `curl -s https://checkip.amazonaws.com`, plus /32); " +
  "or make the endpoint private (endpointPublicAccess: false) and deploy from inside the VPC; opening it to 0.0.0.0/0 must be asked for with allowEndpointFromAnywhere";

function warningsOf(built: ReturnType<typeof buildApp>): string[] {
  return built.cluster.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data)));
}

describe("the EKS API endpoint is never open to the internet by default", () => {
  test("the default app without endpoint CIDRs stops, saying how to set them", () => {
    expect(() => buildApp(DEFAULT_CONFIG, Testing.app())).toThrow(
      `config: 'cluster.endpointPublicAccessCidrs' ${REQUIRED} (here: GPU_PLATFORM_ENDPOINT_CIDRS=<cidr>[,<cidr>], or cluster.endpointPublicAccessCidrs in the config file), got undefined`,
    );
  });

  test("GPU_PLATFORM_ENDPOINT_CIDRS sets them", () => {
    const built = buildApp(loadConfig({ GPU_PLATFORM_ENDPOINT_CIDRS: "198.51.100.7/32, 203.0.113.0/24" }), Testing.app());
    built.cluster.prepareStack();
    const cluster = JSON.parse(Testing.synth(built.cluster)) as Parameters<typeof resourceAt>[0];
    expect((resourceAt(cluster, "aws_eks_cluster", "eks/cluster").vpc_config as Record<string, unknown>).public_access_cidrs).toEqual(["198.51.100.7/32", "203.0.113.0/24"]);
  });

  test("0.0.0.0/0 is refused unless asked for by name; then it synthesizes with a warning", () => {
    expect(() => buildApp(resolveConfig({ cluster: { endpointPublicAccessCidrs: ["0.0.0.0/0"] } }), Testing.app())).toThrow(
      `cluster/eks: 'endpointPublicAccessCidrs' must not open the API endpoint to the whole internet unless allowEndpointFromAnywhere is true; list your deployers' egress CIDRs instead, got ["0.0.0.0/0"]`,
    );
    const built = buildApp(resolveConfig({ cluster: { endpointPublicAccessCidrs: ["0.0.0.0/0"], allowEndpointFromAnywhere: true } }), Testing.app());
    expect(warningsOf(built)).toContain(
      "The EKS API endpoint is reachable from 0.0.0.0/0 (authentication still required); set endpointPublicAccessCidrs to your deployers' egress CIDRs.",
    );
  });

  test("a private endpoint needs no CIDRs", () => {
    const { cluster } = synthDefaultApp(resolveConfig({ cluster: { endpointPublicAccess: false } }));
    expect(resourceAt(cluster, "aws_eks_cluster", "eks/cluster").vpc_config).toMatchObject({ endpoint_public_access: false });
  });

  test("allowEndpointFromAnywhere belongs to a new cluster", () => {
    expect(() => resolveConfig({ cluster: { mode: "existing", name: "x", allowEndpointFromAnywhere: true } })).toThrow("config: 'cluster.allowEndpointFromAnywhere' only applies to a new cluster");
  });
});
