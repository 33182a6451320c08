import { isAlertRule, RuleGroup } from "./rule-types";

/** Where runbooks live unless configured: one page per alert, named by the lowercase alert name. */
export const DEFAULT_RUNBOOK_BASE_URL = "https://runbooks.gpu-platform.dev/alerts/";

export function runbookUrl(baseUrl: string, alert: string): string {
  return `${baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`}${alert.toLowerCase()}`;
}

/**
 * Adds `runbook_url` to every alert that has none, in one post-processing step
 * (kubernetes-mixin `add-runbook-links.libsonnet`), so packs never hard-code the runbook host.
 */
export function addRunbookLinks(groups: readonly RuleGroup[], baseUrl: string = DEFAULT_RUNBOOK_BASE_URL): RuleGroup[] {
  return groups.map((group) => ({
    ...group,
    rules: group.rules.map((rule) =>
      isAlertRule(rule) && rule.annotations.runbook_url === undefined
        ? { ...rule, annotations: { ...rule.annotations, runbook_url: runbookUrl(baseUrl, rule.alert) } }
        : rule,
    ),
  }));
}
