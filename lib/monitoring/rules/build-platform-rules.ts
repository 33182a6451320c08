import { IConstruct } from "constructs";
import { MonitoredService } from "../../contracts/monitoring-catalog";
import { checkUnique } from "../../core/validate";
import { GpuRuleOptions, gpuRuleGroups } from "./gpu-rules";
import { inferenceRuleGroup } from "./inference-rules";
import { PlatformRuleOptions, platformRuleGroups } from "./platform-rules";
import { checkHttpUrl, checkWindow } from "./private/checks";
import { RuleGroup } from "./rule-types";
import { addRunbookLinks, DEFAULT_RUNBOOK_BASE_URL } from "./runbook-links";
import { validateRuleGroups } from "./rule-validation";
import { sloRuleGroups } from "./slo-rules";
import { StorageRuleOptions, storageRuleGroups } from "./storage-rules";

/** Scrape interval the design notes ask for (10-15s); per-service groups evaluate at it. */
export const DEFAULT_SCRAPE_INTERVAL = "15s";

export interface PlatformRulesOptions {
  /** The model servers to watch, usually `MonitoringCatalog.services`. */
  readonly services: readonly MonitoredService[];
  /** The GPU pools (any `IGpuPool` fits); per-pool GPU overrides must name one of them. */
  readonly gpuPools: readonly { readonly poolName: string }[];
  /** @default - the GPU pack's defaults: memory 80%/95%, leak horizon 24h, no power alerts */
  readonly gpu?: GpuRuleOptions;
  /** @default - the platform pack's defaults */
  readonly platform?: PlatformRuleOptions;
  /** The Thanos storage pack ("thanos" group). @default - none: no long-term storage */
  readonly storage?: StorageRuleOptions;
  /** Groups of the user's own rules, checked exactly like the generated ones. @default - none */
  readonly userRules?: readonly RuleGroup[];
  /** Runbook links are this URL plus the lowercase alert name. @default DEFAULT_RUNBOOK_BASE_URL */
  readonly runbookBaseUrl?: string;
  /** The Prometheus scrape interval. @default "15s" */
  readonly scrapeInterval?: string;
}

/**
 * Every rule group of the platform, validated, with runbook links: "gpu", one "inference-<ns>-<svc>"
 * and (with SLOs) one "slo-<ns>-<svc>" per service, "platform", "thanos" with long-term storage, then the user's groups. Throws a
 * PlatformConfigError naming the prop on the first problem.
 */
export function buildPlatformRules(options: PlatformRulesOptions, scope: IConstruct | string = "PlatformRules"): RuleGroup[] {
  const scrapeInterval = options.scrapeInterval ?? DEFAULT_SCRAPE_INTERVAL;
  const runbookBaseUrl = options.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL;
  const userRules = options.userRules ?? [];
  checkWindow(scope, "scrapeInterval", scrapeInterval);
  checkHttpUrl(scope, "runbookBaseUrl", runbookBaseUrl);
  checkUnique(
    scope,
    "services[*].selector",
    options.services.map((s) => `${s.selector.namespace}/${s.selector.service}`),
  );

  const generated = addRunbookLinks(
    [
      ...gpuRuleGroups(scope, options.gpuPools, options.gpu),
      // Named by service, not by position: "services[0]" says nothing to whoever declared it.
      ...options.services.map((service) => [service, `services["${service.selector.namespace}/${service.selector.service}"]`] as const).flatMap(([service, prop]) => [
        inferenceRuleGroup(scope, prop, service, scrapeInterval),
        ...sloRuleGroups(scope, prop, service),
      ]),
      ...platformRuleGroups(scope, options.platform),
      ...(options.storage ? storageRuleGroups(scope, options.storage) : []),
    ],
    runbookBaseUrl,
  );
  const user = addRunbookLinks(userRules, runbookBaseUrl);
  // The packs' templates are type-checked by promtool in the test suite: syntax here, types for user rules.
  validateRuleGroups(scope, "rules", generated, { types: false });
  validateRuleGroups(scope, "userRules", user);
  // Group names become file and PrometheusRule names: unique across generated and user groups.
  checkUnique(
    scope,
    "userRules[*].name",
    [...generated, ...user].map((g) => g.name),
  );
  return [...generated, ...user];
}
