import { Release } from "@cdktf/provider-helm/lib/release";
import { ITerraformDependable, Lazy } from "cdktf";
import { Construct } from "constructs";
import { NamespaceRef, toNamespaceRef } from "../core/kubernetes/namespace-ref";
import { PlatformConfigError } from "../core/errors";
import { toYaml } from "../core/yaml";
import { HelmChartPin } from "../versions";
import { CrdGroup, CrdProvider, CustomResourceUse, checkCustomResourceUse } from "./custom-resources";
import { CUSTOM_RESOURCES_COMMENT, CustomResourcesComment } from "./private/plan-comments";
import { escapeTemplateString, keepTemplatesLiteral } from "../core/terraform-literals";

export interface PinnedHelmReleaseProps<Values extends object> {
  /** Release name. */
  readonly releaseName: string;
  /**
   * The release's namespace: a name that exists already, or a reference to the namespace this
   * app creates, which the release then waits for.
   */
  readonly namespace: string | NamespaceRef;
  /** Chart, repository and version, from `CHARTS` in versions.ts. */
  readonly chart: HelmChartPin;
  /**
   * Typed values: each chart has its own interface holding only the keys the library sets.
   * A function is rendered at synth, after every construct that feeds it has been added.
   */
  readonly values: Values | (() => Values);
  /** @default 600 */
  readonly timeoutSeconds?: number;
  /**
   * CRDs the chart installs (from its `crds/` folder). Releases creating their custom resources
   * wait for this one; get the handle to pass them from `crds(group)`.
   * @default - none
   */
  readonly installsCrds?: readonly CrdGroup[];
  /**
   * Custom resources the chart creates with these values (a ServiceMonitor, a PrometheusRule):
   * the release waits for the resource installing their CRDs.
   * @default - none
   */
  readonly createsCustomResources?: readonly CustomResourceUse[];
  /** Anything else to wait for, such as a Secret the chart's pods mount. @default - none */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A Helm release of a pinned chart whose values are rendered as readable YAML. Atomic with
 * cleanup, so a failed install rolls back instead of leaving a half-applied release.
 *
 * It waits for its namespace, the installers of the CRDs it uses and `dependsOn`. The CRDs it
 * installs and the custom resources it creates are written into the plan as a Terraform JSON
 * comment (`"//"`, which Terraform ignores) so that the ordering check proves, on the
 * synthesized document alone, that every creator waits for the installer.
 */
export class PinnedHelmRelease<Values extends object> extends Construct {
  public readonly release: Release;
  /** The pinned chart this release installs. */
  public readonly chart: HelmChartPin;
  /** The literal namespace name. */
  public readonly namespace: string;
  private readonly produce: () => Values;
  private readonly installsCrds: readonly CrdGroup[];

  constructor(scope: Construct, id: string, props: PinnedHelmReleaseProps<Values>) {
    super(scope, id);
    keepTemplatesLiteral(this);
    this.chart = props.chart;
    const namespace = toNamespaceRef(props.namespace);
    this.namespace = namespace.name;
    this.installsCrds = props.installsCrds ?? [];
    const uses = props.createsCustomResources ?? [];
    uses.forEach((use, i) => checkCustomResourceUse(this, `createsCustomResources[${i}].kinds`, use));

    const values = props.values;
    this.produce = typeof values === "function" ? values : () => values;
    const dependsOn = unique([namespace.resource, ...uses.map((u) => u.crds.resource), ...(props.dependsOn ?? [])]);
    this.release = new Release(this, "release", {
      name: props.releaseName,
      namespace: namespace.name,
      repository: props.chart.repository,
      chart: props.chart.chart,
      version: props.chart.version,
      // A Lazy is opaque to the escape of the rendered element (it sees only the token): escape what it produces.
      values: [typeof values === "function" ? Lazy.stringValue({ produce: () => escapeTemplateString(this.valuesYaml) }) : this.valuesYaml],
      atomic: true,
      cleanupOnFail: true,
      timeout: props.timeoutSeconds ?? 600,
      dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
    });
    if (this.installsCrds.length > 0 || uses.length > 0) {
      const comment: CustomResourcesComment = {
        ...(this.installsCrds.length > 0 && { installs: this.installsCrds.map((g) => ({ group: g.group, kinds: [...g.kinds] })) }),
        ...(uses.length > 0 && { creates: uses.map((u) => ({ group: u.crds.group, kinds: [...u.kinds] })) }),
      };
      this.release.addOverride(`//.${CUSTOM_RESOURCES_COMMENT}`, comment);
    }
  }

  /** The handle to give constructs that create custom resources of a CRD group this chart installs. */
  public crds(group: string): CrdProvider {
    const installed = this.installsCrds.find((g) => g.group === group);
    if (!installed) {
      throw new PlatformConfigError(this, "installsCrds", this.installsCrds.map((g) => g.group), `must include ${group} to hand out its CRDs`);
    }
    return { group: installed.group, kinds: installed.kinds, resource: this.release };
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

function unique(items: readonly (ITerraformDependable | undefined)[]): ITerraformDependable[] {
  return [...new Set(items.filter((d): d is ITerraformDependable => d !== undefined))];
}
