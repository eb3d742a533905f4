import type { RouteCacheStats } from "../cache/index.ts";
import { CACHE_OUTCOMES, LATENCY_BOUNDS_MS, type TrafficCounters } from "./counters.ts";

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

/**
 * Every figure is a count at a leaf of the same JSON tree (objects keyed by
 * route key or minute, arrays of fixed length), so adding and subtracting
 * walk the tree the same way whatever the figure.
 */
type Tree = number | Tree[] | { [key: string]: Tree };
type Branch = Tree[] | { [key: string]: Tree };

/** `into` += `more`, leaf by leaf, in place. */
function addTree(into: Branch, more: Branch): void {
  const target = into as Record<string, Tree>;
  for (const [key, value] of Object.entries(more)) {
    if (typeof value === "number") target[key] = ((target[key] as number | undefined) ?? 0) + value;
    else addTree((target[key] ??= Array.isArray(value) ? [] : {}) as Branch, value);
  }
}

/** `now` − `base` for the leaves `now` has (never below 0); what `now` no longer has is left out. */
function subtractTree(now: Branch, base: Tree | undefined): Branch {
  const from = (typeof base === "object" ? base : {}) as Record<string, Tree | undefined>;
  const result: Record<string, Tree> = Array.isArray(now) ? ([] as unknown as Record<string, Tree>) : {};
  for (const [key, value] of Object.entries(now)) {
    const other = from[key];
    result[key] =
      typeof value === "number"
        ? Math.max(0, value - (typeof other === "number" ? other : 0))
        : subtractTree(value, other);
  }
  return result as Branch;
}

/** Minutes before `sinceMinute` left out of a per-minute record. */
function recent<T>(byMinute: Record<string, T>, sinceMinute: number): Record<string, T> {
  return Object.fromEntries(Object.entries(byMinute).filter(([minute]) => Number(minute) >= sinceMinute));
}

/** `into` += `more`, in place; minutes before `sinceMinute` are dropped from the result. */
export function addCounts(into: FleetCounts, more: FleetCounts, sinceMinute = 0): FleetCounts {
  addTree(into as unknown as Branch, more as unknown as Branch);
  into.minutes = recent(into.minutes, sinceMinute);
  into.hostMinutes = recent(into.hostMinutes, sinceMinute);
  return into;
}

/**
 * `now` − `base`: what was counted since `base` was taken (an isolate's new
 * field starts from there, fleet-flush.ts). Minutes `now` no longer holds
 * are left out, never made negative.
 */
export function subtractCounts(now: FleetCounts, base: FleetCounts): FleetCounts {
  return subtractTree(now as unknown as Branch, base as unknown as Branch) as unknown as FleetCounts;
}

/** Whether no request was counted (the other figures follow from requests). */
export function noRequests(counts: FleetCounts): boolean {
  return Object.values(counts.hosts).every((classes) => classes.every((n) => n === 0));
}

/**
 * A stored value, checked: the five parts this version writes, with counts
 * (finite numbers) at every leaf. Another version's value, or a hand-written
 * one, is skipped, never summed as garbage.
 */
export function parseCounts(value: unknown): FleetCounts | null {
  const leaves = (tree: unknown, depth: number): boolean =>
    typeof tree === "number"
      ? Number.isFinite(tree)
      : depth > 0 &&
        typeof tree === "object" &&
        tree !== null &&
        Object.values(tree).every((t) => leaves(t, depth - 1));
  if (typeof value !== "object" || value === null) return null;
  const v = value as Partial<Record<keyof FleetCounts, unknown>>;
  const sized = (a: unknown, length: number) => Array.isArray(a) && a.length === length && leaves(a, 1);
  const ok =
    sized(v.latency, LATENCY_BOUNDS_MS.length + 1) &&
    sized(v.cache, CACHE_OUTCOMES.length) &&
    sized(v.store, STORE_COUNTERS.length) &&
    typeof v.latencySumMs === "number" &&
    leaves(v.hosts, 2) &&
    leaves(v.minutes, 2) &&
    leaves(v.hostMinutes, 3) &&
    [v.hosts, v.minutes, v.hostMinutes].every((r) => !Array.isArray(r));
  return ok ? (value as FleetCounts) : null;
}
