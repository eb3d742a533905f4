import {
  CACHE_OUTCOMES,
  LATENCY_BOUNDS_MS,
  STATUS_CLASSES,
  isolateTraffic,
  type TrafficCounters,
} from "../metrics/index.ts";
import { adminCommands } from "./store.ts";
import type { FleetRead } from "./fleet.ts";
import { fleetMetricLines } from "./fleet-metrics.ts";
import type { RouterView } from "./traffic.ts";

/** The Prometheus text exposition format, version 0.0.4. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Label values are quoted: backslash, double quote and newline are escaped. */
function label(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/**
 * This isolate's counters as Prometheus text, then the fleet's (every
 * isolate's, summed: `router_fleet_*`, fleet-metrics.ts) when they were read.
 * Every series carries no isolate label (so sums across scrapes stay
 * simple); `router_isolate_info` names the isolate that answered, and
 * `router_isolate_start_time_seconds` tells a reset from a drop.
 */
export function metricsText(
  router: RouterView,
  fleet: FleetRead | null = null,
  counters: TrafficCounters = isolateTraffic,
): string {
  const lines: string[] = [];
  const family = (name: string, type: string, help: string) =>
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);

  family(
    "router_isolate_info",
    "gauge",
    "The isolate (or process) that answered this scrape; every figure is its own.",
  );
  lines.push(`router_isolate_info{isolate="${label(counters.isolate)}"} 1`);
  family("router_isolate_start_time_seconds", "gauge", "When this isolate started counting (Unix time).");
  lines.push(`router_isolate_start_time_seconds ${Math.floor(counters.startedAt / 1000)}`);

  family(
    "router_requests_total",
    "counter",
    "Requests answered, by route key (host pattern; _unrouted: no route; _other: past the first 100) and status class.",
  );
  for (const [host, counts] of counters.hosts) {
    STATUS_CLASSES.forEach((name, i) => {
      const value = counts[i] ?? 0;
      if (value > 0) lines.push(`router_requests_total{host="${label(host)}",class="${name}"} ${value}`);
    });
  }

  family("router_upstream_latency_seconds", "histogram", "Time until the upstream's response headers.");
  let cumulative = 0;
  counters.latency.buckets.forEach((count, i) => {
    cumulative += count;
    const le = LATENCY_BOUNDS_MS[i];
    lines.push(`router_upstream_latency_seconds_bucket{le="${le === undefined ? "+Inf" : le / 1000}"} ${cumulative}`);
  });
  lines.push(`router_upstream_latency_seconds_sum ${counters.latency.sumMs / 1000}`);
  lines.push(`router_upstream_latency_seconds_count ${counters.latency.count}`);

  family("router_route_cache_lookups_total", "counter", "Route lookups by how the isolate's cache answered.");
  CACHE_OUTCOMES.forEach((outcome, i) =>
    lines.push(`router_route_cache_lookups_total{outcome="${outcome}"} ${counters.cache[i] ?? 0}`),
  );
  family("router_route_cache_entries", "gauge", "Hosts held in the isolate's route cache.");
  lines.push(`router_route_cache_entries ${router.size}`);

  family(
    "router_store_errors_total",
    "counter",
    "Requests that failed because the route store failed or timed out (503).",
  );
  lines.push(`router_store_errors_total ${counters.storeErrors}`);
  const { stats } = router;
  family("router_store_round_trips_total", "counter", "Round trips from the route cache to the route store.");
  lines.push(`router_store_round_trips_total ${stats.storeRoundTrips}`);
  family("router_store_commands_total", "counter", "Redis commands the route cache sent (what Upstash bills).");
  lines.push(`router_store_commands_total ${stats.storeCommands}`);
  family("router_route_cache_cold_lookups_total", "counter", "Hosts read because the isolate had no usable entry.");
  lines.push(`router_route_cache_cold_lookups_total ${stats.coldLookups}`);
  family("router_route_cache_refreshed_hosts_total", "counter", "Routes in use refreshed in batches.");
  lines.push(`router_route_cache_refreshed_hosts_total ${stats.refreshedHosts}`);
  family("router_lookup_budget_refused_total", "counter", "Cold lookups refused by LOOKUP_BUDGET_PER_SECOND (503).");
  lines.push(`router_lookup_budget_refused_total ${stats.budgetRefused}`);
  family("router_admin_store_commands_total", "counter", "Redis commands the dashboard itself sent.");
  lines.push(`router_admin_store_commands_total ${adminCommands.sent}`);
  if (fleet !== null) lines.push(...fleetMetricLines(fleet, label));
  return `${lines.join("\n")}\n`;
}
