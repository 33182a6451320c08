import { Construct } from "constructs";
import { MonitoringLabelContract } from "../contracts/monitoring-labels";
import { CrdProvider } from "../platform/custom-resources";
import { DcgmExporter, DcgmExporterOptions } from "./dcgm-exporter";
import { DCGM_EXPORTER_PODS, DCGM_EXPORTER_PORT } from "./dcgm-pods";
import { IGpuPool } from "./gpu-pool";
import { addGpuSchedulingValidation } from "./gpu-scheduling-validation";
import { NvidiaDevicePlugin, NvidiaDevicePluginOptions } from "./nvidia-device-plugin";
import { keepTemplatesLiteral } from "../core/terraform-literals";
import { toNamespaceRef } from "../core/kubernetes/namespace-ref";
import { writeComponentPolicy, writeDefaultDeny } from "../core/kubernetes/network-policy";

export interface GpuNodeComponentsProps {
  readonly pools: readonly IGpuPool[];
  readonly monitoringLabels: MonitoringLabelContract;
  /**
   * The CRDs of the DCGM exporter's ServiceMonitor: `MonitoringStack.crds`.
   * @default - the monitoring.coreos.com CRDs exist in the cluster already
   */
  readonly monitoringCrds?: CrdProvider;
  readonly devicePlugin?: NvidiaDevicePluginOptions;
  readonly dcgmExporter?: DcgmExporterOptions;
  /**
   * NetworkPolicies in the components' namespaces: deny everything but DNS and the API server
   * (the device plugin's config manager watches node labels), then the monitoring namespace to
   * the DCGM exporter's metrics port. The device plugin talks to the kubelet over a host socket
   * and needs no network. False where nothing enforces NetworkPolicies.
   * @default true
   */
  readonly networkPolicies?: boolean;
}


/**
 * Everything a GPU node needs in-cluster: the device plugin (GPUs become allocatable) on the
 * pools whose OS does not ship one, and the DCGM exporter (GPUs become observable) on every
 * pool, with the cross-component scheduling check attached to the enclosing scope.
 */
export class GpuNodeComponents extends Construct {
  /** The chart's device plugin; undefined when every pool runs one on the host (Bottlerocket). */
  public readonly devicePlugin?: NvidiaDevicePlugin;
  public readonly dcgmExporter: DcgmExporter;

  constructor(scope: Construct, id: string, props: GpuNodeComponentsProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    // A second device plugin on a Bottlerocket node would advertise its GPUs twice.
    const chartPools = props.pools.filter((p) => (p.devicePlugin ?? "chart") === "chart");
    if (chartPools.length > 0) {
      this.devicePlugin = new NvidiaDevicePlugin(this, "device-plugin", { ...props.devicePlugin, pools: chartPools });
    }
    this.dcgmExporter = new DcgmExporter(this, "dcgm-exporter", {
      ...props.dcgmExporter,
      pools: props.pools,
      monitoringLabels: props.monitoringLabels,
      monitoringCrds: props.monitoringCrds,
    });
    addGpuSchedulingValidation(scope, props.pools);
    if (props.networkPolicies ?? true) {
      const dcgmNamespace = toNamespaceRef(props.dcgmExporter?.namespace ?? "nvidia");
      const namespaces = new Map([[dcgmNamespace.name, dcgmNamespace]]);
      if (this.devicePlugin) {
        const ref = toNamespaceRef(props.devicePlugin?.namespace ?? "nvidia");
        if (!namespaces.has(ref.name)) namespaces.set(ref.name, ref);
      }
      for (const [name, ref] of namespaces) writeDefaultDeny(namespaces.size > 1 ? new Construct(this, `network-${name}`) : this, ref);
      writeComponentPolicy(this, dcgmNamespace, {
        name: "dcgm-exporter",
        pods: DCGM_EXPORTER_PODS,
        ingress: [{ peers: [{ namespace: props.monitoringLabels.namespace }], ports: [DCGM_EXPORTER_PORT] }],
      });
    }
  }
}
