import { Construct } from "constructs";
import { MonitoringLabelContract } from "../contracts/monitoring-labels";
import { CrdProvider } from "../platform/custom-resources";
import { DcgmExporter, DcgmExporterOptions } from "./dcgm-exporter";
import { IGpuPool } from "./gpu-pool";
import { addGpuSchedulingValidation } from "./gpu-scheduling-validation";
import { NvidiaDevicePlugin, NvidiaDevicePluginOptions } from "./nvidia-device-plugin";
import { keepTemplatesLiteral } from "../core/terraform-literals";

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
  }
}
