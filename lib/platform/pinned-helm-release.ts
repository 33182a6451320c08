import { Release } from "@cdktf/provider-helm/lib/release";
import { ITerraformDependable, Lazy } from "cdktf";
import { Construct } from "constructs";
import { toYaml } from "../core/yaml";
import { HelmChartPin } from "../versions";

export interface PinnedHelmReleaseProps<Values extends object> {
  /** Release name. */
  readonly releaseName: string;
  readonly namespace: string;
  /** Chart, repository and version, from `CHARTS` in versions.ts. */
  readonly chart: HelmChartPin;
  /**
   * Typed values: each chart has its own interface holding only the keys the library sets.
   * A function is rendered at synth, after every construct that feeds it has been added.
   */
  readonly values: Values | (() => Values);
  /** @default 600 */
  readonly timeoutSeconds?: number;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A Helm release of a pinned chart whose values are rendered as readable YAML. Atomic with
 * cleanup, so a failed install rolls back instead of leaving a half-applied release.
 */
export class PinnedHelmRelease<Values extends object> extends Construct {
  public readonly release: Release;
  /** The pinned chart this release installs. */
  public readonly chart: HelmChartPin;
  private readonly produce: () => Values;

  constructor(scope: Construct, id: string, props: PinnedHelmReleaseProps<Values>) {
    super(scope, id);
    this.chart = props.chart;
    const values = props.values;
    this.produce = typeof values === "function" ? values : () => values;
    this.release = new Release(this, "release", {
      name: props.releaseName,
      namespace: props.namespace,
      repository: props.chart.repository,
      chart: props.chart.chart,
      version: props.chart.version,
      values: [typeof values === "function" ? Lazy.stringValue({ produce: () => this.valuesYaml }) : this.valuesYaml],
      atomic: true,
      cleanupOnFail: true,
      timeout: props.timeoutSeconds ?? 600,
      dependsOn: props.dependsOn,
    });
  }

  /** The values as they are rendered (computed now for lazy values). */
  public get values(): Values {
    return this.produce();
  }

  /** The values as the YAML text handed to Helm. */
  public get valuesYaml(): string {
    return toYaml(this.produce());
  }
}
