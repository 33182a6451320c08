/**
 * A duration in Alertmanager's syntax ("30s", "5m", "1h30m"). Built from a factory so the
 * unit is explicit at the call site; the text is checked when the config is rendered, where
 * the error can name the exact field (`route.routes[2].repeatInterval`).
 */
export class AlertDuration {
  /** Any Prometheus duration text, e.g. "1h30m". */
  public static parse(text: string): AlertDuration {
    return new AlertDuration(text);
  }

  public static seconds(amount: number): AlertDuration {
    return new AlertDuration(`${amount}s`);
  }

  public static minutes(amount: number): AlertDuration {
    return new AlertDuration(`${amount}m`);
  }

  public static hours(amount: number): AlertDuration {
    return new AlertDuration(`${amount}h`);
  }

  private constructor(public readonly text: string) {}

  public toString(): string {
    return this.text;
  }
}
