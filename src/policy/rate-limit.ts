import type { RateLimitSpec } from "../route-value/index.ts";
import { RateLimitedError } from "./refusals.ts";
import type { PolicyFacts } from "./facts.ts";
import { clientKey } from "../lib/client-key.ts";

/**
 * Traefik's rateLimit: `average` requests per `period` per client address,
 * up to `burst` at once (a token bucket), counted for the route's path rule
 * in the shared Redis (rate-limiter.ts). Over it: 429 with Retry-After.
 * An IPv6 client is counted by its /64 (RATE_LIMIT_IPV6_PREFIX), and every
 * client of unknown address shares one bucket (lib/client-key.ts).
 */
export async function rateLimit(
  _request: Request,
  facts: PolicyFacts,
  spec: RateLimitSpec,
): Promise<RateLimitedError | undefined> {
  const identifier = `${facts.scope}:${clientKey(facts.clientIp, facts.ipv6Prefix)}`;
  const verdict = await facts.rateLimiter().limit(identifier, spec);
  if (verdict.allowed) return undefined;
  return new RateLimitedError(Math.max(1, Math.ceil((verdict.reset - Date.now()) / 1000)), spec.burst);
}
