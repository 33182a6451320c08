import { AlertDuration } from "./alert-duration";
import { LabelMatcher } from "./label-matcher";

/** Grouping and timing shared by the root route and its children; unset fields inherit. */
export interface RouteTiming {
  /**
   * Labels that make one notification group. `["..."]` disables grouping: every alert is its own group.
   * @default - the parent's
   */
  readonly groupBy?: readonly string[];
  /** Wait before the first notification of a new group. @default - the parent's */
  readonly groupWait?: AlertDuration;
  /** Wait before notifying about alerts added to a group already notified. @default - the parent's */
  readonly groupInterval?: AlertDuration;
  /** Wait before re-sending a notification that is still firing. @default - the parent's */
  readonly repeatInterval?: AlertDuration;
}

/** A child route. Alertmanager tries children in order; the first match wins unless `continue`. */
export interface AlertRoute extends RouteTiming {
  /** All must match (AND). @default - matches every alert */
  readonly matchers?: readonly LabelMatcher[];
  /** Name of a declared receiver. @default - the parent's receiver */
  readonly receiver?: string;
  /** Also try the following siblings after a match. @default false */
  readonly continue?: boolean;
  /** @default - no children */
  readonly routes?: readonly AlertRoute[];
}

/** The top of the routing tree: it matches every alert and must name a receiver and its timing. */
export interface RootAlertRoute extends RouteTiming {
  /** The receiver of alerts that no child route matches. */
  readonly receiver: string;
  /** @default - no children */
  readonly routes?: readonly AlertRoute[];
}

/** Mutes alerts matching `targetMatchers` while an alert matching `sourceMatchers` fires with the same `equal` labels. */
export interface InhibitRule {
  readonly sourceMatchers: readonly LabelMatcher[];
  readonly targetMatchers: readonly LabelMatcher[];
  /**
   * Labels whose values must be equal on source and target. A label missing on both counts
   * as equal, so guard the source with `Matcher.present(label)` where that matters.
   * @default - none: any source mutes every target
   */
  readonly equal?: readonly string[];
}
