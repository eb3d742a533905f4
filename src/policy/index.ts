/**
 * The policies' door: maintenance, ipAllowList, rateLimit and basicAuth, enforced in that order between the path
 * rule and forwarding.
 */
export { enforcePolicies } from "./enforce.ts";
export { createLocalBuckets } from "./local-bucket.ts";
export { createRateLimiter } from "./rate-limiter.ts";
export type { RateLimiter } from "./rate-limiter.ts";
