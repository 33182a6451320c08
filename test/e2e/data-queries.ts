import { NamedQuery, recordingRuleQueries } from "./harness/queries";
import { RuleFile } from "./harness/time-profile";

/**
 * The queries that must return data on the healthy reference system (checked by
 * alerting.e2e.test.ts against the running Prometheus 3): every recording rule, and every
 * dashboard query with its template variables substituted.
 *
 * Dashboards plug in here: append the list of every dashboard panel query (variables set to the
 * reference system's values: namespace "inference", service "inference-server", the pools and
 * nodes of harness/local-stack.ts) as NamedQuery items named "<dashboard> / <panel>".
 */
export function queriesThatMustReturnData(rules: Readonly<Record<string, RuleFile>>): NamedQuery[] {
  return [...recordingRuleQueries(rules)];
}
