import { CACHE_OUTCOMES, LATENCY_BOUNDS_MS, STATUS_CLASSES } from "../metrics/index.ts";
import { STORE_COUNTERS, type StoreCounter } from "../metrics/index.ts";
import type { FleetRead } from "./fleet.ts";

/** Prometheus names and help of the fleet's store counters. */
const STORE_FAMILIES: Record<StoreCounter, readonly [name: string, help: string]> = {
  storeErrors: [
    "router_fleet_store_errors_total",
    "Requests that failed because the route store failed or timed out (503).",
  ],
  storeRoundTrips: ["router_fleet_store_round_trips_total", "Round trips from the route caches to the route store."],
  storeCommands: ["router_fleet_store_commands_total", "Redis commands the route caches sent (what Upstash bills)."],
  coldLookups: ["router_fleet_route_cache_cold_lookups_total", "Hosts read because an isolate had no usable entry."],
  refreshedHosts: ["router_fleet_route_cache_refreshed_hosts_total", "Routes in use refreshed in batches."],
  budgetRefused: [
    "router_fleet_lookup_budget_refused_total",
    "Cold lookups refused by LOOKUP_BUDGET_PER_SECOND (503).",
  ],
  dashboardCommands: ["router_fleet_admin_store_commands_total", "Redis commands the dashboard sent."],
  statsCommands: ["router_fleet_stats_commands_total", "Redis commands the fleet stats' own writes cost."],
};

/**
 * Every isolate's counters summed (src/admin/fleet.ts), as Prometheus text:
 * the same whichever isolate answers the scrape, up to each isolate's last
 * write (FLEET_STATS_INTERVAL_MS). When the store cannot be read only
 * `router_fleet_up 0` is given: a missing series is better than a false zero.
 */
export function fleetMetricLines(fleet: FleetRead, label: (value: string) => string): string[] {
  const lines: string[] = [];
  const family = (name: string, type: string, help: string) =>
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  family("router_fleet_up", "gauge", "1 when the fleet's counts were read from the route store for this scrape.");
  lines.push(`router_fleet_up ${fleet.problem === null ? 1 : 0}`);
  if (fleet.problem !== null) return lines;
  const { counts } = fleet;
  family("router_fleet_isolates", "gauge", "Isolates (or processes) that wrote their counts within two intervals.");
  lines.push(`router_fleet_isolates ${fleet.reporting}`);

  family(
    "router_fleet_requests_total",
    "counter",
    "Requests answered by every isolate, by route key (host pattern; _unrouted: no route) and status class.",
  );
  for (const host of Object.keys(counts.hosts).sort()) {
    STATUS_CLASSES.forEach((name, i) => {
      const value = counts.hosts[host]?.[i] ?? 0;
      if (value > 0) lines.push(`router_fleet_requests_total{host="${label(host)}",class="${name}"} ${value}`);
    });
  }

  family(
    "router_fleet_upstream_latency_seconds",
    "histogram",
    "Time until the upstream's response headers, every isolate.",
  );
  let cumulative = 0;
  counts.latency.forEach((count, i) => {
    cumulative += count;
    const le = LATENCY_BOUNDS_MS[i];
    lines.push(
      `router_fleet_upstream_latency_seconds_bucket{le="${le === undefined ? "+Inf" : le / 1000}"} ${cumulative}`,
    );
  });
  lines.push(`router_fleet_upstream_latency_seconds_sum ${counts.latencySumMs / 1000}`);
  lines.push(`router_fleet_upstream_latency_seconds_count ${cumulative}`);

  family("router_fleet_route_cache_lookups_total", "counter", "Route lookups by how the isolates' caches answered.");
  CACHE_OUTCOMES.forEach((outcome, i) =>
    lines.push(`router_fleet_route_cache_lookups_total{outcome="${outcome}"} ${counts.cache[i] ?? 0}`),
  );
  STORE_COUNTERS.forEach((name, i) => {
    const [metric, help] = STORE_FAMILIES[name];
    family(metric, "counter", help);
    lines.push(`${metric} ${counts.store[i] ?? 0}`);
  });
  return lines;
}
