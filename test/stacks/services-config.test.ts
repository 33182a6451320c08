import { resolveConfig } from "../../stacks/config";
import { synthDefaultApp } from "../support/synth";

/** `services:` of the configuration file: validated like the rest, every message naming the service. */
const detector = {
  name: "phone-detector",
  image: "registry.example.com/phone-detector:1.4.0",
  metrics: {
    preset: "prometheusClient",
    requestCounter: "phone_detection_requests_total",
    statusLabel: "status",
    errorValues: ["error"],
    latencyHistogram: "phone_detection_latency_seconds",
    latencyBuckets: [0.5, 1, 2.5, 5],
  },
  autoscaling: { maxReplicas: 4 },
};
type Input = Parameters<typeof resolveConfig>[0];
const withService = (overrides: Record<string, unknown>): Input => ({ services: [{ ...detector, ...overrides }] }) as unknown as Input;

describe("services in the configuration file", () => {
  test("resolved into the options of an InferenceService, contract built from the preset", () => {
    const [svc] = resolveConfig(withService({ metricsPort: 9100 })).services!;
    expect(svc).toMatchObject({ name: "phone-detector", metricsPort: 9100, autoscaling: { maxReplicas: 4 } });
    expect(svc.metrics.requests).toEqual({ kind: "statusLabel", counter: "phone_detection_requests_total", statusLabel: "status", errors: { kind: "values", values: ["error"] } });
    expect(svc.metrics.latency).toEqual({ kind: "histogram", name: "phone_detection_latency_seconds", unit: "seconds", buckets: [0.5, 1, 2.5, 5] });
  });

  test("without services the single default service of inference: is kept", () => {
    expect(resolveConfig({}).services).toBeUndefined();
    const { platform } = synthDefaultApp(resolveConfig({}));
    const servers = Object.keys(platform.resource!.kubernetes_deployment_v1).filter((id) => !id.startsWith("thanos_"));
    expect(servers).toEqual([expect.stringMatching(/^inference-server_deployment_/)]);
  });

  test.each([
    [withService({ metrics: { ...detector.metrics, statusLable: "status" } }), `config: 'services["phone-detector"].metrics.statusLable' is not a known setting (did you mean 'statusLabel'?)`],
    [withService({ metrics: { preset: "fastApi" } }), `config: 'services["phone-detector"].metrics.preset' must be one of default, prometheusClient, fastapiInstrumentator, triton, vllm, got "fastApi"`],
    [withService({ metrics: { preset: "prometheusClient", requestCounter: "x_total" } }), `config: 'services["phone-detector"].metrics.latencyHistogram' is required by the prometheusClient preset, got undefined`],
    [withService({ metrics: { ...detector.metrics, errorValues: [] } }), `config: 'services["phone-detector"].metrics.errorValues' must list at least one value of the 'status' label that means a failed request; without an outcome label, leave statusLabel unset, got []`],
    [withService({ slos: { latency: { objective: 0.95, thresholdSeconds: 0.75 } } }), `config: 'services["phone-detector"].slos.latency.thresholdSeconds' must be a bucket bound of the latency histogram phone_detection_latency_seconds (declared 0.5, 1, 2.5, 5 seconds), else the SLO counts no request as fast enough; the nearest bounds are 0.5 and 1, got 0.75`],
    [withService({ alerting: { errorRatioFor: "5 minutes" } }), `config: 'services["phone-detector"].alerting.errorRatioFor' must be a Prometheus duration such as 30s, 5m, 1h or 1h30m, got "5 minutes"`],
    [withService({ alerting: { trafficStopped: true } }), `config: 'services["phone-detector"].alerting.trafficStopped' must be false or an object, got true`],
    [withService({ gpuPool: "h100" }), `config: 'services["phone-detector"].gpuPool' must name one of the GPU pools (g5-ondemand, g6-spot), got "h100"`],
    [withService({ metricsPort: "metrics" }), `config: 'services["phone-detector"].metricsPort' must be a port number or "serving" (when /metrics is on the serving port), got "metrics"`],
    [withService({ domainMetrics: [{ metric: "phone_detection_objects_per_frame", kind: "gauge", title: "Phones", warnign: 20 }] }), `config: 'services["phone-detector"].domainMetrics["phone_detection_objects_per_frame"].warnign' is not a known setting (did you mean 'warning'?)`],
    [withService({ name: "Phone_Detector" }), `config: 'services["Phone_Detector"].name' must be a DNS-1035 label, as it names a Kubernetes Service`],
    [{ services: [detector, detector] } as unknown as Input, `config: 'services[*].name' must hold unique names; this one appears more than once, got "phone-detector"`],
    [{ services: [] } as unknown as Input, "config: 'services' must list at least one service; leave it out for the single default service (inference:), got []"],
    [{ ...withService({}), inference: { image: "registry.example.com/x:1" } } as Input, `config: 'inference' describes the single default service and cannot be combined with services: list that service under services (name, image, gpuPool, overflowPool, autoscaling.maxReplicas) and remove inference (and GPU_PLATFORM_INFERENCE_IMAGE, which sets inference.image), got {"image":"registry.example.com/x:1"}`],
  ])("rejects %j", (input, message) => {
    expect(() => resolveConfig(input)).toThrow(message);
  });

  test("a check across services fails synth naming the services", () => {
    // Capacity is a cross-service check: three services of 6 GPUs each do not fit 6 + 8 GPUs.
    const three = ["a", "b", "c"].map((name) => ({ ...detector, name, autoscaling: { maxReplicas: 6 } }));
    expect(() => synthDefaultApp(resolveConfig({ services: three } as unknown as Input))).toThrow(
      /\[platform\/a\] platform\/a: services inference\/a \(autoscaling.maxReplicas 6 × 1 GPU\), inference\/b \(.*\), inference\/c \(.*\) need up to 18 nvidia.com\/gpu at the peak, but GPU pool 'g5-ondemand'/,
    );
  });
});

describe("alerting.wecomRobotBridgeUrl", () => {
  test("a WeCom robot bridge in the chat receiver, its URL (with the key) read from the Secret", () => {
    const { platform } = synthDefaultApp(resolveConfig({ alerting: { wecomRobotBridgeUrl: "kubernetes:alertmanager-receivers/wecom-robot-url" } } as Input));
    const values = (platform.resource!.helm_release as Record<string, { values: string[]; name: string }>);
    const release = Object.values(values).find((r) => r.name === "kube-prometheus-stack")!;
    expect(release.values[0]).toContain("url_file: /etc/alertmanager/secrets/alertmanager-receivers/wecom-robot-url");
  });

  test("a robot URL written into the file is rejected like every other channel secret", () => {
    expect(() => resolveConfig({ alerting: { wecomRobotBridgeUrl: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc" } } as Input)).toThrow(
      "config: 'alerting.wecomRobotBridgeUrl' must reference a secret, never hold one: aws-secretsmanager:<secret id>[#<json key>] or kubernetes:<secret name>/<key>, got <not shown: a string of 56 characters that may be a secret>",
    );
  });
});

describe("egress in the configuration file", () => {
  const policies = (input: Input) =>
    Object.values(synthDefaultApp(resolveConfig(input)).platform.resource!.kubernetes_network_policy_v1 as Record<string, { metadata: { name: string }; spec: { egress?: unknown[] } }>)
      .filter((p) => p.metadata.name.endsWith("-egress"))
      .map((p) => [p.metadata.name, p.spec.egress]);

  test("inference.egress and services[].egress reach the service's egress policy", () => {
    const feature = { namespaces: [{ name: "feature-store", ports: [6379] }], internetHttps: false };
    const [[name, rules]] = policies({ inference: { egress: feature } } as unknown as Input);
    expect(name).toBe("inference-server-egress");
    expect(rules).toHaveLength(2);
    expect(rules).toContainEqual({ to: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "feature-store" } } }], ports: [{ port: "6379", protocol: "TCP" }] });
    expect(policies(withService({ egress: { unrestricted: true } }))).toEqual([]);
  });

  test.each([
    [withService({ egress: { cidrs: [{ cidr: "10.0.0.0/16", ports: [443] }, { cidr: "10.1.0.0/33", ports: [443] }] } }), `config: 'services["phone-detector"].egress.cidrs[1].cidr' must be an IPv4 CIDR block such as 10.0.0.0/16, got "10.1.0.0/33"`],
    [withService({ egress: { unrestricted: true, namespaces: [{ name: "store", ports: [6379] }] } }), `config: 'services["phone-detector"].egress.unrestricted' allows every destination, so it cannot be combined with namespaces: remove one or the other, got true`],
    [withService({ egress: { internetHttp: false } }), `config: 'services["phone-detector"].egress.internetHttp' is not a known setting (did you mean 'internetHttps'?)`],
    [{ inference: { egress: { namespaces: [{ name: "store", ports: [70000] }] } } } as unknown as Input, `config: 'inference.egress.namespaces[0].ports[0]' must be an integer between 1 and 65535, got 70000`],
    [{ inference: { egress: { cidrs: [{ cidr: '${file("/etc/passwd")}', ports: [443] }] } } } as unknown as Input, `config: 'inference.egress.cidrs[0].cidr' must be an IPv4 CIDR block such as 10.0.0.0/16, got "\${file(\\"/etc/passwd\\")}"`],
  ])("%# refused, naming the file's setting", (input, message) => {
    expect(() => resolveConfig(input)).toThrow(message);
  });
});
