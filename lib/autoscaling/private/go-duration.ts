import { IConstruct } from "constructs";
import { PlatformConfigError } from "../../core/errors";

const GO_DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Seconds of a Go duration in hours, minutes and seconds ("20m", "1h30m"), as Cluster Autoscaler's flags take. */
export function parseGoDuration(scope: IConstruct, prop: string, value: string): number {
  const m = typeof value === "string" && value !== "" ? GO_DURATION.exec(value) : null;
  if (!m) throw new PlatformConfigError(scope, prop, value, "must be a duration of hours, minutes and seconds such as 20m, 1h or 1h30m");
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}
