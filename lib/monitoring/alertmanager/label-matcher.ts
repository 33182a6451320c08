import { PlatformConfigError } from "../../core/errors";
import { AlertSeverity } from "./alert-severity";

/** Alertmanager matcher operators (`matchers` syntax, Alertmanager >= 0.22). */
export type MatchOperator = "=" | "!=" | "=~" | "!~";

/** One label matcher, rendered as `label<op>"value"`. Regex values are fully anchored by Alertmanager. */
export interface LabelMatcher {
  readonly label: string;
  readonly operator: MatchOperator;
  readonly value: string;
}

/** Factories for label matchers, so call sites read like the rendered text. */
export class Matcher {
  public static eq(label: string, value: string): LabelMatcher {
    return { label, operator: "=", value };
  }

  public static notEq(label: string, value: string): LabelMatcher {
    return { label, operator: "!=", value };
  }

  public static regex(label: string, pattern: string): LabelMatcher {
    return { label, operator: "=~", value: pattern };
  }

  public static notRegex(label: string, pattern: string): LabelMatcher {
    return { label, operator: "!~", value: pattern };
  }

  /** `label=~"a|b|c"`: any of the given literal values (regex metacharacters are escaped). */
  public static oneOf(label: string, values: readonly string[]): LabelMatcher {
    const pattern = alternation(values);
    return values.length === 1 ? Matcher.eq(label, values[0]) : Matcher.regex(label, pattern);
  }

  /** `label!~"a|b|c"`: none of the given literal values. */
  public static noneOf(label: string, values: readonly string[]): LabelMatcher {
    const pattern = alternation(values);
    return values.length === 1 ? Matcher.notEq(label, values[0]) : Matcher.notRegex(label, pattern);
  }

  /** `severity="critical"`, or `severity=~"warning|info"` for several. */
  public static severity(...severities: AlertSeverity[]): LabelMatcher {
    return Matcher.oneOf("severity", severities);
  }

  /** The label is present and not empty. */
  public static present(label: string): LabelMatcher {
    return Matcher.regex(label, ".+");
  }
}

function alternation(values: readonly string[]): string {
  // An empty alternation would match only the empty (absent) label: never what a caller means.
  if (values.length === 0) throw new PlatformConfigError("Matcher", "values", [], "must hold at least one value");
  return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
}
