import {
  convertIPv4MappedIPv6ToIPv4,
  convertIPv4ToBinary,
  convertIPv6ToBinary,
  distinctRemoteAddr,
  isIPv4MappedIPv6,
} from "hono/utils/ipaddr";

/**
 * One CIDR block (RFC 4632 for IPv4, RFC 4291 §2.3 for IPv6) as numbers, so
 * matching an address is a mask and a compare. Address parsing is Hono's
 * (hono/utils/ipaddr, what its ip-restriction middleware uses); the
 * middleware itself is not used: it needs a Hono Context, is built once per
 * app rather than per route value, and answers with its own plain
 * "Forbidden" instead of the router's error page (error-response.ts).
 */
export interface CidrRange {
  readonly ipv4: boolean;
  readonly network: bigint;
  readonly mask: bigint;
  toJSON(): string;
}

/** An address as a number, with IPv4-mapped IPv6 (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2) read as IPv4. */
interface Address {
  readonly ipv4: boolean;
  readonly value: bigint;
}

function parseAddress(text: string): Address | null {
  try {
    const type = distinctRemoteAddr(text);
    if (type === "IPv4") return { ipv4: true, value: convertIPv4ToBinary(text) };
    if (type !== "IPv6") return null;
    const value = convertIPv6ToBinary(text);
    return isIPv4MappedIPv6(value) ? { ipv4: true, value: convertIPv4MappedIPv6ToIPv4(value) } : { ipv4: false, value };
  } catch {
    return null;
  }
}

/**
 * `192.0.2.0/24`, `2001:db8::/32`, or a single address (`/32` or `/128`
 * implied, as Traefik accepts). Returns why not when it is not one.
 */
export function parseCidr(text: string): CidrRange | string {
  const slash = text.indexOf("/");
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const address = parseAddress(addressText);
  if (!address) return `"${addressText}" is not an IPv4 or IPv6 address`;
  const bits = address.ipv4 ? 32 : 128;
  let length = bits;
  if (slash !== -1) {
    const lengthText = text.slice(slash + 1);
    // An IPv4-mapped block written in IPv6 (`::ffff:10.0.0.0/104`) counts its prefix over 128 bits.
    const mapped = address.ipv4 && addressText.includes(":");
    length = Number(lengthText) - (mapped ? 96 : 0);
    if (!/^\d{1,3}$/.test(lengthText) || length < 0 || length > bits) {
      return `"/${lengthText}" is not a prefix length from 0 to ${mapped ? 128 : bits}`;
    }
  }
  const mask = ((1n << BigInt(length)) - 1n) << BigInt(bits - length);
  // JSON cannot hold a bigint: a route dumped as JSON (a dashboard, a test) shows the range as written.
  return { ipv4: address.ipv4, network: address.value & mask, mask, toJSON: () => text };
}

/** Whether the address is inside any of the ranges; an address that does not parse is in none. */
export function inRanges(addressText: string, ranges: readonly CidrRange[]): boolean {
  const address = parseAddress(addressText);
  if (!address) return false;
  for (const range of ranges) {
    if (range.ipv4 === address.ipv4 && (address.value & range.mask) === range.network) return true;
  }
  return false;
}
