import { createRouteCacheStats } from "../../../src/cache/cache-stats.ts";
import { describe, expect, it } from "vitest";
import { newRequestFacts, type RequestFacts } from "../../../src/request-state.ts";
import { metricsText } from "../../../src/admin/metrics.ts";
import { createTrafficCounters } from "../../../src/metrics/counters.ts";

function facts(fields: Partial<RequestFacts>): RequestFacts {
  return { ...newRequestFacts(), ...fields };
}

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);

describe("Prometheus text", () => {
  it("escapes label values and states every family's type", () => {
    const counters = createTrafficCounters({ now: () => T0 });
    counters.record(facts({ host: "x", routeKey: 'we"ird\\host', lookup: "hit", upstreamMs: 30 }), 200, T0, null);
    const stats = createRouteCacheStats({ routes: () => 7, misses: () => 0 });
    stats.storeRoundTrips = 2;
    stats.storeCommands = 3;
    const text = metricsText({ size: 7, stats }, null, counters);
    expect(text).toContain('router_requests_total{host="we\\"ird\\\\host",class="2xx"} 1');
    expect(text).toContain("router_route_cache_entries 7");
    expect(text).toContain("router_store_commands_total 3");
    expect(text).toContain("router_store_round_trips_total 2");
    expect(text).toContain('router_upstream_latency_seconds_bucket{le="0.05"} 1');
    expect(text).toContain('router_upstream_latency_seconds_bucket{le="+Inf"} 1');
    expect(text).toContain("router_upstream_latency_seconds_sum 0.03");
    expect(text).toContain(`router_isolate_start_time_seconds ${T0 / 1000}`);
    const families = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => m[1]);
    expect(families).toEqual([
      "router_isolate_info",
      "router_isolate_start_time_seconds",
      "router_requests_total",
      "router_upstream_latency_seconds",
      "router_route_cache_lookups_total",
      "router_route_cache_entries",
      "router_store_errors_total",
      "router_store_round_trips_total",
      "router_store_commands_total",
      "router_route_cache_cold_lookups_total",
      "router_route_cache_refreshed_hosts_total",
      "router_lookup_budget_refused_total",
      "router_admin_store_commands_total",
    ]);
    expect(text.endsWith("\n")).toBe(true);
  });
});
