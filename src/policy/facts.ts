import type { RateLimiter } from "./rate-limiter.ts";

/** What the policies know of a request beyond the request itself, computed once before they run. */
export interface PolicyFacts {
  /**
   * ClientInfo.clientIp (receive/forwarded.ts, resolved by receive/client-address.ts): the client CLIENT_ADDRESS
   * names. X-Forwarded-For counts only when the peer is one of TRUSTED_PROXIES, and then only the hops they added.
   */
  readonly clientIp: string | null;
  /** RATE_LIMIT_IPV6_PREFIX: an IPv6 client is counted by its network of this many bits (lib/client-key.ts). */
  readonly ipv6Prefix: number;
  /** The route key and path rule: a rate limit counts each client within it. */
  readonly scope: string;
  /** The isolate's limiter on the route store; only rateLimit calls it. */
  readonly rateLimiter: () => RateLimiter;
}
