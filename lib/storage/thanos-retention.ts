import { IConstruct } from "constructs";
import { PlatformConfigError } from "../core/errors";
import { parsePrometheusDuration } from "../core/validate";

/**
 * How long the compactor keeps blocks at each resolution, as Thanos durations ("30d", "1y");
 * "0d" keeps that resolution forever (`--retention.resolution-*`).
 */
export interface ThanosRetention {
  /** @default "30d" */
  readonly raw?: string;
  /** 5-minute downsampled data. @default "180d" */
  readonly fiveMinutes?: string;
  /** 1-hour downsampled data. @default "1y" */
  readonly oneHour?: string;
}

/** Defaults: a month of full detail, half a year of 5m data for trends, a year of 1h data for capacity planning. */
export const DEFAULT_THANOS_RETENTION = { raw: "30d", fiveMinutes: "180d", oneHour: "1y" } as const;

/**
 * The compactor downsamples a block to 5m once it spans 40 hours and to 1h once it spans 10
 * days (Thanos `compact` docs, "Downsampling"): data kept only that long never becomes the
 * next resolution.
 */
export const DOWNSAMPLE_TO_5M_AFTER_SECONDS = 40 * 3600;
export const DOWNSAMPLE_TO_1H_AFTER_SECONDS = 10 * 86400;

export interface ResolvedThanosRetention {
  readonly raw: string;
  readonly fiveMinutes: string;
  readonly oneHour: string;
  /** The longest kept resolution in seconds; Infinity when one is kept forever. */
  readonly longestSeconds: number;
}

const KEYS = [
  ["raw", "retention.raw"],
  ["fiveMinutes", "retention.fiveMinutes"],
  ["oneHour", "retention.oneHour"],
] as const;

/**
 * Applies defaults and checks the retention against downsampling; throws naming the setting
 * (`<prefix>retention.raw`, ...).
 */
export function resolveThanosRetention(scope: IConstruct | string, retention: ThanosRetention = {}, downsampling = true, prefix = ""): ResolvedThanosRetention {
  const r = {
    raw: retention.raw ?? DEFAULT_THANOS_RETENTION.raw,
    fiveMinutes: retention.fiveMinutes ?? DEFAULT_THANOS_RETENTION.fiveMinutes,
    oneHour: retention.oneHour ?? DEFAULT_THANOS_RETENTION.oneHour,
  };
  // 0 means forever: compare as Infinity.
  const seconds = Object.fromEntries(
    KEYS.map(([key, prop]) => {
      const s = parsePrometheusDuration(scope, prefix + prop, r[key]);
      return [key, s === 0 ? Infinity : s];
    }),
  ) as Record<(typeof KEYS)[number][0], number>;

  if (downsampling) {
    if (seconds.raw <= DOWNSAMPLE_TO_5M_AFTER_SECONDS) {
      throw new PlatformConfigError(scope, prefix + "retention.raw", r.raw, "must be longer than 40h with downsampling on (blocks become 5m data only once they span 40 hours), or 0d to keep raw data forever");
    }
    if (seconds.fiveMinutes <= DOWNSAMPLE_TO_1H_AFTER_SECONDS) {
      throw new PlatformConfigError(scope, prefix + "retention.fiveMinutes", r.fiveMinutes, "must be longer than 10d with downsampling on (5m blocks become 1h data only once they span 10 days), or 0d to keep 5m data forever");
    }
    if (seconds.raw > seconds.fiveMinutes) {
      throw new PlatformConfigError(scope, prefix + "retention.raw", r.raw, `must not be longer than '${prefix}retention.fiveMinutes' (${r.fiveMinutes}): each downsampled resolution must outlive the one it is made from`);
    }
    if (seconds.fiveMinutes > seconds.oneHour) {
      throw new PlatformConfigError(scope, prefix + "retention.fiveMinutes", r.fiveMinutes, `must not be longer than '${prefix}retention.oneHour' (${r.oneHour}): each downsampled resolution must outlive the one it is made from`);
    }
  }
  const kept = downsampling ? [seconds.raw, seconds.fiveMinutes, seconds.oneHour] : [seconds.raw];
  return { ...r, longestSeconds: Math.max(...kept) };
}
