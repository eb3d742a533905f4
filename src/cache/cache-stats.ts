/**
 * Per-isolate counters of the route cache, for the operator's dashboard: the
 * request path only increments them (a field bump each), readers only read.
 * They count since the isolate started.
 */
export interface RouteCacheStats {
  /** Routes held now (never more than ROUTE_CACHE_SIZE). */
  readonly routes: number;
  /** "No route" and invalid-value answers held now, apart from the routes (never more than MISS_CACHE_SIZE). */
  readonly misses: number;
  /** Requests answered from a fresh entry (a route or a cached "no route"). */
  hits: number;
  /** Requests answered with an expired route while its refresh ran. */
  stale: number;
  /** Requests that met a store failure (served stale, or 503). */
  errors: number;
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
    hits: 0,
    stale: 0,
    errors: 0,
    coldLookups: 0,
    budgetRefused: 0,
    refreshBatches: 0,
    refreshedHosts: 0,
    storeRoundTrips: 0,
    storeCommands: 0,
  };
}
