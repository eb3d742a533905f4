/**
 * The route cache's door: the per-isolate cache that decides when the store is asked (TTLs, single flight,
 * stale-while-revalidate, stale-if-error, budgets).
 */
export type { RouteCacheStats } from "./cache-stats.ts";
export { configuredRouteCache } from "./configured-cache.ts";
export type { RouteCache } from "./route-cache.ts";
export { routeServerTiming } from "./server-timing.ts";
export type { CacheOutcome } from "./types.ts";
