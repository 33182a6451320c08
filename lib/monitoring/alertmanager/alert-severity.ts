/**
 * The fixed severities of the platform's alert rules. Routing, inhibition and the rules
 * themselves agree on these three values; a matcher on `severity` with any other value is
 * a synth-time error, since it would silently match nothing.
 */
export const ALERT_SEVERITIES = ["critical", "warning", "info"] as const;

export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export function isAlertSeverity(value: string): value is AlertSeverity {
  return (ALERT_SEVERITIES as readonly string[]).includes(value);
}
