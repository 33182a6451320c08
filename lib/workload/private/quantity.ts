import { IConstruct } from "constructs";
import { PlatformConfigError } from "../../core/errors";

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

const FACTORS: Readonly<Record<string, number>> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * A Kubernetes resource quantity ("500m", "2", "8Gi") in base units (cores, bytes), for comparing
 * requests with limits. Exponent forms ("1e3") are not accepted: nobody writes them by hand.
 */
export function parseQuantity(scope: IConstruct, prop: string, value: string): number {
  const m = QUANTITY.exec(value);
  if (!m) {
    throw new PlatformConfigError(scope, prop, value, "must be a Kubernetes quantity such as 500m, 2, 512Mi or 8Gi");
  }
  return Number(m[1]) * FACTORS[m[2] ?? ""];
}

/** Renders a positive number as a quantity: integers as-is, fractions in milli-units ("0.5" -> "500m"). */
export function formatQuantity(value: number): string {
  return Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`;
}
