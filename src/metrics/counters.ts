import type { CacheOutcome } from "../cache/index.ts";
import type { RequestFacts } from "../request-state.ts";

/*
 * The isolate's traffic counters: the request path only increments them (a
 * handful of integer additions per request, no allocation once a host and a
 * minute are known); the admin app (src/admin/) only reads them. At the edge
 * every isolate has its own, so every figure here is "this isolate, since it
 * started"; Prometheus counters reset when the isolate does, which rate()
 * handles (a drop is read as a reset). fleet-flush.ts writes them to the
 * store now and then, so that the dashboard can sum every isolate's.
 */

/** 1xx … 5xx; anything else (499 counts as 4xx) is clamped into that range. */
export const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;
export const CACHE_OUTCOMES = ["hit", "miss", "stale", "error", "refused"] as const satisfies readonly CacheOutcome[];
/** Upper bounds (ms) of the upstream latency histogram, as Prometheus `le` buckets (+Inf implied). */
export const LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000] as const;

/** Requests that matched no route key (none, an invalid value, the store failed, refused before the lookup) share one label. */
export const UNROUTED_HOST = "_unrouted";
/** Requests with no route sent to FALLBACK_UPSTREAM. */
export const FALLBACK_HOST = "_fallback";
/** The dashboard's own requests (ADMIN_HOST). */
export const DASHBOARD_HOST = "_dashboard";
/** Hosts past the first `maxHosts` share one label, so hostile traffic cannot grow memory or label sets. */
export const OTHER_HOSTS = "_other";

/** Per status class, in STATUS_CLASSES order. */
export type ClassCounts = number[];

/** One minute of traffic, for the dashboard's charts. */
export interface MinuteBucket {
  /** Epoch minute (ms / 60 000); -1 for a slot never used. */
  minute: number;
  readonly classes: ClassCounts;
  /** Per cache outcome, in CACHE_OUTCOMES order. */
  readonly cache: number[];
  /** Per host label: [requests, 5xx], for the routes' last hour. */
  readonly hosts: Map<string, HostMinute>;
}

/** A host's minute: requests, and how many of them were 5xx. */
export type HostMinute = [requests: number, errors: number];

/**
 * The label a request is counted under: the route key's host pattern that
 * matched (`*.example.com` for every subdomain it routes), never the Host a
 * client sent, so the number of labels follows the routes.
 */
export function hostLabel(facts: RequestFacts): string {
  if (facts.dashboard) return DASHBOARD_HOST;
  if (facts.routeKey !== null) return facts.routeKey;
  return facts.lookup === "fallback" ? FALLBACK_HOST : UNROUTED_HOST;
}

/** The last store failure a request ran into (its detail, as the access log has it). */
export interface StoreFailure {
  readonly at: number;
  readonly detail: string;
}

export interface TrafficCounters {
  /** Called once per request, when its status is known. */
  record(facts: RequestFacts, status: number, now: number, storeFailure: string | null): void;
  readonly startedAt: number;
  /** A random id, so scrapes of different isolates can be told apart. */
  readonly isolate: string;
  readonly classes: Readonly<ClassCounts>;
  readonly hosts: ReadonlyMap<string, Readonly<ClassCounts>>;
  readonly cache: readonly number[];
  /** Per LATENCY_BOUNDS_MS bucket (not cumulative), plus one for slower; and their sum. */
  readonly latency: { readonly buckets: readonly number[]; readonly sumMs: number; readonly count: number };
  /** Requests whose route lookup failed on the store (lookup "error"). */
  readonly storeErrors: number;
  readonly lastStoreFailure: StoreFailure | null;
  /** The last `minutes` minutes, oldest first; minutes with no traffic are empty buckets. */
  recentMinutes(now: number): MinuteBucket[];
}

export interface CounterOptions {
  /** Hosts named individually before OTHER_HOSTS takes the rest. */
  readonly maxHosts?: number;
  /** Minutes kept for charts. */
  readonly minutes?: number;
  readonly now?: () => number;
}

export function createTrafficCounters(options: CounterOptions = {}): TrafficCounters {
  const { maxHosts = 100, minutes = 60, now = Date.now } = options;
  const classes: ClassCounts = [0, 0, 0, 0, 0];
  const hosts = new Map<string, ClassCounts>();
  const cache = zeros(CACHE_OUTCOMES.length);
  const buckets = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
  const latency = { buckets, sumMs: 0, count: 0 };
  const ring: MinuteBucket[] = Array.from({ length: minutes }, () => ({
    minute: -1,
    classes: [0, 0, 0, 0, 0],
    cache: zeros(CACHE_OUTCOMES.length),
    hosts: new Map(),
  }));
  let storeErrors = 0;
  let lastStoreFailure: StoreFailure | null = null;

  /** The bucket of `minute`, emptied first if it last held an older minute. */
  function bucketOf(minute: number): MinuteBucket {
    const bucket = ring[minute % minutes] as MinuteBucket;
    if (bucket.minute !== minute) {
      bucket.minute = minute;
      bucket.classes.fill(0);
      bucket.cache.fill(0);
      bucket.hosts.clear();
    }
    return bucket;
  }

  function hostCounts(name: string): ClassCounts {
    const counts = hosts.get(name);
    if (counts !== undefined) return counts;
    const label = hosts.size >= maxHosts ? OTHER_HOSTS : name;
    const fresh = hosts.get(label) ?? [0, 0, 0, 0, 0];
    hosts.set(label, fresh);
    return fresh;
  }

  // Workers forbid random values at global scope and read the clock as 0
  // there: both are taken on first use instead.
  let startedAt = 0;
  let isolate = "";
  const started = (at: number) => {
    if (startedAt === 0) startedAt = at;
  };

  return {
    record(facts, status, at, storeFailure) {
      const index = Math.min(4, Math.max(0, Math.floor(status / 100) - 1));
      const bucket = bucketOf(Math.floor(at / 60_000));
      classes[index] = (classes[index] ?? 0) + 1;
      bucket.classes[index] = (bucket.classes[index] ?? 0) + 1;
      started(at);
      const label = hostLabel(facts);
      const counts = hostCounts(label);
      counts[index] = (counts[index] ?? 0) + 1;
      // Past maxHosts the minute's label is the one the totals use (hostCounts decided it).
      const named = hosts.get(label) === counts ? label : OTHER_HOSTS;
      let minute = bucket.hosts.get(named);
      if (minute === undefined) {
        minute = [0, 0];
        bucket.hosts.set(named, minute);
      }
      minute[0]++;
      if (index === 4) minute[1]++;
      if (facts.cache !== null) {
        const outcome = CACHE_OUTCOMES.indexOf(facts.cache);
        cache[outcome] = (cache[outcome] ?? 0) + 1;
        bucket.cache[outcome] = (bucket.cache[outcome] ?? 0) + 1;
      }
      if (facts.upstreamMs !== null) {
        let slot = 0;
        while (slot < LATENCY_BOUNDS_MS.length && facts.upstreamMs > (LATENCY_BOUNDS_MS[slot] ?? 0)) slot++;
        buckets[slot] = (buckets[slot] ?? 0) + 1;
        latency.sumMs += facts.upstreamMs;
        latency.count++;
      }
      if (facts.lookup === "error") storeErrors++;
      if (storeFailure !== null) lastStoreFailure = { at, detail: storeFailure };
    },
    get startedAt() {
      started(now());
      return startedAt;
    },
    get isolate() {
      if (isolate === "") isolate = crypto.randomUUID().slice(0, 8);
      return isolate;
    },
    classes,
    hosts,
    cache,
    latency,
    get storeErrors() {
      return storeErrors;
    },
    get lastStoreFailure() {
      return lastStoreFailure;
    },
    recentMinutes(at) {
      const current = Math.floor(at / 60_000);
      const result: MinuteBucket[] = [];
      for (let minute = current - minutes + 1; minute <= current; minute++) {
        const bucket = ring[minute % minutes] as MinuteBucket;
        result.push(
          bucket.minute === minute
            ? {
                minute,
                classes: [...bucket.classes],
                cache: [...bucket.cache],
                hosts: new Map([...bucket.hosts].map(([host, [n, e]]) => [host, [n, e]])),
              }
            : { minute, classes: zeros(STATUS_CLASSES.length), cache: zeros(CACHE_OUTCOMES.length), hosts: new Map() },
        );
      }
      return result;
    },
  };
}

/** The isolate's counters, shared by every request it serves. */
export const isolateTraffic: TrafficCounters = createTrafficCounters();

function zeros(length: number): number[] {
  return new Array<number>(length).fill(0);
}
