import type { RouteCacheStats } from "../cache/cache-stats.ts";
import { CACHE_OUTCOMES, LATENCY_BOUNDS_MS, STATUS_CLASSES, type TrafficCounters } from "./counters.ts";

/*
 * What one isolate has counted, as one JSON value: the unit the fleet stats
 * write (one HSET field per isolate, fleet-flush.ts) and the dashboard sums
 * (src/admin/fleet.ts). Every figure is a count that only grows while the
 * isolate lives, so writing the whole value again is harmless (a retry can
 * never count twice), and the fleet's total is a plain sum of the values.
 */

/** The store's counters, in this order, in `FleetCounts.store`. */
export const STORE_COUNTERS = [
  "storeErrors",
  "storeRoundTrips",
  "storeCommands",
  "coldLookups",
  "refreshedHosts",
  "budgetRefused",
  "dashboardCommands",
  "statsCommands",
] as const;
export type StoreCounter = (typeof STORE_COUNTERS)[number];

/** How far back the per-minute figures go: the dashboard's "last hour". */
export const HISTORY_MINUTES = 60;

export interface FleetCounts {
  /** Route key (host pattern) → requests per status class (STATUS_CLASSES order). */
  hosts: Record<string, number[]>;
  /** Upstream latency per LATENCY_BOUNDS_MS bucket, not cumulative, plus one for slower. */
  latency: number[];
  latencySumMs: number;
  /** Route lookups per cache outcome (CACHE_OUTCOMES order). */
  cache: number[];
  /** STORE_COUNTERS order. */
  store: number[];
  /** Epoch minute → requests per status class; the last HISTORY_MINUTES only, minutes with none left out. */
  minutes: Record<string, number[]>;
  /** Epoch minute → route key → [requests, 5xx]; same minutes. */
  hostMinutes: Record<string, Record<string, number[]>>;
}

export function emptyCounts(): FleetCounts {
  return {
    hosts: {},
    latency: new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0),
    latencySumMs: 0,
    cache: new Array<number>(CACHE_OUTCOMES.length).fill(0),
    store: new Array<number>(STORE_COUNTERS.length).fill(0),
    minutes: {},
    hostMinutes: {},
  };
}

/** The extra counters the traffic counters do not hold (the route cache's, the dashboard's, the stats' own). */
export interface CountSources {
  readonly cacheStats: RouteCacheStats | null;
  readonly dashboardCommands: number;
  readonly statsCommands: number;
}

/** The isolate's counters as they are now, minutes older than the last hour left out. */
export function countsOf(counters: TrafficCounters, sources: CountSources, now: number): FleetCounts {
  const counts = emptyCounts();
  for (const [host, classes] of counters.hosts) counts.hosts[host] = [...classes];
  counts.latency = [...counters.latency.buckets];
  counts.latencySumMs = counters.latency.sumMs;
  counts.cache = [...counters.cache];
  const stats = sources.cacheStats;
  const store: Record<StoreCounter, number> = {
    storeErrors: counters.storeErrors,
    storeRoundTrips: stats?.storeRoundTrips ?? 0,
    storeCommands: stats?.storeCommands ?? 0,
    coldLookups: stats?.coldLookups ?? 0,
    refreshedHosts: stats?.refreshedHosts ?? 0,
    budgetRefused: stats?.budgetRefused ?? 0,
    dashboardCommands: sources.dashboardCommands,
    statsCommands: sources.statsCommands,
  };
  counts.store = STORE_COUNTERS.map((name) => store[name]);
  for (const bucket of counters.recentMinutes(now).slice(-HISTORY_MINUTES)) {
    if (bucket.classes.every((n) => n === 0)) continue;
    counts.minutes[bucket.minute] = [...bucket.classes];
    counts.hostMinutes[bucket.minute] = Object.fromEntries([...bucket.hosts].map(([host, pair]) => [host, [...pair]]));
  }
  return counts;
}

/** `into` += `more`, in place; minutes before `sinceMinute` are dropped from the result. */
export function addCounts(into: FleetCounts, more: FleetCounts, sinceMinute = 0): FleetCounts {
  for (const [host, classes] of Object.entries(more.hosts)) into.hosts[host] = addArrays(into.hosts[host], classes);
  into.latency = addArrays(into.latency, more.latency);
  into.latencySumMs += more.latencySumMs;
  into.cache = addArrays(into.cache, more.cache);
  into.store = addArrays(into.store, more.store);
  for (const [minute, classes] of Object.entries(more.minutes)) {
    if (Number(minute) < sinceMinute) continue;
    into.minutes[minute] = addArrays(into.minutes[minute], classes);
  }
  for (const [minute, hosts] of Object.entries(more.hostMinutes)) {
    if (Number(minute) < sinceMinute) continue;
    const target = (into.hostMinutes[minute] ??= {});
    for (const [host, pair] of Object.entries(hosts)) target[host] = addArrays(target[host], pair);
  }
  const recent = <T>(byMinute: Record<string, T>) =>
    Object.fromEntries(Object.entries(byMinute).filter(([minute]) => Number(minute) >= sinceMinute));
  if (sinceMinute > 0) {
    into.minutes = recent(into.minutes);
    into.hostMinutes = recent(into.hostMinutes);
  }
  return into;
}

/**
 * `now` − `base`: what was counted since `base` was taken (an isolate's new
 * field starts from there, fleet-flush.ts). Minutes `now` no longer holds
 * are left out, never made negative.
 */
export function subtractCounts(now: FleetCounts, base: FleetCounts): FleetCounts {
  const minus = (a: readonly number[], b: readonly number[] | undefined) =>
    a.map((n, i) => Math.max(0, n - (b?.[i] ?? 0)));
  const result = emptyCounts();
  for (const [host, classes] of Object.entries(now.hosts)) result.hosts[host] = minus(classes, base.hosts[host]);
  result.latency = minus(now.latency, base.latency);
  result.latencySumMs = Math.max(0, now.latencySumMs - base.latencySumMs);
  result.cache = minus(now.cache, base.cache);
  result.store = minus(now.store, base.store);
  for (const [minute, classes] of Object.entries(now.minutes)) {
    const left = minus(classes, base.minutes[minute]);
    if (left.some((n) => n > 0)) result.minutes[minute] = left;
  }
  for (const [minute, hosts] of Object.entries(now.hostMinutes)) {
    const entries = Object.entries(hosts)
      .map(([host, pair]): [string, number[]] => [host, minus(pair, base.hostMinutes[minute]?.[host])])
      .filter(([, pair]) => (pair[0] ?? 0) > 0);
    if (entries.length > 0) result.hostMinutes[minute] = Object.fromEntries(entries);
  }
  return result;
}

/** Whether anything was counted at all. */
export function isEmpty(counts: FleetCounts): boolean {
  const zero = (a: readonly number[]) => a.every((n) => n === 0);
  return (
    Object.values(counts.hosts).every(zero) &&
    zero(counts.latency) &&
    zero(counts.cache) &&
    zero(counts.store) &&
    Object.keys(counts.minutes).length === 0
  );
}

/**
 * A stored value, checked field by field: a value this version cannot read
 * (another version's, or hand-written) is skipped, never summed as garbage.
 */
export function parseCounts(value: unknown): FleetCounts | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  const numbers = (a: unknown, length?: number): a is number[] =>
    Array.isArray(a) && (length === undefined || a.length === length) && a.every((n) => typeof n === "number");
  const record = (r: unknown): r is Record<string, unknown> => typeof r === "object" && r !== null && !Array.isArray(r);
  if (!record(v.hosts) || !Object.values(v.hosts).every((c) => numbers(c, STATUS_CLASSES.length))) return null;
  if (!numbers(v.latency, LATENCY_BOUNDS_MS.length + 1) || typeof v.latencySumMs !== "number") return null;
  if (!numbers(v.cache, CACHE_OUTCOMES.length) || !numbers(v.store, STORE_COUNTERS.length)) return null;
  if (!record(v.minutes) || !Object.values(v.minutes).every((c) => numbers(c, STATUS_CLASSES.length))) return null;
  if (!record(v.hostMinutes)) return null;
  for (const hosts of Object.values(v.hostMinutes)) {
    if (!record(hosts) || !Object.values(hosts).every((pair) => numbers(pair, 2))) return null;
  }
  return value as FleetCounts;
}

function addArrays(a: readonly number[] | undefined, b: readonly number[]): number[] {
  return b.map((n, i) => n + (a?.[i] ?? 0));
}
