import { ConfigError } from "../errors.ts";
import { cidrContains, parseCidr, parseIp, type Cidr } from "../lib/cidr.ts";

/**
 * Where the real client address comes from (CLIENT_ADDRESS):
 * - "cf-connecting-ip": the edge's CF-Connecting-IP header. Cloudflare sets it
 *   and a client cannot, so it is the truth there — and only there.
 * - "connection": the TCP peer, which `workerd serve` hands over as
 *   `request.cf.clientIp` ("127.0.0.1:52762") while it passes a client-sent
 *   CF-Connecting-IP through untouched. Self-hosted mode (`npm run serve`).
 */
export type ClientAddressSource = "cf-connecting-ip" | "connection";

export interface ClientAddressing {
  readonly source: ClientAddressSource;
  /** Peers whose X-Forwarded-For is believed (TRUSTED_PROXIES); "connection" only. */
  readonly trustedProxies: readonly Cidr[];
}

/** What the edge does, and what the router did before the setting existed. */
export const EDGE_ADDRESSING: ClientAddressing = { source: "cf-connecting-ip", trustedProxies: [] };

/** The client, and the X-Forwarded-For chain that stays in front of it. */
export interface ResolvedClient {
  readonly clientIp: string | null;
  readonly forwardedFor: string | null;
}

export function parseClientAddressing(sourceText: string, proxiesText: string): ClientAddressing {
  const source = sourceText.trim().toLowerCase() || "cf-connecting-ip";
  if (source !== "cf-connecting-ip" && source !== "connection") {
    throw new ConfigError(
      "CLIENT_ADDRESS",
      "invalid",
      `CLIENT_ADDRESS must be "cf-connecting-ip" or "connection", not "${sourceText.slice(0, 64)}".`,
    );
  }
  const trustedProxies = proxiesText
    .split(/[\s,]+/)
    .filter((entry) => entry !== "")
    .map((entry) => {
      const cidr = parseCidr(entry);
      if (!cidr) {
        throw new ConfigError(
          "TRUSTED_PROXIES",
          "invalid",
          `TRUSTED_PROXIES must list addresses or CIDR blocks such as 10.0.0.0/8, not "${entry.slice(0, 64)}".`,
        );
      }
      return cidr;
    });
  return { source, trustedProxies };
}

/**
 * The real client address. Behind trusted proxies it is found as nginx's
 * `real_ip_from` + `real_ip_recursive on` find it: X-Forwarded-For is read
 * from the right, skipping addresses of trusted proxies; the first one that
 * is not trusted is the client (all trusted: the leftmost). Entries to its
 * left were written by the client itself and are kept, unverified, in front.
 * An entry may carry a port (`203.0.113.5:51234`, `[2001:db8::1]:443`, as
 * Azure's load balancers write it): the address is what counts. An entry
 * that is no address (`unknown`, a host name, junk) ends the walk with the
 * client unknown (null): the proxy it came through is not the client, so an
 * ipAllowList refuses it (403) and rate limits count it in one shared bucket.
 */
export function resolveClient(request: Request, addressing: ClientAddressing): ResolvedClient {
  const received = request.headers.get("x-forwarded-for");
  if (addressing.source === "cf-connecting-ip") {
    return { clientIp: request.headers.get("cf-connecting-ip"), forwardedFor: received };
  }
  const peer = peerAddress(request);
  if (peer === null || !isTrusted(peer, addressing) || received === null) {
    return { clientIp: peer, forwardedFor: received };
  }
  const chain = received
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  let client = peer;
  for (let index = chain.length - 1; index >= 0; index--) {
    const candidate = withoutPort(chain[index] ?? "");
    // No address: nobody can say who sent it. The chain goes on as received, with no client appended.
    if (candidate === null) return { clientIp: null, forwardedFor: chain.join(", ") };
    client = candidate;
    if (!isTrusted(candidate, addressing)) {
      return { clientIp: candidate, forwardedFor: chain.slice(0, index).join(", ") || null };
    }
  }
  return { clientIp: client, forwardedFor: null }; // every hop trusted: the leftmost is the client
}

/** `request.cf.clientIp` without its port: "127.0.0.1:52762" → "127.0.0.1", "[::1]:5" → "::1". */
function peerAddress(request: Request): string | null {
  const cf: unknown = (request as { cf?: unknown }).cf; // also typed where Request has no `cf` (Node tests)
  if (typeof cf !== "object" || cf === null || !("clientIp" in cf) || typeof cf.clientIp !== "string") return null;
  return withoutPort(cf.clientIp);
}

/**
 * An address as a peer or an X-Forwarded-For entry writes it, without its
 * port: "1.2.3.4:5" → "1.2.3.4", "[2001:db8::1]:5" and "[2001:db8::1]" →
 * "2001:db8::1", a bare IPv6 address as it is; null when it is no address.
 */
export function withoutPort(text: string): string | null {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  const v4 = bracketed ? null : /^([\d.]+)(?::\d{1,5})?$/.exec(text);
  const address = bracketed?.[1] ?? v4?.[1] ?? text;
  return parseIp(address) === null ? null : address;
}

function isTrusted(address: string, addressing: ClientAddressing): boolean {
  const value = parseIp(address);
  return value !== null && addressing.trustedProxies.some((cidr) => cidrContains(cidr, value));
}
