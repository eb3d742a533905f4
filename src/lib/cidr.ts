/**
 * IP addresses and CIDR blocks (RFC 4632, RFC 4291 §2.3), for the trusted
 * proxies of TRUSTED_PROXIES. Addresses are read as 128-bit numbers; an IPv4
 * address is its IPv4-mapped IPv6 form (RFC 4291 §2.5.5.2), so "10.0.0.0/8"
 * also matches "::ffff:10.1.2.3" as a dual-stack socket reports it.
 */
export interface Cidr {
  readonly network: bigint;
  readonly mask: bigint;
}

const V4_MAPPED = 0xffffn << 32n;
const ALL = (1n << 128n) - 1n;

/** The address as a 128-bit number, or null when it is not an IPv4 or IPv6 literal. */
export function parseIp(text: string): bigint | null {
  return text.includes(":") ? parseIpv6(text) : parseIpv4(text, V4_MAPPED);
}

/** "10.0.0.0/8", "2001:db8::/32", or a bare address (one host); null when malformed. */
export function parseCidr(text: string): Cidr | null {
  const [address = "", prefix, extra] = text.trim().split("/");
  if (extra !== undefined) return null;
  const value = parseIp(address);
  if (value === null) return null;
  const isV4 = !address.includes(":");
  const maxBits = isV4 ? 32 : 128;
  const bits = prefix === undefined ? maxBits : /^\d{1,3}$/.test(prefix) ? Number(prefix) : -1;
  if (bits < 0 || bits > maxBits) return null;
  const hostBits = BigInt(maxBits - bits);
  const mask = (ALL >> hostBits) << hostBits;
  return { network: value & mask, mask };
}

export function cidrContains(cidr: Cidr, address: bigint): boolean {
  return (address & cidr.mask) === cidr.network;
}

function parseIpv4(text: string, base: bigint): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    // Decimal only, no leading zeros: "010" would be octal to some parsers.
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return base | value;
}

function parseIpv6(text: string): bigint | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (half: string | undefined): bigint[] | null => {
    if (!half) return [];
    const out: bigint[] = [];
    const parts = half.split(":");
    for (const [index, part] of parts.entries()) {
      if (index === parts.length - 1 && part.includes(".")) {
        const v4 = parseIpv4(part, 0n);
        if (v4 === null) return null;
        out.push(v4 >> 16n, v4 & 0xffffn);
      } else if (/^[0-9a-f]{1,4}$/i.test(part)) out.push(BigInt(`0x${part}`));
      else return null;
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<bigint>(halves.length === 1 ? 0 : missing).fill(0n), ...tail];
  return all.reduce((value, group) => (value << 16n) | group, 0n);
}
