import { LATENCY_BOUNDS_MS, isolateTraffic, type TrafficCounters } from "../metrics/index.ts";
import { byClass, byOutcome, type ByClass, type ByOutcome } from "./by-class.ts";
import type { RouteCacheStats } from "../cache/index.ts";
import { adminCommands } from "./store.ts";
import type { FleetReport } from "./fleet-report.ts";

/** What the dashboard can see of the router's isolate state (app.ts hands it over). */
export interface RouterView {
  /** The route cache: entries held now, and its counters (store commands, round trips, budget refusals). */
  readonly size: number;
  readonly stats: RouteCacheStats;
}

/** The isolate's traffic as data: /api/traffic and the Cache and traffic page. */
export interface TrafficReport {
  /** This isolate's id; at the edge every isolate counts for itself. */
  readonly isolate: string;
  readonly since: string;
  readonly cacheEntries: number;
  readonly requests: ByClass & { readonly total: number };
  readonly cache: ByOutcome;
  readonly storeErrors: number;
  /** The route cache's own counters: what the request path cost the route store. */
  readonly store: {
    readonly roundTrips: number;
    readonly commands: number;
    /** Commands per minute since the isolate started counting. */
    readonly commandsPerMinute: number;
    readonly coldLookups: number;
    readonly refreshBatches: number;
    readonly refreshedHosts: number;
    readonly budgetRefused: number;
    readonly routes: number;
    readonly misses: number;
  };
  readonly busiestHosts: readonly { readonly host: string; readonly total: number; readonly classes: ByClass }[];
  readonly upstreamLatency: {
    readonly count: number;
    readonly averageMs: number | null;
    /** Cumulative, as Prometheus `le` buckets. */
    readonly buckets: readonly { readonly le: number | "+Inf"; readonly count: number }[];
  };
  /** Oldest first, one per minute. */
  readonly minutes: readonly { readonly at: string; readonly requests: ByClass; readonly cache: ByOutcome }[];
  /** Redis commands the dashboard itself sent from this isolate. */
  readonly dashboardCommands: number;
  /** Every isolate's figures summed (fleet-report.ts); null when not read. */
  readonly fleet: FleetReport | null;
}

const sum = (counts: readonly number[]) => counts.reduce((a, b) => a + b, 0);

export function trafficReport(
  router: RouterView,
  fleet: FleetReport | null = null,
  now = Date.now(),
  counters: TrafficCounters = isolateTraffic,
  topHosts = 10,
): TrafficReport {
  let cumulative = 0;
  const buckets = counters.latency.buckets.map((count, i) => {
    cumulative += count;
    return { le: LATENCY_BOUNDS_MS[i] ?? ("+Inf" as const), count: cumulative };
  });
  const hosts = [...counters.hosts]
    .map(([host, counts]) => ({ host, total: sum(counts), classes: byClass(counts) }))
    .sort((a, b) => b.total - a.total || a.host.localeCompare(b.host))
    .slice(0, topHosts);
  const { count, sumMs } = counters.latency;
  return {
    isolate: counters.isolate,
    since: new Date(counters.startedAt).toISOString(),
    cacheEntries: router.size,
    requests: { ...byClass(counters.classes), total: sum(counters.classes) },
    cache: byOutcome(counters.cache),
    storeErrors: counters.storeErrors,
    store: storeReport(router.stats, now - counters.startedAt),
    busiestHosts: hosts,
    upstreamLatency: { count, averageMs: count === 0 ? null : Math.round((sumMs / count) * 10) / 10, buckets },
    minutes: counters.recentMinutes(now).map((bucket) => ({
      at: new Date(bucket.minute * 60_000).toISOString(),
      requests: byClass(bucket.classes),
      cache: byOutcome(bucket.cache),
    })),
    dashboardCommands: adminCommands.sent,
    fleet,
  };
}

function storeReport(stats: RouteCacheStats, countingMs: number): TrafficReport["store"] {
  const minutes = Math.max(countingMs, 60_000) / 60_000;
  return {
    roundTrips: stats.storeRoundTrips,
    commands: stats.storeCommands,
    commandsPerMinute: Math.round((stats.storeCommands / minutes) * 10) / 10,
    coldLookups: stats.coldLookups,
    refreshBatches: stats.refreshBatches,
    refreshedHosts: stats.refreshedHosts,
    budgetRefused: stats.budgetRefused,
    routes: stats.routes,
    misses: stats.misses,
  };
}
