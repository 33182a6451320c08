import { stringify } from "yaml";
import { renderReview } from "../../scripts/review/render";
import { countReview, reviewPlans } from "../../scripts/review/review";
import { JsonObject, SynthesizedApp } from "../../scripts/review/model";

/** A stack document with the given resources (`type.id` → body), with cdktf's metadata block. */
function stack(resources: Record<string, JsonObject>, data: Record<string, JsonObject> = {}): SynthesizedApp[string] {
  const group = (entries: Record<string, JsonObject>): Record<string, Record<string, JsonObject>> => {
    const out: Record<string, Record<string, JsonObject>> = {};
    for (const [address, body] of Object.entries(entries)) {
      const [type, id] = address.split(".");
      out[type] = { ...out[type], [id]: { "//": { metadata: { path: `app/${id}`, uniqueId: id } }, ...body } };
    }
    return out;
  };
  return { resource: group(resources), data: group(data) };
}

const routing = (groupWait: string, equal: string[]): JsonObject => ({
  route: { receiver: "null", routes: [{ receiver: "pager", matchers: ['severity="critical"'], group_wait: groupWait }] },
  receivers: [{ name: "null" }, { name: "pager", pagerduty_configs: [{ routing_key_file: "/etc/am/key" }] }],
  inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal }],
});

const rulesValues = (threshold: number, extra: JsonObject = {}): string =>
  stringify({
    grafana: { replicas: 1 },
    additionalPrometheusRulesMap: {
      gpu: {
        groups: [
          {
            name: "gpu",
            rules: [
              { record: "gpu:memory:ratio", expr: "used / total" },
              { alert: "GpuMemoryHigh", expr: `gpu:memory:ratio > ${threshold}`, for: "5m", labels: { severity: "warning" }, annotations: { summary: "GPU memory high" } },
              { alert: "GpuMemoryHigh", expr: "gpu:memory:ratio > 0.95", for: "1m", labels: { severity: "critical" } },
            ],
          },
        ],
      },
    },
    alertmanager: { config: routing("30s", ["alertname"]) },
    ...extra,
  });

const release = (version: string, values: string): JsonObject => ({ name: "kube-prometheus-stack", chart: "kube-prometheus-stack", version, namespace: "monitoring", values: [values] });

describe("plan review of synthesized JSON", () => {
  test("an attribute change is listed by path with its before and after values", () => {
    const base = { cluster: stack({ "aws_eks_addon.coredns": { addon_name: "coredns", addon_version: "v1.11.4-eksbuild.2", cluster_name: "c" } }) };
    const head = { cluster: stack({ "aws_eks_addon.coredns": { addon_name: "coredns", addon_version: "v1.11.4-eksbuild.14", cluster_name: "c" } }) };
    const review = reviewPlans(base, head);
    expect(review.resources.changed).toHaveLength(1);
    expect(review.resources.changed[0].changes).toEqual([{ path: ["addon_version"], kind: "changed", before: "v1.11.4-eksbuild.2", after: "v1.11.4-eksbuild.14" }]);
    expect(review.warnings).toEqual([]);
    const md = renderReview(review, { title: "t" });
    expect(md.split("\n")[0]).toBe(
      "**Plan review** t: **0 to add, 0 to destroy, 1 to change** · 0 alert/rules changed · 0 route/receivers changed · 0 dashboards changed",
    );
    expect(md).toContain('- `addon_version`: `"v1.11.4-eksbuild.2"` → `"v1.11.4-eksbuild.14"`');
  });

  test("a renamed resource is a destroy and create, with the moved block, and its dependants do not change", () => {
    const role = { name_prefix: "nodes-", assume_role_policy: "${data.aws_iam_policy_document.trust.json}", tags: { team: "ml" } };
    const base = {
      cluster: stack({
        "aws_iam_role.node-role_AAAA1111": role,
        "aws_iam_role_policy_attachment.cni_BBBB2222": { role: "${aws_iam_role.node-role_AAAA1111.name}", policy_arn: "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy" },
      }),
    };
    const head = {
      cluster: stack({
        "aws_iam_role.nodes_role_CCCC3333": role,
        "aws_iam_role_policy_attachment.cni_BBBB2222": { role: "${aws_iam_role.nodes_role_CCCC3333.name}", policy_arn: "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy" },
      }),
    };
    const review = reviewPlans(base, head);
    expect(review.resources.moved.map((m) => [m.before.address, m.after.address])).toEqual([["aws_iam_role.node-role_AAAA1111", "aws_iam_role.nodes_role_CCCC3333"]]);
    expect(review.resources.changed).toEqual([]);
    expect(review.resources.added).toEqual([]);
    expect(countReview(review)).toMatchObject({ toAdd: 1, toDestroy: 1, toChange: 0, moved: 1 });
    const md = renderReview(review, { title: "t" });
    expect(md).toContain("moved {\n    from = aws_iam_role.node-role_AAAA1111\n    to   = aws_iam_role.nodes_role_CCCC3333\n  }");
    expect(md).toContain('.moveFromId("aws_iam_role.node-role_AAAA1111")');
  });

  test("resources of one type with different names are not taken for a move", () => {
    const base = { p: stack({ "kubernetes_namespace_v1.a": { metadata: { name: "team-a", labels: { x: "1", y: "2" } } } }) };
    const head = { p: stack({ "kubernetes_namespace_v1.b": { metadata: { name: "team-b", labels: { x: "1", y: "2" } } } }) };
    const review = reviewPlans(base, head);
    expect(review.resources.moved).toEqual([]);
    expect(review.resources.removed.map((e) => e.address)).toEqual(["kubernetes_namespace_v1.a"]);
    expect(review.warnings.map((w) => [w.kind, w.address])).toEqual([["destroyed", "kubernetes_namespace_v1.a"]]);
  });

  test("a changed alert threshold is exactly one rule change; the release values show no other change", () => {
    const base = { platform: stack({ "helm_release.kps": release("88.5.3", rulesValues(0.9)) }) };
    const head = { platform: stack({ "helm_release.kps": release("88.5.3", rulesValues(0.85)) }) };
    const review = reviewPlans(base, head);
    expect(review.rules).toHaveLength(1);
    const [rule] = review.rules;
    expect(rule).toMatchObject({ kind: "changed", after: { name: "GpuMemoryHigh", severity: "warning", group: "gpu" } });
    expect(rule.changes).toEqual([{ path: ["expr"], kind: "changed", before: "gpu:memory:ratio > 0.9", after: "gpu:memory:ratio > 0.85" }]);
    expect(review.releases).toEqual([]);
    expect(review.alertmanager).toEqual([]);
    expect(countReview(review)).toMatchObject({ toChange: 1, alerts: 1, routes: 0, dashboards: 0 });
    const md = renderReview(review, { title: "t" });
    expect(md).toContain("alert `GpuMemoryHigh` (warning) in group `gpu`\n  ```diff\n  - gpu:memory:ratio > 0.9\n  + gpu:memory:ratio > 0.85\n  ```");
    expect(md).not.toContain("0.95");
  });

  test("a chart bump shows its version, the major bump warning and values changes by key path", () => {
    const base = { platform: stack({ "helm_release.kps": release("88.5.3", rulesValues(0.9)) }) };
    const head = { platform: stack({ "helm_release.kps": release("89.0.1", rulesValues(0.9, { grafana: { replicas: 2, persistence: { enabled: true } } })) }) };
    const review = reviewPlans(base, head);
    expect(review.releases).toHaveLength(1);
    expect(review.releases[0]).toMatchObject({ versionChanged: true, majorBump: true });
    expect(review.releases[0].valueChanges).toEqual([
      { path: ["grafana", "replicas"], kind: "changed", before: 1, after: 2 },
      { path: ["grafana", "persistence"], kind: "added", after: { enabled: true } },
    ]);
    expect(review.warnings.map((w) => w.kind)).toEqual(["chart-major"]);
    const md = renderReview(review, { title: "t" });
    expect(md).toContain("chart `88.5.3` → `89.0.1` **(major)**");
    expect(md).toContain("- `grafana.replicas`: `1` → `2`");
  });

  test("Alertmanager routes, receivers and inhibitions are compared by what they are", () => {
    const edited = rulesValues(0.9, { alertmanager: { config: routing("10s", ["alertname", "cluster"]) } });
    const base = { platform: stack({ "helm_release.kps": release("88.5.3", rulesValues(0.9)) }) };
    const head = { platform: stack({ "helm_release.kps": release("88.5.3", edited) }) };
    const review = reviewPlans(base, head);
    expect(review.alertmanager).toHaveLength(1);
    const [am] = review.alertmanager;
    expect(am.routes).toEqual([{ kind: "changed", name: "root > {severity=\"critical\"}", changes: [{ path: ["group_wait"], kind: "changed", before: "30s", after: "10s" }] }]);
    expect(am.receivers).toEqual([]);
    expect(am.inhibitions.map((i) => i.kind).sort()).toEqual(["added", "removed"]);
  });

  test("dashboards in grafana_dashboard ConfigMaps: panels by title, grid moves ignored", () => {
    const dashboard = (threshold: number, y: number): string =>
      JSON.stringify({ uid: "gpu-fleet", title: "GPU fleet", version: y, panels: [{ type: "row", title: "Memory", panels: [] }, { title: "GPU memory", gridPos: { x: 0, y }, targets: [{ expr: `gpu:memory:ratio > ${threshold}` }] }] });
    const cm = (d: string): JsonObject => ({ metadata: { name: "dash", namespace: "monitoring", labels: { grafana_dashboard: "1" } }, data: { "gpu.json": d } });
    const review = reviewPlans({ p: stack({ "kubernetes_config_map_v1.dash": cm(dashboard(0.9, 1)) }) }, { p: stack({ "kubernetes_config_map_v1.dash": cm(dashboard(0.8, 7)) }) });
    expect(review.dashboards).toEqual([
      { kind: "changed", stack: "p", id: "gpu-fleet", title: "GPU fleet", other: [], panels: [{ kind: "changed", title: "GPU memory", changes: [{ path: ["targets", 0, "expr"], kind: "changed", before: "gpu:memory:ratio > 0.9", after: "gpu:memory:ratio > 0.8" }] }] },
    ]);
    expect(review.resources.changed[0].changes).toEqual([]);
  });

  test("warnings: forced replacement, destroyed bucket and key, widened IAM permissions", () => {
    const doc = (actions: string[], resources: string[]): JsonObject => ({ statement: [{ effect: "Allow", actions, resources }] });
    const base = {
      cluster: stack(
        {
          "aws_eks_node_group.gpu": { node_group_name: "gpu", instance_types: ["g5.xlarge"], scaling_config: { min_size: 0, max_size: 2 } },
          "aws_s3_bucket.blocks": { bucket: "thanos-blocks" },
          "aws_kms_key.blocks": { enable_key_rotation: true },
        },
        { "aws_iam_policy_document.sidecar": doc(["s3:PutObject"], ["arn:aws:s3:::thanos-blocks/*"]) },
      ),
    };
    const head = {
      cluster: stack(
        { "aws_eks_node_group.gpu": { node_group_name: "gpu", instance_types: ["g6.xlarge"], scaling_config: { min_size: 0, max_size: 4 } } },
        { "aws_iam_policy_document.sidecar": doc(["s3:PutObject", "s3:*"], ["arn:aws:s3:::thanos-blocks/*", "*"]) },
      ),
    };
    const review = reviewPlans(base, head);
    expect(review.warnings.map((w) => [w.kind, w.address])).toEqual([
      ["destroyed", "aws_kms_key.blocks"],
      ["destroyed", "aws_s3_bucket.blocks"],
      ["replaced", "aws_eks_node_group.gpu"],
      ["iam-widened", "data.aws_iam_policy_document.sidecar"],
    ]);
    expect(review.warnings[2].message).toContain("`instance_types`");
    expect(review.warnings[3].message).toContain("`s3:* on *`");
    expect(countReview(review)).toMatchObject({ toAdd: 1, toDestroy: 3, toChange: 0, replaced: 1, otherBlocks: 1 });
  });

  test("the review is the same text whatever the key order of the input", () => {
    const a = { s: stack({ "aws_vpc.a": { cidr_block: "10.0.0.0/16", tags: { a: "1", b: "2" } }, "aws_subnet.b": { cidr_block: "10.0.1.0/24" } }) };
    const b = { s: stack({ "aws_subnet.b": { cidr_block: "10.0.2.0/24" }, "aws_vpc.a": { tags: { b: "2", a: "1" }, cidr_block: "10.1.0.0/16" } }) };
    const reordered = { s: stack({ "aws_vpc.a": { cidr_block: "10.1.0.0/16", tags: { a: "1", b: "2" } }, "aws_subnet.b": { cidr_block: "10.0.2.0/24" } }) };
    expect(renderReview(reviewPlans(a, b), { title: "t" })).toBe(renderReview(reviewPlans(a, reordered), { title: "t" }));
  });

  test("a review longer than a comment is shortened, least important detail first, and says so", () => {
    const many = (v: string): SynthesizedApp => ({
      s: stack(Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`aws_ssm_parameter.p${i}`, { name: `/p/${i}`, value: v.repeat(50), tags: { a: v, b: v, c: v } }]))),
    });
    const review = reviewPlans(many("x"), many("y"));
    const full = renderReview(review, { title: "t", limit: 10_000_000 });
    expect(full.length).toBeGreaterThan(65_535);
    const md = renderReview(review, { title: "t", fullReviewCommand: "npm run plan:diff -- main" });
    expect(md.length).toBeLessThanOrEqual(65_535 - 256);
    expect(md.split("\n")[0]).toContain("**0 to add, 0 to destroy, 400 to change**");
    expect(md).toMatch(/> ✂️ Shortened to fit a pull-request comment \(65279 characters\): .*Run `npm run plan:diff -- main` for the full review\./);
    const tiny = renderReview(review, { title: "t", limit: 2_000 });
    expect(tiny.length).toBeLessThanOrEqual(2_000);
    expect(tiny).toContain("every section left out (resources)");
  });
});
