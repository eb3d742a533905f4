import { InvalidRouteError, NoRouteError, RouteStoreError } from "../errors.ts";
import type { Route } from "../route/route.ts";
import { createFailureLog } from "./failure-log.ts";
import { createLru } from "./lru.ts";

/**
 * How a request's route was found, as reported in Server-Timing:
 * - `hit`: a fresh cache entry (a route, or a cached "no route");
 * - `miss`: the store was asked and the request waited for it;
 * - `stale`: an expired route served at once while one refresh runs;
 * - `error`: the store failed; a known route was served stale, or the request got 503.
 */
export type LookupOutcome = "hit" | "miss" | "stale" | "error";

export type CachedLookup =
  | { readonly outcome: LookupOutcome; readonly route: Route; readonly error?: undefined }
  | { readonly outcome: LookupOutcome; readonly route?: undefined; readonly error: unknown };

/** Asks the store: resolves with the route, rejects with NoRouteError, InvalidRouteError or a store failure. */
export type RouteLoader = (host: string) => Promise<Route>;

/** `ctx.waitUntil`: keeps the isolate working on a promise after the response is sent. */
export type WaitUntil = (promise: Promise<unknown>) => void;

export interface RouteCacheOptions {
  /** Hosts kept, routes and misses together; 0 turns caching off (every request asks the store). */
  readonly maxEntries?: number;
  /** How long a route is served without asking the store again. */
  readonly ttlMs?: number;
  /** How long "no route" (and an invalid value) is remembered. */
  readonly negativeTtlMs?: number;
  /** For how long after its TTL a route is still served while one background refresh runs. */
  readonly staleWhileRevalidateMs?: number;
  /** While the store fails, a known route is served until it is this old. */
  readonly maxStaleMs?: number;
  /** After a failed lookup, the store is asked again for that host at most this often. */
  readonly retryMs?: number;
  /** The longest a request waits for a lookup, including one another request started. */
  readonly lookupTimeoutMs?: number;
  /** Store failures are logged at most once per this interval. */
  readonly errorLogIntervalMs?: number;
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

export interface RouteCache {
  lookup(host: string, load: RouteLoader, waitUntil: WaitUntil): Promise<CachedLookup>;
  /** Entries held now (never more than maxEntries). */
  readonly size: number;
}

/** A route, or the definitive answer "none" (no key, or an unusable value), or a store failure. */
type Entry =
  | { readonly kind: "route"; readonly route: Route; readonly fetchedAt: number; failedAt: number | undefined }
  | { readonly kind: "answer" | "failure"; readonly error: unknown; readonly fetchedAt: number };

/** A waiter gets this much longer than the store's own timeout before it gives up by itself. */
const DEADLINE_GRACE_MS = 250;

/**
 * An in-isolate cache of route lookups, hits and misses, in front of the
 * store. Within an isolate at most one lookup per host is in flight (single
 * flight), whether a request waits for it or it refreshes an expired route in
 * the background. `fetchedAt` is when the lookup *started*, so an entry's age
 * is never under-estimated and the freshness bounds hold as stated.
 */
export function createRouteCache(options: RouteCacheOptions = {}): RouteCache {
  const {
    maxEntries = 10_000,
    ttlMs = 5_000,
    negativeTtlMs = 1_000,
    staleWhileRevalidateMs = 1_000,
    maxStaleMs = 3_600_000,
    retryMs = negativeTtlMs,
    lookupTimeoutMs = 1_000,
    errorLogIntervalMs = 10_000,
    now = Date.now,
    log = (line: string) => console.warn(line),
  } = options;
  const entries = createLru<string, Entry>(maxEntries);
  const inflight = new Map<string, Promise<Entry>>();
  const failures = createFailureLog({ intervalMs: errorLogIntervalMs, log, now });
  const waitLimitMs = lookupTimeoutMs + DEADLINE_GRACE_MS;

  /** One lookup per host at a time; its result (not a failure) becomes the host's entry. */
  function fetchEntry(host: string, load: RouteLoader, waitUntil: WaitUntil): Promise<Entry> {
    const pending = inflight.get(host);
    if (pending) return pending;
    const startedAt = now();
    const lookup = load(host)
      .then(
        (route): Entry => ({ kind: "route", route, fetchedAt: startedAt, failedAt: undefined }),
        (error: unknown): Entry => {
          if (isAnswer(error)) return { kind: "answer", error, fetchedAt: startedAt };
          throw error;
        },
      )
      .then(
        (entry) => {
          failures.success();
          entries.set(host, entry);
          return entry;
        },
        (error: unknown) => {
          failures.failure(describe(error));
          throw error;
        },
      )
      .finally(() => inflight.delete(host));
    inflight.set(host, lookup);
    // The request that started the lookup may end (or its client go away)
    // before the lookup does; others may be waiting for it.
    waitUntil(lookup.catch(() => undefined));
    return lookup;
  }

  /** Starts a background refresh of an expired route unless one is running or the last just failed. */
  function revalidate(host: string, entry: Entry & { kind: "route" }, load: RouteLoader, waitUntil: WaitUntil): void {
    if (inflight.has(host)) return;
    if (entry.failedAt !== undefined && now() - entry.failedAt < retryMs) return;
    fetchEntry(host, load, waitUntil).catch(() => {
      entry.failedAt = now();
    });
  }

  /** No cache at all: every request asks the store (and waits for it). */
  async function lookupUncached(host: string, load: RouteLoader): Promise<CachedLookup> {
    try {
      const route = await load(host);
      failures.success();
      return { outcome: "miss", route };
    } catch (error) {
      if (isAnswer(error)) return { outcome: "miss", error };
      failures.failure(describe(error));
      return { outcome: "error", error };
    }
  }

  async function lookup(host: string, load: RouteLoader, waitUntil: WaitUntil): Promise<CachedLookup> {
    if (maxEntries === 0) return lookupUncached(host, load);
    const entry = entries.get(host);
    if (entry) {
      const age = now() - entry.fetchedAt;
      if (entry.kind === "route") {
        if (age < ttlMs) return { outcome: "hit", route: entry.route };
        const failing = entry.failedAt !== undefined;
        if (age < maxStaleMs && (failing || age < ttlMs + staleWhileRevalidateMs)) {
          revalidate(host, entry, load, waitUntil);
          return { outcome: failing ? "error" : "stale", route: entry.route };
        }
      } else if (entry.kind === "answer" && age < negativeTtlMs) {
        return { outcome: "hit", error: entry.error };
      } else if (entry.kind === "failure" && age < retryMs) {
        return { outcome: "error", error: entry.error };
      }
    }
    try {
      const fresh = await withDeadline(fetchEntry(host, load, waitUntil), waitLimitMs);
      return fresh.kind === "route" ? { outcome: "miss", route: fresh.route } : { outcome: "miss", error: fresh.error };
    } catch (error) {
      // Stale-if-error: a route we knew is better than a 503, up to maxStaleMs.
      if (entry?.kind === "route" && now() - entry.fetchedAt < maxStaleMs) {
        entry.failedAt = now();
        return { outcome: "error", route: entry.route };
      }
      entries.set(host, { kind: "failure", error, fetchedAt: now() });
      return { outcome: "error", error };
    }
  }

  return {
    lookup,
    get size() {
      return entries.size;
    },
  };
}

/**
 * "No such key" and "unusable value" are answers from a working store: they
 * are cached (for the negative TTL), so a host with a bad value costs one
 * lookup per negative TTL rather than one per request, and the fix is seen
 * as soon as a new route would be. Anything else is a store failure.
 */
function isAnswer(error: unknown): boolean {
  return error instanceof NoRouteError || error instanceof InvalidRouteError;
}

function describe(error: unknown): string {
  if (error instanceof RouteStoreError) return error.detail ?? error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Rejects with a 503 if the lookup has not settled in time: a request never hangs on it. */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RouteStoreError(`lookup did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}
