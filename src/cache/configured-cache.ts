import type { RouterConfig } from "../config.ts";
import { lookupRoutes } from "../lookup/index.ts";
import type { RouteStore } from "../lookup/index.ts";
import { createRouteCache, type RouteCache } from "./route-cache.ts";

/** The isolate's route cache as the settings describe it, reading routes from `store`. */
export function configuredRouteCache(config: RouterConfig, store: RouteStore): RouteCache {
  return createRouteCache({
    load: (hosts) => lookupRoutes(hosts, store, config),
    maxEntries: config.routeCacheSize,
    missEntries: config.missCacheSize,
    ttlMs: config.routeCacheTtlMs,
    negativeTtlMs: config.routeCacheNegativeTtlMs,
    staleWhileRevalidateMs: config.routeCacheStaleWhileRevalidateMs,
    maxStaleMs: config.routeCacheMaxStaleMs,
    lookupTimeoutMs: config.lookupTimeoutMs,
    errorLogIntervalMs: config.routeStoreErrorLogIntervalMs,
    lookupBudgetPerSecond: config.lookupBudgetPerSecond,
    lookupBudgetBurst: config.lookupBudgetBurst,
    coldBatchWindowMs: config.coldLookupBatchWindowMs,
    batchMaxHosts: config.routeRefreshBatchSize,
    refreshIdleMs: config.routeRefreshIdleMs,
  });
}
