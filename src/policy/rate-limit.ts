import type { RateLimitSpec } from "../route-value/policy-spec.ts";
import { RateLimitedError } from "./refusals.ts";
import type { PolicyFacts } from "./facts.ts";

/**
 * Traefik's rateLimit: `average` requests per `period` per client address,
 * up to `burst` at once (a token bucket), counted for the route's path rule
 * in the shared Redis (rate-limiter.ts). Over it: 429 with Retry-After.
 */
export async function rateLimit(
  _request: Request,
  facts: PolicyFacts,
  spec: RateLimitSpec,
): Promise<RateLimitedError | undefined> {
  const identifier = `${facts.scope}:${facts.clientIp ?? "unknown"}`;
  const verdict = await facts.rateLimiter().limit(identifier, spec);
  if (verdict.allowed) return undefined;
  return new RateLimitedError(Math.max(1, Math.ceil((verdict.reset - Date.now()) / 1000)), spec.burst);
}
