import { LATENCY_BOUNDS_MS, STATUS_CLASSES } from "../metrics/index.ts";
import { HISTORY_MINUTES, STORE_COUNTERS, type StoreCounter } from "../metrics/index.ts";
import type { FleetRead } from "./fleet.ts";
import { byClass, byOutcome, type ByClass, type ByOutcome } from "./by-class.ts";

/** The fleet's figures as the dashboard shows them (/api/traffic's `fleet`, the Cache and traffic page). */
export interface FleetReport {
  /** Why the fleet's counts could not be read; null when they were. */
  readonly problem: string | null;
  /** Isolates (or processes) that wrote within two intervals. */
  readonly reporting: number;
  readonly intervalMs: number;
  readonly requests: ByClass & { readonly total: number };
  readonly lastHour: ByClass & { readonly total: number };
  readonly cache: ByOutcome;
  readonly store: Readonly<Record<StoreCounter, number>>;
  readonly busiestHosts: readonly { readonly host: string; readonly total: number; readonly classes: ByClass }[];
  readonly upstreamLatency: {
    readonly count: number;
    readonly averageMs: number | null;
    readonly buckets: readonly { readonly le: number | "+Inf"; readonly count: number }[];
  };
  /** The last hour, oldest first, one per minute. */
  readonly minutes: readonly { readonly at: string; readonly requests: ByClass }[];
}

/** Per route key: requests and 5xx in the last hour, every isolate (the Routes page). */
export type RouteTraffic = ReadonlyMap<string, { readonly requests: number; readonly errors: number }>;

const sum = (counts: readonly number[]) => counts.reduce((a, b) => a + b, 0);

export function fleetReport(read: FleetRead, now: number, topHosts = 10): FleetReport {
  const { counts } = read;
  const classTotals = STATUS_CLASSES.map((_, i) => sum(Object.values(counts.hosts).map((c) => c[i] ?? 0)));
  const current = Math.floor(now / 60_000);
  const minutes = [];
  const hour = [0, 0, 0, 0, 0];
  for (let minute = current - HISTORY_MINUTES + 1; minute <= current; minute++) {
    const classes = counts.minutes[minute] ?? [0, 0, 0, 0, 0];
    classes.forEach((n, i) => (hour[i] = (hour[i] ?? 0) + n));
    minutes.push({ at: new Date(minute * 60_000).toISOString(), requests: byClass(classes) });
  }
  let cumulative = 0;
  const buckets = counts.latency.map((count, i) => {
    cumulative += count;
    return { le: LATENCY_BOUNDS_MS[i] ?? ("+Inf" as const), count: cumulative };
  });
  const busiestHosts = Object.entries(counts.hosts)
    .map(([host, classes]) => ({ host, total: sum(classes), classes: byClass(classes) }))
    .sort((a, b) => b.total - a.total || a.host.localeCompare(b.host))
    .slice(0, topHosts);
  return {
    problem: read.problem,
    reporting: read.reporting,
    intervalMs: read.intervalMs,
    requests: { ...byClass(classTotals), total: sum(classTotals) },
    lastHour: { ...byClass(hour), total: sum(hour) },
    cache: byOutcome(counts.cache),
    store: Object.fromEntries(STORE_COUNTERS.map((name, i) => [name, counts.store[i] ?? 0])) as Record<
      StoreCounter,
      number
    >,
    busiestHosts,
    upstreamLatency: {
      count: cumulative,
      averageMs: cumulative === 0 ? null : Math.round((counts.latencySumMs / cumulative) * 10) / 10,
      buckets,
    },
    minutes,
  };
}

/** Requests and 5xx per route key over the last hour. */
export function routeTraffic(read: FleetRead): RouteTraffic {
  const result = new Map<string, { requests: number; errors: number }>();
  for (const hosts of Object.values(read.counts.hostMinutes)) {
    for (const [host, [requests = 0, errors = 0]] of Object.entries(hosts)) {
      const entry = result.get(host) ?? { requests: 0, errors: 0 };
      entry.requests += requests;
      entry.errors += errors;
      result.set(host, entry);
    }
  }
  return result;
}
