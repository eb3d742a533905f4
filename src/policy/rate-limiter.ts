import { upstashClient } from "../lib/upstash-client.ts";
import { createLru } from "../lib/lru.ts";
import type { RateLimitSpec } from "../route-value/index.ts";
import { createThrottledLog } from "../lib/throttled-log.ts";
import { createLocalBuckets } from "./local-bucket.ts";

/** One request's verdict; while the store fails, the isolate's own bucket gives it. */
export interface RateVerdict {
  readonly allowed: boolean;
  /** Epoch ms when the next request may pass (meaningful when refused). */
  readonly reset: number;
}

export interface RateLimiter {
  limit(identifier: string, spec: RateLimitSpec): Promise<RateVerdict>;
}

export interface RateLimiterOptions {
  readonly url: string;
  readonly token: string;
  /** Past this the isolate's own bucket decides (rate-limiter.ts, store failures). */
  readonly timeoutMs: number;
  /** Prepended to every bucket key (ROUTE_KEY_PREFIX + `ratelimit:`). */
  readonly prefix: string;
  /** At most one "failing" log line per interval. */
  readonly logIntervalMs: number;
  readonly log?: (line: string) => void;
  /** Blocked clients remembered in the isolate; past it the oldest is forgotten. */
  readonly maxBlocked?: number;
  readonly now?: () => number;
}

/**
 * Traefik's token bucket (golang.org/x/time/rate): `burst` tokens at most,
 * refilled continuously at average/period, one per request. A Lua script,
 * so reading, refilling and taking are one atomic step for every isolate.
 * KEYS[1] the bucket (hash: t tokens, at ms); ARGV tokens per ms, burst,
 * now. Returns {1, 0} when a token was taken, else {0, ms until one is
 * there}. The key expires when the bucket would be full again.
 */
const TOKEN_BUCKET = `local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local bucket = redis.call("HMGET", KEYS[1], "t", "at")
local tokens = tonumber(bucket[1]) or burst
local at = tonumber(bucket[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
if tokens < 1 then return {0, math.ceil((1 - tokens) / rate)} end
tokens = tokens - 1
redis.call("HSET", KEYS[1], "t", tostring(tokens), "at", tostring(now))
redis.call("PEXPIRE", KEYS[1], math.max(1, math.ceil((burst - tokens) / rate)))
return {1, 0}`;

/**
 * Counts in the route store's Redis, so every isolate shares each client's
 * bucket: one EVALSHA per request (plus one EVAL per Redis that has not
 * seen the script, on NOSCRIPT). A client this isolate saw refused is
 * refused again from memory until its next token is due: no command.
 *
 * Written here rather than with @upstash/ratelimit: measured, the library
 * adds 10.1 KiB gzip to the bundle (about a quarter of the router) for the
 * same one EVALSHA per request, and its token bucket refills in steps where
 * Traefik's refills continuously. @upstash/redis's Script does the
 * EVALSHA-then-EVAL the library would.
 *
 * When the store fails or times out, the request is counted in a bucket of
 * this isolate's own with the same numbers (local-bucket.ts) rather than let
 * through: a limit that lapses whenever the store is down would leave
 * basicAuth guessing unbounded exactly then. Each isolate then allows up to
 * `burst` on its own, so the whole is looser than the shared count, but
 * bounded. The failure is logged at most once per interval.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const redis = upstashClient({
    url: options.url,
    token: options.token,
    timeoutMs: options.timeoutMs,
    parseReplies: true,
  });
  const script = redis.createScript<[number, number]>(TOKEN_BUCKET);
  // Remembered refusals, bounded: a flood of distinct clients cannot grow the isolate without limit.
  const blocked = createLru<string, number>(options.maxBlocked ?? 10_000);
  const log = options.log ?? ((line: string) => console.warn(line));
  const now = options.now ?? Date.now;
  const failures = createThrottledLog({ intervalMs: options.logIntervalMs, log, now });
  const failed = (why: string) =>
    failures.event(
      ({ skipped }) =>
        `rate limit store failing, counting in this isolate instead: ${why}${skipped ? ` (and ${skipped} more)` : ""}`,
    );
  const local = createLocalBuckets({ maxKeys: options.maxBlocked ?? 10_000, now });

  return {
    async limit(identifier, spec) {
      const key = options.prefix + identifier;
      const at = now();
      const until = blocked.peek(key);
      if (until !== undefined) {
        if (until > at) return { allowed: false, reset: until };
        blocked.delete(key);
      }
      try {
        const [taken, waitMs] = await script.exec(
          [key],
          [String(spec.average / spec.periodMs), String(spec.burst), String(at)],
        );
        if (taken === 1) return { allowed: true, reset: at };
        blocked.set(key, at + waitMs);
        return { allowed: false, reset: at + waitMs };
      } catch (error) {
        failed(error instanceof Error ? error.message : String(error));
        const verdict = local.take(key, spec);
        if (!verdict.allowed) blocked.set(key, verdict.reset);
        return verdict;
      }
    },
  };
}
