import { IConstruct } from "constructs";
import { PlatformConfigError } from "../../core/errors";
import { checkIntRange } from "../../core/validate";

/** EKS managed node groups hold at most 450 nodes. */
export const MAX_NODES_PER_GROUP = 450;

export interface ScalingBounds {
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
}

/** 0 <= min <= desired <= max <= 450, max >= 1. */
export function checkScaling(scope: IConstruct, s: ScalingBounds): void {
  checkIntRange(scope, "minSize", s.minSize, 0, MAX_NODES_PER_GROUP);
  checkIntRange(scope, "maxSize", s.maxSize, 1, MAX_NODES_PER_GROUP);
  checkIntRange(scope, "desiredSize", s.desiredSize, 0, MAX_NODES_PER_GROUP);
  if (s.minSize > s.maxSize) {
    throw new PlatformConfigError(scope, "minSize", s.minSize, `must not exceed maxSize (${s.maxSize})`);
  }
  if (s.desiredSize < s.minSize || s.desiredSize > s.maxSize) {
    throw new PlatformConfigError(scope, "desiredSize", s.desiredSize, `must lie between minSize (${s.minSize}) and maxSize (${s.maxSize})`);
  }
}
