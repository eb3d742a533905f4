import { parseIp } from "./cidr.ts";

/** Every client whose address is unknown (no header, an entry that is not an address) shares this one bucket. */
export const UNKNOWN_CLIENT = "unknown";

const V4_MAPPED = 0xffffn << 32n;
const V4_MASK = 0xffffffffn;

/**
 * The key a client is counted under. An IPv4 address is itself; an IPv6
 * address is its network of `ipv6Prefix` bits (default /64), as Traefik's
 * `ipStrategy.ipv6Subnet` does: one subscriber is usually given a whole /64
 * (RFC 6177), so counting each of its 2^64 addresses apart would let one
 * client multiply its allowance by changing addresses. IPv4-mapped IPv6
 * (`::ffff:192.0.2.1`, as dual-stack sockets report IPv4) counts as the IPv4
 * address. A null or unreadable address is the one shared UNKNOWN_CLIENT.
 */
export function clientKey(clientIp: string | null, ipv6Prefix = 64): string {
  if (clientIp === null) return UNKNOWN_CLIENT;
  const address = parseIp(clientIp);
  if (address === null) return UNKNOWN_CLIENT;
  if (address >> 32n === V4_MAPPED >> 32n) return v4Text(address & V4_MASK);
  const hostBits = BigInt(128 - Math.min(128, Math.max(0, ipv6Prefix)));
  const network = (address >> hostBits) << hostBits;
  return `${network.toString(16).padStart(32, "0")}/${ipv6Prefix}`;
}

function v4Text(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
}
