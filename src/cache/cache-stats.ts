/**
 * Per-isolate counters of the route cache's work with the store, for the
 * operator's dashboard: the cache only increments them, readers only read.
 * They count since the isolate started. How each request's lookup ended
 * (hit, stale, error…) is counted once, with its status, in metrics/counters.ts.
 */
export interface RouteCacheStats {
  /** Routes held now (never more than ROUTE_CACHE_SIZE). */
  readonly routes: number;
  /** "No route" and invalid-value answers held now, apart from the routes (never more than MISS_CACHE_SIZE). */
  readonly misses: number;
  /** Hosts read because the isolate had no usable entry for them. */
  coldLookups: number;
  /** Cold lookups refused by LOOKUP_BUDGET_PER_SECOND (503, no store call). */
  budgetRefused: number;
  /** Round trips that refreshed routes in use, and the hosts they carried. */
  refreshBatches: number;
  refreshedHosts: number;
  /** Every round trip to the store (cold batches and refreshes), and the commands they cost. */
  storeRoundTrips: number;
  storeCommands: number;
}

export function createRouteCacheStats(sizes: { routes: () => number; misses: () => number }): RouteCacheStats {
  return {
    get routes() {
      return sizes.routes();
    },
    get misses() {
      return sizes.misses();
    },
    coldLookups: 0,
    budgetRefused: 0,
    refreshBatches: 0,
    refreshedHosts: 0,
    storeRoundTrips: 0,
    storeCommands: 0,
  };
}
