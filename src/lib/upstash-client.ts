import { Redis } from "@upstash/redis/cloudflare";

export interface UpstashClientOptions {
  readonly url: string;
  readonly token: string;
  /** Each request's budget: a fresh timeout signal per request. */
  readonly timeoutMs: number;
  /** Parse replies as JSON (numbers from a script); default false: values stay the strings stored. */
  readonly parseReplies?: boolean;
}

/**
 * The Upstash REST client with the settings every part of the router
 * wants, in one place (the lookup, the rate limiter, the fleet stats, the
 * dashboard). @upstash/redis's defaults suit a background job, not a
 * request path: 5 retries with exponential backoff can hold a request for
 * seconds, so there are none and the timeout is the budget; telemetry and
 * auto-pipelining are off (a caller that batches builds its own pipeline).
 * Automatic JSON parsing would turn a stored `123` or `{"backends":…}` into
 * something other than the string the operator wrote, so it is off unless
 * asked for.
 */
export function upstashClient(options: UpstashClientOptions): Redis {
  return new Redis({
    url: options.url,
    token: options.token,
    retry: false,
    automaticDeserialization: options.parseReplies ?? false,
    enableTelemetry: false,
    enableAutoPipelining: false,
    signal: () => AbortSignal.timeout(options.timeoutMs),
  });
}
