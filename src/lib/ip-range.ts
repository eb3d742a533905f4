import { cidrContains, parseCidr, parseIp, type Cidr } from "./cidr.ts";

/**
 * One `ipAllowList.sourceRange` entry: a CIDR block as numbers, read by the
 * router's one address parser (lib/cidr.ts, which TRUSTED_PROXIES uses
 * too), so matching an address is a mask and a compare. IPv4 lives in the
 * IPv4-mapped IPv6 space (RFC 4291 §2.5.5.2): `10.0.0.0/8` also matches
 * `::ffff:10.1.2.3` as a dual-stack socket reports it. Hono's ip-restriction
 * middleware is not used: it needs a Hono Context, is built once per app
 * rather than per route value, and answers with its own plain "Forbidden"
 * instead of the router's error page (error-response.ts).
 */
export interface CidrRange extends Cidr {
  toJSON(): string;
}

/**
 * `192.0.2.0/24`, `2001:db8::/32`, or a single address (`/32` or `/128`
 * implied, as Traefik accepts). Returns why not when it is not one: unlike
 * lib/cidr.ts's parseCidr (null for anything else), the reason goes into the
 * route value's refusal.
 */
export function parseSourceRange(text: string): CidrRange | string {
  const block = parseCidr(text);
  // JSON cannot hold a bigint: a route dumped as JSON (a dashboard, a test) shows the range as written.
  if (block) return { ...block, toJSON: () => text };
  const [address = "", prefix] = text.split("/");
  if (parseIp(address) === null) return `"${address}" is not an IPv4 or IPv6 address`;
  return `"/${prefix ?? ""}" is not a prefix length from 0 to ${address.includes(":") ? 128 : 32}`;
}

/** Whether the address is inside any of the ranges; an address that does not parse is in none. */
export function inRanges(addressText: string, ranges: readonly CidrRange[]): boolean {
  const address = parseIp(addressText);
  return address !== null && ranges.some((range) => cidrContains(range, address));
}
