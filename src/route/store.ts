import { Redis } from "@upstash/redis/cloudflare";
import { RouteStoreError } from "../errors.ts";

/** The key exists but holds a list, hash, … instead of a string. */
export class WrongTypeError extends Error {}

/** Reads route values. Transport only: parsing lives in route.ts. */
export interface RouteStore {
  /** The raw value stored under `key`, or null when there is none. */
  get(key: string): Promise<string | null>;
}

export interface UpstashRouteStoreOptions {
  readonly url: string;
  readonly token: string;
  /** Per lookup; past it the request gets 503 rather than waiting. */
  readonly timeoutMs: number;
}

/**
 * A RouteStore over the Upstash REST API. The client's defaults suit a batch
 * job, not a request path: 5 retries with exponential backoff can hold a
 * request for seconds, and automatic JSON parsing would turn a value such as
 * `123` or `{"backends":…}` into something that is no longer the string the
 * operator wrote. So: no retries (the timeout is the budget), raw strings, and
 * a fresh timeout signal per request.
 */
export function createUpstashRouteStore(options: UpstashRouteStoreOptions): RouteStore {
  const redis = new Redis({
    url: options.url,
    token: options.token,
    retry: false,
    automaticDeserialization: false,
    enableTelemetry: false,
    enableAutoPipelining: false,
    signal: () => AbortSignal.timeout(options.timeoutMs),
  });
  return {
    async get(key) {
      try {
        return await redis.get<string>(key);
      } catch (error) {
        throw toStoreError(key, error, options.timeoutMs);
      }
    },
  };
}

function toStoreError(key: string, error: unknown, timeoutMs: number): Error {
  const message = error instanceof Error ? error.message : String(error);
  // A key holding a list or hash is the operator's mistake, not an outage.
  if (message.includes("WRONGTYPE")) return new WrongTypeError(`${key} does not hold a string`);
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return new RouteStoreError(`lookup timed out after ${timeoutMs} ms`);
  }
  return new RouteStoreError(message);
}
