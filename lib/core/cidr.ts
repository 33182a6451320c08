import { PlatformConfigError } from "./errors";

/** An IPv4 CIDR block parsed into a numeric range. */
export interface Ipv4Range {
  readonly cidr: string;
  readonly first: number;
  readonly last: number;
  readonly prefix: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses "10.0.0.0/16"; throws a config error naming `prop` for anything else, host bits included. */
export function parseCidr(scope: string, prop: string, cidr: string): Ipv4Range {
  const m = CIDR.exec(cidr);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || prefix > 32) {
    throw new PlatformConfigError(scope, prop, cidr, "must be an IPv4 CIDR block such as 10.0.0.0/16");
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) {
    throw new PlatformConfigError(scope, prop, cidr, `must start at a /${prefix} boundary (host bits set)`);
  }
  return { cidr, first: address, last: address + size - 1, prefix };
}

export function overlaps(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function contains(outer: Ipv4Range, inner: Ipv4Range): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}
