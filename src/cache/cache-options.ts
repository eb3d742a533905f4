import type { BatchLoader } from "./cold-batch.ts";

/** The route cache's settings (wrangler.toml [vars], parsed in config.ts); every one but `load` has a default. */
export interface RouteCacheOptions {
  /** Reads the routes of several hosts in one round trip. */
  readonly load: BatchLoader;
  /** Routes kept (ROUTE_CACHE_SIZE); 0 turns caching off (every request asks the store). */
  readonly maxEntries?: number;
  /** "No route" and invalid-value answers kept, in a set of their own (MISS_CACHE_SIZE). */
  readonly missEntries?: number;
  /** How long a route is served without asking the store again; also the refresh interval. */
  readonly ttlMs?: number;
  /** How long "no route" (and an invalid value) is remembered. */
  readonly negativeTtlMs?: number;
  /** For how long after its TTL a route is still served while its refresh runs. */
  readonly staleWhileRevalidateMs?: number;
  /** While the store fails, a known route is served until it is this old. */
  readonly maxStaleMs?: number;
  /** After a failed lookup, the store is asked again for that unknown host at most this often. */
  readonly retryMs?: number;
  /** The longest a request waits for a lookup, including one another request started. */
  readonly lookupTimeoutMs?: number;
  /** Store failures and budget refusals are each logged at most once per this interval. */
  readonly errorLogIntervalMs?: number;
  /** Cold lookups per second and per isolate (LOOKUP_BUDGET_PER_SECOND); 0 = no budget. */
  readonly lookupBudgetPerSecond?: number;
  readonly lookupBudgetBurst?: number;
  /** How long a cold lookup waits for others to share its round trip (COLD_LOOKUP_BATCH_WINDOW_MS). */
  readonly coldBatchWindowMs?: number;
  /** Hosts per round trip at most, cold batch or refresh (ROUTE_REFRESH_BATCH_SIZE). */
  readonly batchMaxHosts?: number;
  /** A route unused for this long is no longer refreshed (ROUTE_REFRESH_IDLE_MS). */
  readonly refreshIdleMs?: number;
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}
