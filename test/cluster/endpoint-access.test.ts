import { Testing } from "cdktf";
import { buildApp } from "../../stacks/app";
import { DEFAULT_CONFIG, loadConfig, resolveConfig } from "../../stacks/config";
import { resourceAt, synthDefaultApp } from "../support/synth";

// Each test synthesizes the default app (and may run Terraform): seconds on a loaded machine.
jest.setTimeout(60_000);

const LIMITED_TO_DEPLOYER =
  "The EKS API endpoint is reachable only from the deployer's egress address, looked up when Terraform plans (https://checkip.amazonaws.com, as <address>/32): " +
  "other machines (CI, teammates) cannot reach it, and a plan from another address replaces the allow-list. " +
  "To allow them, list their egress CIDRs in endpointPublicAccessCidrs (default app: cluster.endpointPublicAccessCidrs or GPU_PLATFORM_ENDPOINT_CIDRS); " +
  "0.0.0.0/0 only with allowEndpointFromAnywhere: true.";

function warningsOf(built: ReturnType<typeof buildApp>): string[] {
  return built.cluster.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data)));
}

describe("the EKS API endpoint is never open to the internet by default", () => {
  test("without CIDRs the endpoint allows the deployer's egress address, looked up at plan time, with a warning", () => {
    const built = buildApp(DEFAULT_CONFIG, Testing.app());
    expect(warningsOf(built)).toContain(LIMITED_TO_DEPLOYER);
    const { cluster } = synthDefaultApp();
    const lookups = cluster.data?.http ?? {};
    expect(Object.keys(lookups)).toHaveLength(1);
    const [[id, lookup]] = Object.entries(lookups);
    expect(lookup.url).toBe("https://checkip.amazonaws.com");
    const [check] = (lookup.lifecycle as { postcondition: { condition: string; error_message: string }[] }).postcondition;
    // Expressions rendered by cdktf (not escaped as text): a 200 answer that is one dotted IPv4 address.
    expect(check.condition).toMatch(/^\$\{\(\(self\.status_code == 200\) && can\(regex\(".*", chomp\(self\.response_body\)\)\)\)\}$/);
    expect(check.error_message).toContain("did not return one IPv4 address");
    expect((resourceAt(cluster, "aws_eks_cluster", "eks/cluster").vpc_config as Record<string, unknown>).public_access_cidrs).toEqual([
      `\${chomp(data.http.${id}.response_body)}/32`,
    ]);
    // The provider is declared (and pinned by cdktf) once.
    expect(Object.keys(cluster.provider ?? {})).toContain("http");
    expect((cluster.terraform?.required_providers as Record<string, unknown>).http).toEqual({ source: "http", version: "3.5.0" });
  });

  test("the lookup's check accepts one IPv4 address and nothing else", () => {
    const { cluster } = synthDefaultApp();
    const [lookup] = Object.values(cluster.data?.http ?? {});
    const condition = (lookup.lifecycle as { postcondition: { condition: string }[] }).postcondition[0].condition;
    // No backslash in it (HCL strings would read one as an escape), so it reads the same in RE2 and JavaScript.
    const source = /regex\("(.*)", chomp/.exec(condition)![1];
    expect(source).not.toContain("\\");
    const pattern = new RegExp(source);
    for (const ok of ["198.51.100.7", "0.0.0.0", "255.255.255.255"]) expect(pattern.test(ok)).toBe(true);
    for (const bad of ["2001:db8::1", "256.1.1.1", "1.2.3", "1.2.3.4/32", "<html>", ""]) expect(pattern.test(bad)).toBe(false);
  });

  test("explicit CIDRs replace the lookup: no http data source, no warning", () => {
    const built = buildApp(resolveConfig({ cluster: { endpointPublicAccessCidrs: ["198.51.100.0/24"] } }), Testing.app());
    expect(warningsOf(built).join("\n")).not.toContain("deployer's egress address");
    const { cluster } = synthDefaultApp(resolveConfig({ cluster: { endpointPublicAccessCidrs: ["198.51.100.0/24"] } }));
    expect(cluster.data?.http).toBeUndefined();
    expect((resourceAt(cluster, "aws_eks_cluster", "eks/cluster").vpc_config as Record<string, unknown>).public_access_cidrs).toEqual(["198.51.100.0/24"]);
  });

  test("an empty list is refused: EKS would read it as 0.0.0.0/0", () => {
    expect(() => buildApp(resolveConfig({ cluster: { endpointPublicAccessCidrs: [] } }), Testing.app())).toThrow(
      "cluster/eks: 'endpointPublicAccessCidrs' must list at least one CIDR (an empty list would open the endpoint to 0.0.0.0/0); leave it out to allow the deployer's egress address only, got []",
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

  test("a private endpoint needs no CIDRs and looks nothing up", () => {
    const { cluster } = synthDefaultApp(resolveConfig({ cluster: { endpointPublicAccess: false } }));
    expect(resourceAt(cluster, "aws_eks_cluster", "eks/cluster").vpc_config).toMatchObject({ endpoint_public_access: false });
    expect(cluster.data?.http).toBeUndefined();
  });

  test("allowEndpointFromAnywhere belongs to a new cluster", () => {
    expect(() => resolveConfig({ cluster: { mode: "existing", name: "x", allowEndpointFromAnywhere: true } })).toThrow("config: 'cluster.allowEndpointFromAnywhere' only applies to a new cluster");
  });
});
