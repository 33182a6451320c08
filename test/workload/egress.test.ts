import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { Testing } from "cdktf";
import { platform, PlatformFixture, resourcesOf, service } from "./fixture";

/** Synth without the app-wide validations (this stack has no metrics adapter for the HPA). */
const synth = (f: PlatformFixture) => Testing.synth(f.stack);

/** The egress policies of a synthesized stack, as written (the provider's list-wrapped blocks). */
function egressPolicies(json: string): { metadata: { name: string }; spec: { policy_types: string[]; egress: unknown[] } }[] {
  return Object.values(resourcesOf(json, NetworkPolicyV1.tfResourceType))
    .map((r) => r as unknown as { metadata: { name: string }; spec: { policy_types: string[]; egress: unknown[] } })
    .filter((r) => r.spec.policy_types.includes("Egress"));
}

const DNS = {
  to: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "kube-system" } }, pod_selector: { match_labels: { "k8s-app": "kube-dns" } } }],
  ports: [
    { port: "53", protocol: "UDP" },
    { port: "53", protocol: "TCP" },
  ],
};
const INTERNET_HTTPS = {
  to: [{ ip_block: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"] } }],
  ports: [{ port: "443", protocol: "TCP" }],
};

describe("InferenceService egress", () => {
  test("by default: DNS to kube-dns and HTTPS outside the private ranges, nothing else", () => {
    const f = platform();
    service(f);
    const [policy, ...others] = egressPolicies(synth(f));
    expect(others).toEqual([]);
    expect(policy.metadata.name).toBe("detector-egress");
    expect(policy.spec.policy_types).toEqual(["Egress"]);
    expect(policy.spec.egress).toEqual([DNS, INTERNET_HTTPS]);
  });

  test("the ingress policy stays ingress-only, so the plan shows the two apart", () => {
    const f = platform();
    service(f);
    const policies = Object.values(resourcesOf(synth(f), NetworkPolicyV1.tfResourceType)) as unknown as { metadata: { name: string }; spec: { policy_types: string[] } }[];
    expect(policies.map((p) => [p.metadata.name, p.spec.policy_types]).sort()).toEqual([
      ["detector", ["Ingress"]],
      ["detector-egress", ["Egress"]],
    ]);
  });

  test("air-gapped: internetHttps false leaves DNS and the listed destinations", () => {
    const f = platform();
    service(f, {
      egress: {
        internetHttps: false,
        cidrs: [{ cidr: "10.0.16.0/20", ports: [443] }],
        namespaces: [{ name: "feature-store", ports: [6379, 6380] }],
      },
    });
    expect(egressPolicies(synth(f))[0].spec.egress).toEqual([
      DNS,
      { to: [{ ip_block: { cidr: "10.0.16.0/20" } }], ports: [{ port: "443", protocol: "TCP" }] },
      {
        to: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "feature-store" } } }],
        ports: [
          { port: "6379", protocol: "TCP" },
          { port: "6380", protocol: "TCP" },
        ],
      },
    ]);
  });

  test("unrestricted writes no egress policy", () => {
    const f = platform();
    service(f, { egress: { unrestricted: true } });
    expect(egressPolicies(synth(f))).toEqual([]);
  });

  test.each([
    [{ unrestricted: true, cidrs: [{ cidr: "10.0.0.0/16", ports: [443] }] }, "'egress.unrestricted' allows every destination, so it cannot be combined with cidrs: remove one or the other, got true"],
    [{ unrestricted: true, internetHttps: false }, "'egress.unrestricted' allows every destination, so it cannot be combined with internetHttps: remove one or the other, got true"],
    [{ cidrs: [{ cidr: "10.0.0.0/33", ports: [443] }] }, "'egress.cidrs[0].cidr' must be an IPv4 CIDR block such as 10.0.0.0/16, got \"10.0.0.0/33\""],
    [{ cidrs: [{ cidr: "10.0.0.1/16", ports: [443] }] }, "'egress.cidrs[0].cidr' must start at a /16 boundary (host bits set), got \"10.0.0.1/16\""],
    [{ cidrs: [{ cidr: "10.0.0.0/16", ports: [] }] }, "'egress.cidrs[0].ports' must list at least one TCP port, got []"],
    [{ cidrs: [{ cidr: "10.0.0.0/16", ports: [70000] }] }, "'egress.cidrs[0].ports[0]' must be an integer between 1 and 65535, got 70000"],
    [{ namespaces: [{ name: "Feature_Store", ports: [6379] }] }, "'egress.namespaces[0].name' must be a DNS-1123 label"],
    [{ namespaces: [{ name: "store", ports: [0] }] }, "'egress.namespaces[0].ports[0]' must be an integer between 1 and 65535, got 0"],
  ])("%j is refused", (egress, message) => {
    expect(() => service(platform(), { egress })).toThrow(message);
  });

  test("a Terraform expression in a destination is refused, never written", () => {
    const hostile = '${file("/etc/passwd")}';
    expect(() => service(platform(), { egress: { cidrs: [{ cidr: hostile, ports: [443] }] } })).toThrow(`'egress.cidrs[0].cidr' must be an IPv4 CIDR block such as 10.0.0.0/16, got ${JSON.stringify(hostile)}`);
    expect(() => service(platform(), { egress: { namespaces: [{ name: hostile, ports: [443] }] } })).toThrow("'egress.namespaces[0].name' must be a DNS-1123 label");
  });
});
