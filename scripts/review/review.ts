import { AlertmanagerChange, collectAlertmanagerConfigs, diffAlertmanager } from "./alertmanager";
import { DashboardChange, collectDashboards, diffDashboards, isDashboardConfigMap } from "./dashboards";
import { HELM_RELEASE_TYPE, HelmReleaseChange, diffRelease } from "./helm";
import { SynthesizedApp } from "./model";
import { ResourceDiff, diffResources, entriesOf } from "./resources";
import { RuleChange, collectRules, diffRules } from "./rules";
import { Warning, replacementCauses, warningsFor } from "./warnings";

/** Everything the review reports about two synthesized apps. */
export interface PlanReview {
  readonly resources: ResourceDiff;
  readonly releases: readonly HelmReleaseChange[];
  readonly rules: readonly RuleChange[];
  readonly alertmanager: readonly AlertmanagerChange[];
  readonly dashboards: readonly DashboardChange[];
  readonly warnings: readonly Warning[];
}

export interface ReviewCounts {
  /** What Terraform will do with managed resources: a replacement or an address change counts as one destroy and one create. */
  readonly toAdd: number;
  readonly toDestroy: number;
  readonly toChange: number;
  readonly replaced: number;
  readonly moved: number;
  /** Data sources, providers, outputs and other blocks changed. */
  readonly otherBlocks: number;
  readonly alerts: number;
  readonly routes: number;
  readonly dashboards: number;
}

export function reviewPlans(base: SynthesizedApp, head: SynthesizedApp): PlanReview {
  const resources = diffResources(base, head, (e) => {
    if (e.type === HELM_RELEASE_TYPE) return [["values"]];
    if (isDashboardConfigMap(e)) return [["data"]];
    return [];
  });
  const releases: HelmReleaseChange[] = [];
  for (const e of resources.added) if (e.type === HELM_RELEASE_TYPE && e.mode === "resource") releases.push(diffRelease(undefined, e)!);
  for (const e of resources.removed) if (e.type === HELM_RELEASE_TYPE && e.mode === "resource") releases.push(diffRelease(e, undefined)!);
  for (const c of [...resources.changed, ...resources.moved]) {
    if (c.after.type !== HELM_RELEASE_TYPE || c.after.mode !== "resource") continue;
    const r = diffRelease(c.before, c.after);
    if (r) releases.push(r);
  }
  const before = entriesOf(base);
  const after = entriesOf(head);
  return {
    resources,
    releases,
    rules: diffRules(collectRules(before), collectRules(after)),
    alertmanager: diffAlertmanager(collectAlertmanagerConfigs(before), collectAlertmanagerConfigs(after)),
    dashboards: diffDashboards(collectDashboards(before), collectDashboards(after)),
    warnings: warningsFor(resources, releases),
  };
}

export function countReview(review: PlanReview): ReviewCounts {
  const r = review.resources;
  const managed = <T extends { mode: string }>(e: T): boolean => e.mode === "resource";
  const changed = r.changed.filter((c) => managed(c.after));
  const replaced = changed.filter((c) => replacementCauses(c.after.type, c.changes).length > 0).length;
  const added = r.added.filter(managed).length;
  const removed = r.removed.filter(managed).length;
  return {
    toAdd: added + r.moved.length + replaced,
    toDestroy: removed + r.moved.length + replaced,
    toChange: changed.length - replaced,
    replaced,
    moved: r.moved.length,
    otherBlocks: r.added.length - added + (r.removed.length - removed) + (r.changed.length - changed.length),
    alerts: review.rules.length,
    routes: review.alertmanager.reduce((n, a) => n + a.routes.length + a.receivers.length + a.inhibitions.length + (a.other.length > 0 ? 1 : 0), 0),
    dashboards: review.dashboards.length,
  };
}

export function isEmptyReview(review: PlanReview): boolean {
  const r = review.resources;
  return r.added.length + r.removed.length + r.changed.length + r.moved.length === 0;
}
