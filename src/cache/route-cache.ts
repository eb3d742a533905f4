import { LookupBudgetError, RouteStoreError } from "../errors.ts";
import type { HostAnswer } from "../lookup/index.ts";
import type { CachedLookup, WaitUntil } from "./types.ts";
import { createRouteCacheStats, type RouteCacheStats } from "./cache-stats.ts";
import type { RouteCacheOptions } from "./cache-options.ts";
import { createColdBatch } from "./cold-batch.ts";
import { DEADLINE_GRACE_MS, withDeadline } from "./deadline.ts";
import { describe, isAnswer, type Entry, type MissEntry, type RouteEntry } from "./entries.ts";
import { createFailureLog } from "./failure-log.ts";
import { createLookupBudget } from "./lookup-budget.ts";
import { createLru } from "../lib/lru.ts";
import { createRefreshSchedule } from "./refresh-batch.ts";
import { createUncachedLookup } from "./uncached-lookup.ts";

export type { CachedLookup, CacheOutcome, WaitUntil } from "./types.ts";
export type { BatchLoader } from "./cold-batch.ts";
export type { RouteCacheOptions } from "./cache-options.ts";

export interface RouteCache {
  lookup(host: string, waitUntil: WaitUntil): Promise<CachedLookup>;
  /** Entries held now, routes and misses (never more than maxEntries + missEntries). */
  readonly size: number;
  readonly stats: RouteCacheStats;
}

/**
 * An in-isolate cache of route lookups in front of the store, built so that
 * what the store costs is bounded whatever the traffic:
 * - routes and misses live in separate bounded sets, so no number of unknown
 *   hosts can evict a route;
 * - routes in use are refreshed together, one round trip per TTL (refresh-batch.ts);
 * - cold lookups share round trips (cold-batch.ts) and draw on a budget
 *   (lookup-budget.ts); past it an unknown host gets 503 with no store call.
 * Within an isolate at most one read per host is in flight (single flight).
 * `fetchedAt` is when the read *started* (its round trip was sent), so an entry's age is never
 * under-estimated and a change is seen within TTL + stale-while-revalidate.
 */
export function createRouteCache(options: RouteCacheOptions): RouteCache {
  const { load, maxEntries = 10_000, missEntries = 10_000, ttlMs = 5_000, negativeTtlMs = 1_000 } = options;
  const { staleWhileRevalidateMs = 1_000, maxStaleMs = 3_600_000, retryMs = negativeTtlMs } = options;
  const { lookupTimeoutMs = 1_000, errorLogIntervalMs = 10_000, coldBatchWindowMs = 10 } = options;
  const { batchMaxHosts = 2_000, refreshIdleMs = 300_000, now = Date.now } = options;
  const { log = (line: string) => console.warn(line) } = options;
  const routes = createLru<string, RouteEntry>(Math.max(1, maxEntries));
  const misses = createLru<string, MissEntry>(Math.max(1, missEntries));
  const inflight = new Map<string, Promise<Entry>>();
  const stats = createRouteCacheStats({ routes: () => routes.size, misses: () => misses.size });
  const failures = createFailureLog({ intervalMs: errorLogIntervalMs, log, now });
  const budget = createLookupBudget({
    perSecond: options.lookupBudgetPerSecond ?? 50,
    burst: options.lookupBudgetBurst ?? 1_000,
    logIntervalMs: errorLogIntervalMs,
    log,
    now,
  });
  const roundTrip = (commands: number) => {
    stats.storeRoundTrips++;
    stats.storeCommands += commands;
  };
  const cold = createColdBatch({
    windowMs: coldBatchWindowMs,
    maxHosts: batchMaxHosts,
    load,
    now,
    onRoundTrip: roundTrip,
  });
  const lookupUncached = createUncachedLookup({ load, failures, onRoundTrip: roundTrip });
  // Refreshed at the latest one interval (TTL) after it was due, a route is
  // never older than TTL + stale-while-revalidate when a request uses it.
  const schedule = createRefreshSchedule({
    intervalMs: ttlMs,
    dueAgeMs: Math.max(0, Math.min(ttlMs, staleWhileRevalidateMs)),
    idleMs: refreshIdleMs,
    maxHosts: batchMaxHosts,
  });
  const waitLimitMs = lookupTimeoutMs + coldBatchWindowMs + DEADLINE_GRACE_MS;

  /** Keeps a host's answer in its set; a store error for its keys alone is thrown. */
  function settle(host: string, answer: HostAnswer, fetchedAt: number): Entry {
    if ("route" in answer) {
      const entry: RouteEntry = { route: answer.route, fetchedAt, failedAt: undefined };
      routes.set(host, entry);
      misses.delete(host);
      failures.success();
      return entry;
    }
    if (!isAnswer(answer.error)) throw answer.error;
    const entry: MissEntry = { kind: "answer", error: answer.error, fetchedAt };
    misses.set(host, entry);
    routes.delete(host);
    failures.success();
    return entry;
  }

  /** Registers a read of `host` as the one in flight; a failure is logged and rethrown. */
  function track(host: string, read: Promise<Entry>, onFailure?: () => void): Promise<Entry> {
    const tracked = read
      .catch((error: unknown) => {
        failures.failure(describe(error));
        onFailure?.();
        throw error;
      })
      .finally(() => inflight.delete(host));
    inflight.set(host, tracked);
    return tracked;
  }

  /** One read per host at a time; a cold read joins the next cold batch. */
  function fetchEntry(host: string, waitUntil: WaitUntil): Promise<Entry> {
    const pending = inflight.get(host);
    if (pending) return pending;
    stats.coldLookups++;
    const read = track(
      host,
      cold.request(host).then(({ answer, startedAt }) => {
        const entry = settle(host, answer, startedAt);
        // A request asked for it: in use from now on.
        if ("route" in entry) schedule.used(host, now());
        return entry;
      }),
    );
    // The request that started the read may end before it does; others may wait for it.
    waitUntil(read.catch(() => undefined));
    return read;
  }

  const refreshCandidate = (host: string) => ({
    fetchedAt: routes.peek(host)?.fetchedAt,
    inFlight: inflight.has(host),
  });

  /** Starts the batched refresh of every route in use that is due, if one may run now. */
  function refresh(waitUntil: WaitUntil, force: boolean): void {
    const at = now();
    const hosts = schedule.due(at, refreshCandidate, force);
    if (hosts.length === 0) return;
    stats.refreshBatches++;
    stats.refreshedHosts += hosts.length;
    const batch = load(hosts);
    batch.then(
      ({ commands }) => roundTrip(commands),
      () => roundTrip(0),
    );
    hosts.forEach((host, i) => {
      const entry = routes.peek(host);
      const read = batch.then(({ answers }) =>
        settle(host, answers[i] ?? { error: new RouteStoreError("no answer") }, at),
      );
      // Stale-if-error: the route stays, marked failing, until maxStaleMs.
      track(host, read, () => {
        if (entry) entry.failedAt = now();
      }).catch(() => undefined);
    });
    waitUntil(batch.catch(() => undefined));
  }

  /** The request waits for a read of the host (its own, or one in flight). */
  async function waitFor(host: string, known: RouteEntry | undefined, waitUntil: WaitUntil): Promise<CachedLookup> {
    try {
      const fresh = await withDeadline(fetchEntry(host, waitUntil), waitLimitMs);
      return "route" in fresh ? { outcome: "miss", route: fresh.route } : { outcome: "miss", error: fresh.error };
    } catch (error) {
      // Stale-if-error: a route we knew is better than a 503, up to maxStaleMs.
      if (known && now() - known.fetchedAt < maxStaleMs) {
        known.failedAt = now();
        return { outcome: "error", route: known.route };
      }
      misses.set(host, { kind: "failure", error, fetchedAt: now() });
      return { outcome: "error", error };
    }
  }

  async function lookup(host: string, waitUntil: WaitUntil): Promise<CachedLookup> {
    if (maxEntries === 0) return lookupUncached(host);
    const at = now();
    const entry = routes.get(host);
    if (entry) {
      schedule.used(host, at);
      const age = at - entry.fetchedAt;
      if (age < ttlMs) {
        refresh(waitUntil, false);
        return { outcome: "hit", route: entry.route };
      }
      const failing = entry.failedAt !== undefined;
      if (age < maxStaleMs && (failing || age < ttlMs + staleWhileRevalidateMs)) {
        refresh(waitUntil, true);
        return { outcome: failing ? "error" : "stale", route: entry.route };
      }
      return waitFor(host, entry, waitUntil);
    }
    refresh(waitUntil, false);
    const miss = misses.get(host);
    const age = miss ? at - miss.fetchedAt : Number.POSITIVE_INFINITY;
    if (miss?.kind === "answer" && age < negativeTtlMs) return { outcome: "hit", error: miss.error };
    if (miss?.kind === "failure" && age < retryMs) return { outcome: "error", error: miss.error };
    if (!inflight.has(host) && !budget.take()) {
      stats.budgetRefused++;
      return { outcome: "refused", error: new LookupBudgetError() };
    }
    return waitFor(host, undefined, waitUntil);
  }

  return {
    lookup,
    stats,
    get size() {
      return routes.size + misses.size;
    },
  };
}
