import { configuredRouteCache } from "./cache/index.ts";
import type { RouteCache } from "./cache/index.ts";
import type { RouterConfig } from "./config.ts";
import { isolateDownMarks, type DownMarks } from "./dispatch/index.ts";
import { createUpstashRouteStore, type RouteStore } from "./lookup/index.ts";
import { createRateLimiter, type RateLimiter } from "./policy/index.ts";

/*
 * The isolate's state: what outlives a request, in one place. A Worker
 * isolate serves many requests, so its store client, route cache, rate
 * limiter and down marks are made once and shared by every request it serves.
 * Kept per configuration (the bindings object), so tests that start routers
 * with other settings never share state.
 *
 * Still kept beside their only users, because lower layers cannot import
 * this file (scripts/check/cycles.ts) and passing them down would touch
 * every call between: the parsed configuration (config.ts), the host
 * spellings seen (receive/host.ts), the parsed route values
 * (lookup/spec-cache.ts) and fallback routes (lookup/fallback.ts),
 * basic-auth verdicts (policy/basic-auth.ts), round-robin counters and
 * weight scores (dispatch/balance.ts), the traffic counters the dashboard
 * reads (metrics/counters.ts), and the dashboard's own (admin/: settings,
 * store, session keys, Cloudflare Access keys).
 */
export interface Isolate {
  /** One HTTP client for the Upstash REST API. */
  readonly store: RouteStore;
  readonly cache: RouteCache;
  /** Made on the first rate-limited request: most routes never need it. */
  readonly rateLimiter: () => RateLimiter;
  /** Backends that refused or timed out, skipped for BACKEND_DOWN_MS (shown by the dashboard). */
  readonly marks: DownMarks;
}

const isolates = new WeakMap<RouterConfig, Isolate>();

export function isolateFor(config: RouterConfig): Isolate {
  let isolate = isolates.get(config);
  if (!isolate) {
    isolate = createIsolate(config);
    isolates.set(config, isolate);
  }
  return isolate;
}

function createIsolate(config: RouterConfig): Isolate {
  const store = createUpstashRouteStore({
    url: config.redisUrl,
    token: config.redisToken,
    timeoutMs: config.lookupTimeoutMs,
  });
  let limiter: RateLimiter | undefined;
  return {
    store,
    cache: configuredRouteCache(config, store),
    rateLimiter: () =>
      (limiter ??= createRateLimiter({
        url: config.redisUrl,
        token: config.redisToken,
        timeoutMs: config.lookupTimeoutMs,
        prefix: `${config.keyPrefix}ratelimit:`,
        logIntervalMs: config.routeStoreErrorLogIntervalMs,
      })),
    marks: isolateDownMarks,
  };
}
