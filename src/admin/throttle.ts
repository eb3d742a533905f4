import type { Context } from "hono";
import { readConfig } from "../config.ts";
import { clientKey } from "../lib/client-key.ts";
import { createLocalBuckets } from "../policy/local-bucket.ts";
import { resolveClient } from "../receive/client-address.ts";
import { AdminThrottledError } from "./dashboard-errors.ts";

/**
 * Wrong dashboard tokens (bearer or login form) per client: 10 at once, then
 * one every 6 seconds, in the token bucket rate limits use (local-bucket.ts),
 * counted in this isolate. A per-isolate count needs no store command and
 * keeps working when the store fails; at 10 a minute per isolate, a 16-character
 * random token is out of reach. Only wrong credentials take a token; while the
 * bucket is empty every credential gets 429 before it is compared, right or
 * wrong, so a guesser learns nothing. Clients are keyed as rate limits key them
 * (an IPv6 /64, unknown addresses together).
 */
export const WRONG_TOKENS = { average: 10, periodMs: 60_000, burst: 10 } as const;

const buckets = createLocalBuckets({ maxKeys: 10_000 });

function keyOf(c: Context): string {
  try {
    const config = readConfig(c.env as object);
    return clientKey(resolveClient(c.req.raw, config.clientAddress).clientIp, config.rateLimitIpv6Prefix);
  } catch {
    return clientKey(null);
  }
}

/** Throws 429 when this client has used up its wrong tries; call before comparing a credential. */
export function refuseWhileThrottled(c: Context): void {
  const verdict = buckets.peek(keyOf(c), WRONG_TOKENS);
  if (!verdict.allowed) throw new AdminThrottledError(Math.max(1, Math.ceil((verdict.reset - Date.now()) / 1000)));
}

/** Counts one wrong credential from this client. */
export function countWrongToken(c: Context): void {
  buckets.take(keyOf(c), WRONG_TOKENS);
}
