import type { Context } from "hono";
import { readConfig } from "../config.ts";
import { clientKey } from "../lib/client-key.ts";
import { createLocalBuckets } from "../policy/index.ts";
import { resolveClient } from "../receive/index.ts";
import { AdminThrottledError } from "./dashboard-errors.ts";

/**
 * Wrong dashboard tokens (bearer or login form) per client: 10 at once, then
 * one every 6 seconds, in the token bucket rate limits use (local-bucket.ts),
 * counted in this isolate. A per-isolate count needs no store command and
 * keeps working when the store fails; at 10 a minute per isolate, a 16-character
 * random token is out of reach. Only wrong credentials keep their token (a
 * right one is refunded); while the bucket is empty every credential gets
 * 429 before it is compared, right or wrong, so a guesser learns nothing. Clients are keyed as rate limits key them
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

/**
 * Takes one try from this client's bucket before a credential is compared,
 * or throws 429 when none is left; returns the refund to call when the
 * credential is right. Taking first (not peeking, then counting the wrong
 * ones) matters: a comparison awaits, and a thousand guesses sent at once
 * would all pass a peek before the first was counted.
 */
export function spendAttempt(c: Context): () => void {
  const key = keyOf(c);
  const verdict = buckets.take(key, WRONG_TOKENS);
  if (!verdict.allowed) throw new AdminThrottledError(Math.max(1, Math.ceil((verdict.reset - Date.now()) / 1000)));
  return () => buckets.refund(key, WRONG_TOKENS);
}
