import type { Route } from "../route-value/index.ts";

/**
 * How a request's route was found, as reported in Server-Timing:
 * - `hit`: a fresh cache entry (a route, or a cached "no route");
 * - `miss`: the store was asked and the request waited for it;
 * - `stale`: an expired route served at once while its refresh runs;
 * - `error`: the store failed; a known route was served stale, or the request got 503;
 * - `refused`: an uncached host past the lookup budget: 503, the store was not asked.
 */
export type CacheOutcome = "hit" | "miss" | "stale" | "error" | "refused";

export type CachedLookup =
  | { readonly outcome: CacheOutcome; readonly route: Route; readonly error?: undefined }
  | { readonly outcome: CacheOutcome; readonly route?: undefined; readonly error: unknown };

/** `ctx.waitUntil`: keeps the isolate working on a promise after the response is sent. */
export type WaitUntil = (promise: Promise<unknown>) => void;
