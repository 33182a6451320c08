import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { HorizontalPodAutoscalerV2 } from "@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { PersistentVolumeClaimV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { Testing } from "cdktf";
import { DEFAULT_METRIC_CONTRACT } from "../../lib/contracts/metric-contract";
import { MetricContracts } from "../../lib/contracts/presets";
import { GpuPool } from "../../lib/gpu/gpu-pool";
import { InferenceService } from "../../lib/workload/inference-service";
import { ModelVolume } from "../../lib/workload/model-volume";
import { PrometheusAdapter } from "../../lib/monitoring/prometheus-adapter";
import { Json, PlatformFixture, SYSTEM_NODE_SELECTOR, expectResource, onlyResource, platform, resourcesOf, service } from "./fixture";

const DEPLOYMENT = DeploymentV1.tfResourceType;
const HPA = HorizontalPodAutoscalerV2.tfResourceType;

/** Synth with validations; the adapter is there so autoscaled services pass the agreement check. */
function synthWithAdapter(f: PlatformFixture): string {
  new PrometheusAdapter(f.stack, "adapter", { catalog: f.catalog, nodeSelector: SYSTEM_NODE_SELECTOR });
  return Testing.synth(f.stack, true);
}

type Obj = { [key: string]: Json };
function podSpec(synthesized: string): Obj {
  const spec = onlyResource(synthesized, DEPLOYMENT).spec as Obj;
  return (spec.template as Obj).spec as Obj;
}
function server(synthesized: string): Obj {
  return (podSpec(synthesized).container as Obj[])[0];
}

describe("InferenceService defaults", () => {
  const f = platform();
  service(f);
  const json = synthWithAdapter(f);

  test("Deployment in namespace inference, 3 replicas owned by the HPA, no rollout wait, one pod replaced at a time (pool of unknown capacity)", () => {
    expectResource(json, DEPLOYMENT, {
      metadata: { name: "detector", namespace: "inference" },
      wait_for_rollout: false,
      lifecycle: { ignore_changes: ["spec[0].replicas"] },
      spec: {
        replicas: "3",
        strategy: { type: "RollingUpdate", rolling_update: { max_surge: "0", max_unavailable: "1" } },
      },
    });
  });

  test("1 GPU, 2 CPU and 8Gi with requests == limits", () => {
    expect(server(json).resources).toEqual({
      requests: { cpu: "2", memory: "8Gi", "nvidia.com/gpu": "1" },
      limits: { cpu: "2", memory: "8Gi", "nvidia.com/gpu": "1" },
    });
  });

  test("scheduling is derived from the pool: its labels as node affinity, a toleration of its taint", () => {
    const spec = podSpec(json);
    expect(spec.toleration).toEqual([{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }]);
    expect(spec.affinity).toEqual({
      node_affinity: {
        required_during_scheduling_ignored_during_execution: {
          node_selector_term: [
            {
              match_expressions: [
                { key: "gpu-platform.io/pool", operator: "In", values: ["a10g"] },
                { key: "nvidia.com/gpu.present", operator: "In", values: ["true"] },
              ],
            },
          ],
        },
      },
    });
  });

  test("spread: required across nodes, preferred across zones, per rollout", () => {
    const constraints = podSpec(json).topology_spread_constraint as Obj[];
    expect(constraints.map((c) => [c.topology_key, c.when_unsatisfiable, c.max_skew, c.match_label_keys])).toEqual([
      ["kubernetes.io/hostname", "DoNotSchedule", 1, ["pod-template-hash"]],
      ["topology.kubernetes.io/zone", "ScheduleAnyway", 1, ["pod-template-hash"]],
    ]);
  });

  test("probes: startup allows 300 s on /healthz, readiness on /ready, liveness on /healthz, all on the serving port", () => {
    const c = server(json);
    expect(c.startup_probe).toEqual({
      http_get: { path: "/healthz", port: "http" },
      initial_delay_seconds: 0,
      period_seconds: 10,
      failure_threshold: 30,
      timeout_seconds: 5,
    });
    expect(c.readiness_probe).toMatchObject({ http_get: { path: "/ready", port: "http" }, period_seconds: 5, initial_delay_seconds: 0 });
    expect(c.liveness_probe).toMatchObject({ http_get: { path: "/healthz", port: "http" }, period_seconds: 10, timeout_seconds: 5 });
  });

  test("graceful shutdown: preStop sleep 10 s within a 60 s grace period", () => {
    expect(server(json).lifecycle).toEqual({ pre_stop: [{ exec: { command: ["sleep", "10"] } }] });
    expect(podSpec(json).termination_grace_period_seconds).toBe(60);
  });

  test("security: non-root, read-only root, no capabilities or escalation, RuntimeDefault seccomp, no token", () => {
    expect(server(json).security_context).toEqual({
      run_as_non_root: true,
      run_as_user: "1000",
      run_as_group: "1000",
      allow_privilege_escalation: false,
      privileged: false,
      read_only_root_filesystem: true,
      capabilities: { drop: ["ALL"] },
      seccomp_profile: { type: "RuntimeDefault" },
    });
    expect(podSpec(json).security_context).toEqual({
      run_as_non_root: true,
      run_as_user: "1000",
      run_as_group: "1000",
      fs_group: "1000",
      seccomp_profile: { type: "RuntimeDefault" },
    });
    expect(podSpec(json).automount_service_account_token).toBe(false);
    expectResource(json, ServiceAccountV1.tfResourceType, {
      metadata: { name: "detector", namespace: "inference" },
      automount_service_account_token: false,
    });
  });

  test("writable scratch: /tmp (2Gi) and a 1Gi memory /dev/shm; HOME points at /tmp", () => {
    expect(podSpec(json).volume).toEqual([
      { name: "scratch", empty_dir: { size_limit: "2Gi" } },
      { name: "dshm", empty_dir: { medium: "Memory", size_limit: "1Gi" } },
    ]);
    expect(server(json).volume_mount).toEqual([
      { name: "scratch", mount_path: "/tmp" },
      { name: "dshm", mount_path: "/dev/shm" },
    ]);
    expect(server(json).env).toEqual([{ name: "HOME", value: "/tmp" }]);
  });

  test("ports: http 8080 and metrics 9090 on the container and the ClusterIP Service", () => {
    expect(server(json).port).toEqual([
      { name: "http", container_port: 8080, protocol: "TCP" },
      { name: "metrics", container_port: 9090, protocol: "TCP" },
    ]);
    expectResource(json, ServiceV1.tfResourceType, {
      spec: {
        type: "ClusterIP",
        port: [
          { name: "http", port: 8080, target_port: "http", protocol: "TCP" },
          { name: "metrics", port: 9090, target_port: "metrics", protocol: "TCP" },
        ],
      },
    });
  });

  test("PDB allows one pod down at a time", () => {
    expectResource(json, PodDisruptionBudgetV1.tfResourceType, {
      spec: { max_unavailable: "1", selector: { match_labels: { "app.kubernetes.io/name": "detector" } } },
    });
  });

  test("NetworkPolicy: serving port from every namespace, metrics port from the monitoring namespace only", () => {
    expectResource(json, NetworkPolicyV1.tfResourceType, {
      spec: {
        policy_types: ["Ingress"],
        ingress: [
          {
            ports: [{ port: "8080", protocol: "TCP" }],
            from: [{ namespace_selector: { match_expressions: [{ key: "kubernetes.io/metadata.name", operator: "Exists" }] } }],
          },
          {
            ports: [{ port: "9090", protocol: "TCP" }],
            from: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "monitoring" } } }],
          },
        ],
      },
    });
  });

  test("HPA autoscaling/v2 on <service>_requests_per_second, 3..10 pods at 10 rps, GPU-friendly behaviour", () => {
    expectResource(json, HPA, {
      metadata: { name: "detector", namespace: "inference" },
      spec: {
        min_replicas: 3,
        max_replicas: 10,
        scale_target_ref: { api_version: "apps/v1", kind: "Deployment" },
        metric: [
          { type: "Pods", pods: { metric: { name: "detector_requests_per_second" }, target: { type: "AverageValue", average_value: "10" } } },
        ],
        behavior: {
          scale_up: [{ stabilization_window_seconds: 60, select_policy: "Max", policy: [{ type: "Pods", value: 2, period_seconds: 60 }] }],
          scale_down: [{ stabilization_window_seconds: 600, select_policy: "Min", policy: [{ type: "Pods", value: 1, period_seconds: 120 }] }],
        },
      },
    });
  });

  test("registers its ServiceMonitor and its contract, deployment and HPA names into the catalog", () => {
    expect(f.catalog.serviceMonitors).toEqual([
      {
        name: "detector",
        namespace: "inference",
        selectorLabels: { "app.kubernetes.io/name": "detector", "app.kubernetes.io/component": "inference-server" },
        port: "metrics",
        // The container port behind "metrics", for the NetworkPolicy check.
        targetPort: 9090,
        path: "/metrics",
        interval: undefined,
      },
    ]);
    expect(f.catalog.services).toEqual([
      {
        selector: { namespace: "inference", service: "detector" },
        contract: DEFAULT_METRIC_CONTRACT,
        deployment: "detector",
        hpa: "detector",
        autoscalingSignal: "requestsPerSecond",
        alerting: undefined,
        slos: undefined,
        domainMetrics: undefined,
        team: undefined,
      },
    ]);
  });

  test("creates no PVC and no init container without a model volume", () => {
    expect(resourcesOf(json, PersistentVolumeClaimV1.tfResourceType)).toEqual({});
    expect(podSpec(json).init_container).toBeUndefined();
  });
});

describe("InferenceService overrides", () => {
  test("namespace, ports, path, interval, pool by name, GPUs, resources, env, command", () => {
    const f = platform();
    service(f, {
      namespace: "vision",
      containerPort: 8000,
      metricsPort: 8002,
      metricsPath: "/prom",
      scrapeInterval: "10s",
      gpuPool: "l4",
      gpus: 2,
      resources: { requests: { cpu: "4", memory: "16Gi" }, limits: { memory: "24Gi" } },
      env: { MODEL: "yolo", HOME: "/cache" },
      command: ["python", "-m", "serve"],
      args: ["--port", "8000"],
    });
    const json = synthWithAdapter(f);
    const c = server(json);
    expect(c.resources).toEqual({
      requests: { cpu: "4", memory: "16Gi", "nvidia.com/gpu": "2" },
      limits: { memory: "24Gi", "nvidia.com/gpu": "2" },
    });
    expect(c.env).toEqual([
      { name: "HOME", value: "/cache" },
      { name: "MODEL", value: "yolo" },
    ]);
    expect([c.command, c.args]).toEqual([["python", "-m", "serve"], ["--port", "8000"]]);
    expect(c.port).toEqual([
      { name: "http", container_port: 8000, protocol: "TCP" },
      { name: "metrics", container_port: 8002, protocol: "TCP" },
    ]);
    expect(JSON.stringify(podSpec(json).affinity)).toContain('"values":["l4"]');
    expectResource(json, DEPLOYMENT, { metadata: { namespace: "vision" } });
    expect(f.catalog.serviceMonitors[0]).toMatchObject({ namespace: "vision", port: "metrics", path: "/prom", interval: "10s" });
  });

  test("a pool passed by reference that the platform knows; the only pool when omitted", () => {
    const f = platform();
    expect(service(f, { gpuPool: f.pools.l4 }).pool).toBe(f.pools.l4);
    const single = platform();
    const s = new InferenceService(single.stack, "one", {
      name: "one",
      image: "i:1",
      catalog: single.catalog,
      pools: [single.pools.a10g],
    });
    expect(s.pool).toBe(single.pools.a10g);
  });

  test('metricsPort "serving": one port, scraped as http, monitoring allowed on it when serving is restricted', () => {
    const f = platform();
    service(f, { metricsPort: "serving", allowServingFrom: ["gateway", "apps"] });
    const json = synthWithAdapter(f);
    expect(server(json).port).toEqual([{ name: "http", container_port: 8080, protocol: "TCP" }]);
    expectResource(json, ServiceV1.tfResourceType, { spec: { port: [{ name: "http", port: 8080, target_port: "http", protocol: "TCP" }] } });
    expectResource(json, NetworkPolicyV1.tfResourceType, {
      spec: {
        ingress: [
          {
            ports: [{ port: "8080", protocol: "TCP" }],
            from: [
              {
                namespace_selector: {
                  match_expressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["gateway", "apps", "monitoring"] }],
                },
              },
            ],
          },
        ],
      },
    });
    expect(f.catalog.serviceMonitors[0].port).toBe("http");
  });

  test("probes: paths, ports, a 600 s startup window and a readiness delay", () => {
    const f = platform();
    service(f, {
      probes: {
        startup: { maxStartupSeconds: 600, periodSeconds: 15, path: "/v2/health/live" },
        readiness: { path: "/v2/health/ready", initialDelaySeconds: 30, periodSeconds: 10 },
        liveness: { path: "/v2/health/live", port: "metrics", timeoutSeconds: 10 },
      },
    });
    const c = server(synthWithAdapter(f));
    expect(c.startup_probe).toMatchObject({ http_get: { path: "/v2/health/live", port: "http" }, period_seconds: 15, failure_threshold: 40 });
    expect(c.readiness_probe).toMatchObject({ http_get: { path: "/v2/health/ready" }, initial_delay_seconds: 30, period_seconds: 10 });
    expect(c.liveness_probe).toMatchObject({ http_get: { path: "/v2/health/live", port: "metrics" }, timeout_seconds: 10 });
  });

  test("graceful shutdown without preStop, longer grace period", () => {
    const f = platform();
    service(f, { preStopSleepSeconds: 0, terminationGracePeriodSeconds: 120 });
    const json = synthWithAdapter(f);
    expect(server(json).lifecycle).toBeUndefined();
    expect(podSpec(json).termination_grace_period_seconds).toBe(120);
  });

  test("autoscaling false: fixed replicas, no HPA, Terraform owns the replica count", () => {
    const f = platform();
    const s = service(f, { autoscaling: false, replicas: 2 });
    const json = Testing.synth(f.stack, true); // no adapter needed
    expect(resourcesOf(json, HPA)).toEqual({});
    const d = onlyResource(json, DEPLOYMENT);
    expect((d.spec as Obj).replicas).toBe("2");
    expect(d.lifecycle).toBeUndefined();
    expect(s.autoscalingMetricName).toBeUndefined();
    expect(f.catalog.services[0].hpa).toBeUndefined();
  });

  test("autoscaling options: bounds, fractional target as a quantity, behaviour", () => {
    const f = platform();
    service(f, {
      autoscaling: {
        targetRequestsPerSecondPerPod: 0.5,
        minReplicas: 1,
        maxReplicas: 4,
        scaleUpStabilizationSeconds: 0,
        scaleUpMaxPodsPerMinute: 1,
        scaleDownStabilizationSeconds: 1200,
      },
    });
    const json = synthWithAdapter(f);
    expectResource(json, HPA, {
      spec: {
        min_replicas: 1,
        max_replicas: 4,
        metric: [{ pods: { target: { average_value: "500m" } } }],
        behavior: {
          scale_up: [{ stabilization_window_seconds: 0, policy: [{ value: 1 }] }],
          scale_down: [{ stabilization_window_seconds: 1200 }],
        },
      },
    });
    expect((onlyResource(json, DEPLOYMENT).spec as Obj).replicas).toBe("1");
  });

  test("spread, security and scratch settings", () => {
    const f = platform();
    service(f, {
      spread: { nodes: "preferred", zones: "required" },
      runAsUser: 1001,
      automountServiceAccountToken: true,
      serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/models" },
      scratchSizeLimit: "10Gi",
      sharedMemory: false,
      waitForRollout: true,
    });
    const json = synthWithAdapter(f);
    const spec = podSpec(json);
    expect((spec.topology_spread_constraint as Obj[]).map((c) => c.when_unsatisfiable)).toEqual(["ScheduleAnyway", "DoNotSchedule"]);
    expect(spec.automount_service_account_token).toBe(true);
    expect(spec.volume).toEqual([{ name: "scratch", empty_dir: { size_limit: "10Gi" } }]);
    expect((server(json).security_context as Obj).run_as_user).toBe("1001");
    expectResource(json, ServiceAccountV1.tfResourceType, {
      metadata: { annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/models" } },
      automount_service_account_token: false,
    });
    expectResource(json, DEPLOYMENT, { wait_for_rollout: true });
  });

  test("contract, alerting, SLOs and team go to the catalog", () => {
    const f = platform();
    const metrics = MetricContracts.vllm();
    service(f, { metrics, alerting: { errorRatioPercent: 5 }, slos: { availability: 0.995 }, team: "vision" });
    synthWithAdapter(f);
    expect(f.catalog.services[0]).toMatchObject({ contract: metrics, alerting: { errorRatioPercent: 5 }, slos: { availability: 0.995 }, team: "vision" });
  });

  describe("model volume", () => {
    test("new claim: a ReadWriteMany PVC named <service>-models, read-write mount without init", () => {
      const f = platform();
      service(f, { model: { volume: ModelVolume.newClaim({ size: "100Gi", storageClassName: "efs-sc" }) } });
      const json = synthWithAdapter(f);
      expectResource(json, PersistentVolumeClaimV1.tfResourceType, {
        metadata: { name: "detector-models", namespace: "inference" },
        spec: { access_modes: ["ReadWriteMany"], storage_class_name: "efs-sc", resources: { requests: { storage: "100Gi" } } },
        wait_until_bound: false,
      });
      const model = (podSpec(json).volume as Obj[]).find((v) => v.name === "model")!;
      expect(((model.persistent_volume_claim as Obj).claim_name as string).startsWith("${kubernetes_persistent_volume_claim_v1.")).toBe(true);
      expect((server(json).volume_mount as Obj[])[2]).toEqual({ name: "model", mount_path: "/models", read_only: false });
    });

    test("existing claim, node cache and pod cache render their volume sources", () => {
      const sources = [
        [ModelVolume.existingClaim("weights"), { name: "model", persistent_volume_claim: { claim_name: "weights" } }],
        [ModelVolume.nodeCache("/mnt/models"), { name: "model", host_path: { path: "/mnt/models", type: "DirectoryOrCreate" } }],
        [ModelVolume.podCache("40Gi"), { name: "model", empty_dir: { size_limit: "40Gi" } }],
      ] as const;
      for (const [volume, expected] of sources) {
        const f = platform();
        service(f, { model: { volume, mountPath: "/weights" } });
        const json = synthWithAdapter(f);
        expect((podSpec(json).volume as Obj[])[2]).toEqual(expected);
        expect(resourcesOf(json, PersistentVolumeClaimV1.tfResourceType)).toEqual({});
      }
    });

    test("init container fetches into the volume (read-write) and the server mounts it read-only", () => {
      const f = platform();
      service(f, {
        model: {
          volume: ModelVolume.podCache(),
          init: { image: "registry.example.com/fetch:1", args: ["s3://models/yolo", "/models"], env: { AWS_REGION: "eu-west-1" } },
        },
      });
      const json = synthWithAdapter(f);
      const init = (podSpec(json).init_container as Obj[])[0];
      expect(init).toMatchObject({
        name: "model-init",
        image: "registry.example.com/fetch:1",
        args: ["s3://models/yolo", "/models"],
        env: [
          { name: "HOME", value: "/tmp" },
          { name: "AWS_REGION", value: "eu-west-1" },
        ],
        resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
        security_context: { run_as_non_root: true, read_only_root_filesystem: true, capabilities: { drop: ["ALL"] } },
        volume_mount: [
          { name: "scratch", mount_path: "/tmp" },
          { name: "model", mount_path: "/models", read_only: false },
        ],
      });
      expect((init.resources as Obj).requests).not.toHaveProperty(["nvidia.com/gpu"]);
      expect((server(json).volume_mount as Obj[])[2]).toEqual({ name: "model", mount_path: "/models", read_only: true });
      expect((podSpec(json).volume as Obj[])[2]).toEqual({ name: "model", empty_dir: {} });
    });
  });

  test("unresolved tokens are not validated: a namespace by reference orders the apply", () => {
    const f = platform();
    const ns = new NamespaceV1(f.stack, "ns", { metadata: { name: "inference" } });
    service(f, { namespace: ns.metadata.name });
    expectResource(synthWithAdapter(f), DEPLOYMENT, { metadata: { namespace: "${kubernetes_namespace_v1.ns.metadata[0].name}" } });
  });
});

describe("InferenceService rejects bad input", () => {
  const cases: [string, () => void, string][] = [
    ["a GPU count below 1", () => service(platform(), { gpus: 0 }), `platform/svc: 'gpus' must be an integer between 1 and 8, got 0`],
    [
      "requests above limits",
      () => service(platform(), { resources: { requests: { cpu: "2", memory: "16Gi" }, limits: { cpu: "2", memory: "8Gi" } } }),
      `platform/svc: 'resources.requests.memory' must not exceed resources.limits.memory (8Gi), got "16Gi"`,
    ],
    [
      "CPU requests above limits in milli-units",
      () => service(platform(), { resources: { requests: { cpu: "2500m", memory: "8Gi" }, limits: { cpu: "2", memory: "8Gi" } } }),
      `platform/svc: 'resources.requests.cpu' must not exceed resources.limits.cpu (2), got "2500m"`,
    ],
    [
      "a quantity that is not one",
      () => service(platform(), { resources: { requests: { cpu: "two", memory: "8Gi" }, limits: { memory: "8Gi" } } }),
      `platform/svc: 'resources.requests.cpu' must be a Kubernetes quantity such as 500m, 2, 512Mi or 8Gi, got "two"`,
    ],
    [
      "minReplicas above maxReplicas",
      () => service(platform(), { autoscaling: { minReplicas: 5, maxReplicas: 2 } }),
      `platform/svc: 'autoscaling.minReplicas' must not exceed autoscaling.maxReplicas (2), got 5`,
    ],
    [
      "a non-positive RPS target",
      () => service(platform(), { autoscaling: { targetRequestsPerSecondPerPod: 0 } }),
      `platform/svc: 'autoscaling.targetRequestsPerSecondPerPod' must be a positive finite number of requests per second, at most 1000000, got 0`,
    ],
    [
      "an unknown GPU pool by name",
      () => service(platform(), { gpuPool: "h100" }),
      `platform/svc: 'gpuPool' must be one of the platform's GPU pools (a10g, l4), got "h100"`,
    ],
    [
      "a GPU pool of another platform",
      () => service(platform(), { gpuPool: GpuPool.fromExisting({ poolName: "p5" }) }),
      `platform/svc: 'gpuPool' must be one of the platform's GPU pools (a10g, l4), got "p5"`,
    ],
    [
      "no pool named while the platform has several",
      () => service(platform(), { gpuPool: undefined }),
      `platform/svc: 'gpuPool' must be one of the platform's GPU pools (a10g, l4); it can be omitted only when there is exactly one, got undefined`,
    ],
    [
      "a metric name that is not a Prometheus name",
      () => service(platform(), { metrics: { ...DEFAULT_METRIC_CONTRACT, queueDepth: "queue-depth" } }),
      `platform/svc: 'metrics.queueDepth' must be a valid Prometheus metric name matching [a-zA-Z_:][a-zA-Z0-9_:]*, got "queue-depth"`,
    ],
    [
      "an empty set of error values",
      () =>
        service(platform(), {
          metrics: { ...DEFAULT_METRIC_CONTRACT, requests: { kind: "statusLabel", counter: "x_total", statusLabel: "status", errors: { kind: "values", values: [] } } },
        }),
      `platform/svc: 'metrics.requests.errors' must list at least one status value (or status class) that means an error, got []`,
    ],
    [
      "a metrics port colliding with the serving port",
      () => service(platform(), { containerPort: 8000, metricsPort: 8000 }),
      `platform/svc: 'metricsPort' must differ from containerPort (8000); use "serving" when the server exposes metrics on its serving port, got 8000`,
    ],
    [
      "a port out of range",
      () => service(platform(), { containerPort: 70000 }),
      `platform/svc: 'containerPort' must be an integer between 1 and 65535, got 70000`,
    ],
    [
      "a name that is not a DNS-1035 label (it names the Service too)",
      () => service(platform(), { name: "Face_Swap" }),
      `platform/svc: 'name' must be a DNS-1035 label, as it names a Kubernetes Service (1-63 characters of a-z, 0-9 and '-', starting with a letter and ending with a letter or digit), got "Face_Swap"`,
    ],
    [
      "a namespace that is not a DNS-1123 label",
      () => service(platform(), { namespace: "Inference" }),
      `platform/svc: 'namespace' must be a DNS-1123 label (1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit), got "Inference"`,
    ],
    [
      "a startup window shorter than the readiness delay",
      () => service(platform(), { probes: { startup: { maxStartupSeconds: 120 }, readiness: { initialDelaySeconds: 180 } } }),
      `platform/svc: 'probes.startup.maxStartupSeconds' must be at least probes.readiness.initialDelaySeconds (180): a model that needs that long to load would be restarted by the startup probe first, got 120`,
    ],
    [
      "a grace period that does not outlast the preStop sleep",
      () => service(platform(), { preStopSleepSeconds: 30, terminationGracePeriodSeconds: 30 }),
      `platform/svc: 'terminationGracePeriodSeconds' must exceed preStopSleepSeconds (30) so requests in flight after the sleep can finish, got 30`,
    ],
    [
      "a ReadWriteOnce model claim shared by several pods",
      () => service(platform(), { model: { volume: ModelVolume.newClaim({ size: "50Gi", accessMode: "ReadWriteOnce" }) } }),
      `platform/svc: 'model.volume.accessMode' must be ReadWriteMany or ReadOnlyMany when up to 10 pods on different nodes mount it, got "ReadWriteOnce"`,
    ],
    [
      "a scale-down window beyond the API's hour",
      () => service(platform(), { autoscaling: { scaleDownStabilizationSeconds: 7200 } }),
      `platform/svc: 'autoscaling.scaleDownStabilizationSeconds' must be an integer between 0 and 3600, got 7200`,
    ],
    [
      "init container requests above its limits",
      () =>
        service(platform(), {
          model: { volume: ModelVolume.podCache(), init: { image: "f:1", resources: { requests: { cpu: "1", memory: "4Gi" }, limits: { memory: "2Gi" } } } },
        }),
      `platform/svc: 'model.init.resources.requests.memory' must not exceed model.init.resources.limits.memory (2Gi), got "4Gi"`,
    ],
    [
      "an empty serving allow-list",
      () => service(platform(), { allowServingFrom: [] }),
      `platform/svc: 'allowServingFrom' must list at least one namespace; leave it unset to allow every namespace, got []`,
    ],
  ];

  test.each(cases)("%s", (_what, build, message) => {
    expect(build).toThrow(message);
  });

  test("a single-pod ReadWriteOnce claim is fine", () => {
    expect(() =>
      service(platform(), { replicas: 1, autoscaling: false, model: { volume: ModelVolume.newClaim({ size: "50Gi", accessMode: "ReadWriteOnce" }) } }),
    ).not.toThrow();
  });
});
