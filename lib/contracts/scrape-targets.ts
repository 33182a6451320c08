import { IConstruct } from "constructs";
import { ConstructTag } from "../core/construct-tag";
import { MonitoringLabelContract } from "./monitoring-labels";

/** A ServiceMonitor (or PodMonitor) some construct renders, as Prometheus will see it. */
export interface ScrapeTarget {
  /** Human name for messages ("dcgm-exporter"). */
  readonly name: string;
  /** Labels on the ServiceMonitor object itself. */
  readonly labels: Readonly<Record<string, string>>;
  /** The pods behind it and the port scraped, for the NetworkPolicy check. @default - not checked */
  readonly endpoint?: ScrapeEndpoint;
}

/** Pods a scrape reaches: their namespace, labels and container port. */
export interface ScrapeEndpoint {
  readonly namespace: string;
  readonly pods: Readonly<Record<string, string>>;
  readonly port: number;
  readonly portName?: string;
}

/** Every scrape endpoint registered under `scope`, by name. */
export function scrapeEndpoints(scope: IConstruct): { readonly name: string; readonly endpoint: ScrapeEndpoint }[] {
  return SCRAPE_TARGETS.findAll(scope).flatMap(({ value: targets }) => targets.flatMap((t) => (t.endpoint ? [{ name: t.name, endpoint: t.endpoint }] : [])));
}

const SCRAPE_TARGETS = new ConstructTag<readonly ScrapeTarget[]>("ScrapeTarget");

/** Declares that `construct` renders a ServiceMonitor with these labels. */
export function registerScrapeTarget(construct: IConstruct, target: ScrapeTarget): void {
  SCRAPE_TARGETS.set(construct, [...(SCRAPE_TARGETS.get(construct) ?? []), target]);
}

/**
 * ServiceMonitors whose labels do not match the Prometheus selector: Prometheus would never
 * load them and their targets would silently have no data.
 */
export function unselectedScrapeTargetErrors(scope: IConstruct, contract: MonitoringLabelContract): string[] {
  return SCRAPE_TARGETS.findAll(scope).flatMap(({ construct: c, value: targets }) =>
    targets
      .filter((t) => Object.entries(contract.serviceMonitorLabels).some(([k, v]) => t.labels[k] !== v))
      .map(
        (t) =>
          `${c.node.path}: ServiceMonitor '${t.name}' has labels ${JSON.stringify(t.labels)}, but Prometheus selects ServiceMonitors by ${JSON.stringify(contract.serviceMonitorLabels)}, so it would never be scraped`,
      ),
  );
}
