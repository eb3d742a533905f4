import { upstashClient } from "../lib/upstash-client.ts";
import { RouteStoreError } from "../errors.ts";

/**
 * A read a lookup needs: `mget` several strings at once (the route keys),
 * `lrange` a whole list (Hipache's `frontend:` keys), `sunion` the members of
 * several sets at once (the `dead:` sets) — one command each, which is what
 * Upstash bills.
 */
export type StoreRead =
  | { readonly op: "mget"; readonly keys: readonly [string, ...string[]] }
  | { readonly op: "lrange"; readonly key: string }
  | { readonly op: "sunion"; readonly keys: readonly [string, ...string[]] };

/**
 * One command's answer: its value (raw: strings stay strings), or the error
 * Redis gave for that command alone, such as `WRONGTYPE …` for a key that
 * holds another type. One bad key never fails the others.
 */
export type StoreReply = { readonly value: unknown } | { readonly error: string };

/** Reads route values and records shared down marks. Transport only: parsing lives elsewhere. */
export interface RouteStore {
  /** Every read in one round trip (one pipeline request), answered in order. */
  read(reads: readonly StoreRead[]): Promise<readonly StoreReply[]>;
  /**
   * Hipache's dead mark: `SADD key member` and `PEXPIRE key ttlMs NX`, in one
   * round trip. NX: a new mark does not extend the marks already in the set,
   * so none outlives its TTL (at worst one expires early, and is tried again).
   */
  markDown(key: string, member: string, ttlMs: number): Promise<void>;
  /** `SREM key members…`: the backend answers again. */
  clearDown(key: string, members: readonly string[]): Promise<void>;
}

export interface UpstashRouteStoreOptions {
  readonly url: string;
  readonly token: string;
  /** Per round trip; past it the request gets 503 rather than waiting. */
  readonly timeoutMs: number;
}

/**
 * A RouteStore over the Upstash REST API, with the router's client settings
 * (lib/upstash-client.ts: no retries, raw strings, a timeout per request); a
 * lookup builds its own pipeline, so its reads are one request by
 * construction. Only fetch is used, so the routes CLI runs this same code
 * under Node.
 */
export function createUpstashRouteStore(options: UpstashRouteStoreOptions): RouteStore {
  const redis = upstashClient({ url: options.url, token: options.token, timeoutMs: options.timeoutMs });
  return {
    async read(reads) {
      const pipeline = redis.pipeline();
      for (const read of reads) {
        if (read.op === "mget") pipeline.mget(...read.keys);
        else if (read.op === "lrange") pipeline.lrange(read.key, 0, -1);
        else pipeline.sunion(...read.keys);
      }
      let replies: { result?: unknown; error?: string | undefined }[];
      try {
        replies = await pipeline.exec({ keepErrors: true });
      } catch (error) {
        throw toStoreError(error, options.timeoutMs);
      }
      return replies.map((reply) => (reply.error ? { error: reply.error } : { value: reply.result }));
    },
    async markDown(key, member, ttlMs) {
      try {
        await redis.pipeline().sadd(key, member).pexpire(key, ttlMs, "NX").exec();
      } catch (error) {
        throw toStoreError(error, options.timeoutMs);
      }
    },
    async clearDown(key, members) {
      const [first, ...rest] = members;
      if (first === undefined) return;
      try {
        await redis.srem(key, first, ...rest);
      } catch (error) {
        throw toStoreError(error, options.timeoutMs);
      }
    },
  };
}

function toStoreError(error: unknown, timeoutMs: number): RouteStoreError {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return new RouteStoreError(`lookup timed out after ${timeoutMs} ms`);
  }
  if (!(error instanceof Error)) return new RouteStoreError(String(error));
  // "fetch failed" says little; its cause says what (ECONNREFUSED, a bad certificate, …).
  const cause: unknown = error.cause;
  const why = cause instanceof Error ? ` (${"code" in cause ? String(cause.code) : cause.message})` : "";
  return new RouteStoreError(error.message + why);
}
