import { createLru } from "../lib/lru.ts";

/** One take from a bucket: allowed, or refused until `reset` (epoch ms). */
export interface BucketVerdict {
  readonly allowed: boolean;
  /** Epoch ms when the next token is there (meaningful when refused). */
  readonly reset: number;
}

/** The numbers of a token bucket, as a rateLimit gives them. */
export interface BucketSpec {
  readonly average: number;
  readonly periodMs: number;
  readonly burst: number;
}

export interface LocalBuckets {
  /** Takes a token from the bucket `key`, made full on first use. */
  take(key: string, spec: BucketSpec): BucketVerdict;
  /** Whether `key` would be refused now, without taking anything. */
  peek(key: string, spec: BucketSpec): BucketVerdict;
  /** Gives back one token taken (never past `burst`): the attempt it paid for turned out not to count. */
  refund(key: string, spec: BucketSpec): void;
}

export interface LocalBucketsOptions {
  /** Buckets kept; past it the least recently used is forgotten (that client starts full again). */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

/**
 * Token buckets in the isolate's memory, with the same arithmetic as the
 * shared Lua script (rate-limiter.ts, after golang.org/x/time/rate): `burst`
 * tokens at most, refilled continuously at average/period. Used where the
 * shared store cannot be: while it fails (rate limits then count per isolate
 * rather than admit everyone), and for the dashboard's wrong-token throttle.
 * Bounded by an LRU, so a flood of distinct clients cannot grow the isolate.
 */
export function createLocalBuckets(options: LocalBucketsOptions = {}): LocalBuckets {
  const buckets = createLru<string, { tokens: number; at: number }>(options.maxKeys ?? 10_000);
  const now = options.now ?? Date.now;

  function level(key: string, spec: BucketSpec, at: number): number {
    const bucket = buckets.get(key);
    if (!bucket) return spec.burst;
    const rate = spec.average / spec.periodMs;
    return Math.min(spec.burst, bucket.tokens + Math.max(0, at - bucket.at) * rate);
  }

  function refused(tokens: number, spec: BucketSpec, at: number): BucketVerdict {
    const rate = spec.average / spec.periodMs;
    return { allowed: false, reset: at + Math.ceil((1 - tokens) / rate) };
  }

  return {
    take(key, spec) {
      const at = now();
      const tokens = level(key, spec, at);
      if (tokens < 1) return refused(tokens, spec, at);
      buckets.set(key, { tokens: tokens - 1, at });
      return { allowed: true, reset: at };
    },
    peek(key, spec) {
      const at = now();
      const tokens = level(key, spec, at);
      return tokens < 1 ? refused(tokens, spec, at) : { allowed: true, reset: at };
    },
    refund(key, spec) {
      const at = now();
      buckets.set(key, { tokens: Math.min(spec.burst, level(key, spec, at) + 1), at });
    },
  };
}
