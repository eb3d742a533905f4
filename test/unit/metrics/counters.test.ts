import { describe, expect, it } from "vitest";
import { newRequestFacts, type RequestFacts } from "../../../src/request-state.ts";
import { createTrafficCounters, OTHER_HOSTS, UNROUTED_HOST } from "../../../src/metrics/counters.ts";

function facts(fields: Partial<RequestFacts>): RequestFacts {
  return { ...newRequestFacts(), ...fields };
}

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);

describe("traffic counters", () => {
  it("count by status class, host, cache outcome and upstream latency", () => {
    const counters = createTrafficCounters({ now: () => T0 });
    counters.record(facts({ host: "a.example", lookup: "hit", cache: "miss", upstreamMs: 7 }), 200, T0, null);
    counters.record(facts({ host: "a.example", lookup: "hit", cache: "hit", upstreamMs: 120 }), 503, T0, null);
    counters.record(facts({ host: "b.example", lookup: "hit", cache: "stale", upstreamMs: 0 }), 302, T0, null);
    counters.record(facts({ host: "x.example", lookup: "miss", cache: "miss" }), 403, T0, null);
    counters.record(facts({ host: null }), 400, T0, null);
    counters.record(facts({ host: "c.example", lookup: "error", cache: "error" }), 503, T0, "fetch failed");
    counters.record(facts({ host: "d.example", lookup: "hit" }), 499, T0, null);
    expect(counters.classes).toEqual([0, 1, 1, 3, 2]);
    expect(Object.fromEntries(counters.hosts)).toEqual({
      "a.example": [0, 1, 0, 0, 1],
      "b.example": [0, 0, 1, 0, 0],
      [UNROUTED_HOST]: [0, 0, 0, 2, 0],
      "c.example": [0, 0, 0, 0, 1],
      "d.example": [0, 0, 0, 1, 0],
    });
    expect(counters.cache).toEqual([1, 2, 1, 1, 0]); // hit, miss, stale, error, refused
    expect(counters.latency.count).toBe(3);
    expect(counters.latency.sumMs).toBe(127);
    expect(counters.latency.buckets.slice(0, 6)).toEqual([1, 1, 0, 0, 0, 1]); // ≤5, ≤10, …, ≤250
    expect(counters.storeErrors).toBe(1);
    expect(counters.lastStoreFailure).toEqual({ at: T0, detail: "fetch failed" });
  });

  it("name at most maxHosts hosts; the rest share one label", () => {
    const counters = createTrafficCounters({ maxHosts: 3 });
    for (let i = 0; i < 1000; i++) counters.record(facts({ host: `h${i}.example`, lookup: "hit" }), 200, T0, null);
    expect(counters.hosts.size).toBe(4);
    expect(counters.hosts.get(OTHER_HOSTS)?.[1]).toBe(997);
  });

  it("keep the last minutes for charts, empty minutes included, older ones dropped", () => {
    const counters = createTrafficCounters({ minutes: 5 });
    const ok = facts({ host: "a.example", lookup: "hit", cache: "hit" });
    counters.record(ok, 200, T0, null);
    counters.record(ok, 200, T0 + 10_000, null);
    counters.record(ok, 500, T0 + 2 * 60_000, null);
    counters.record(ok, 200, T0 + 7 * 60_000, null); // reuses the slot of T0 + 2 min
    const minutes = counters.recentMinutes(T0 + 7 * 60_000);
    expect(minutes.map((m) => m.classes)).toEqual([
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 1, 0, 0, 0],
    ]);
    const earlier = counters.recentMinutes(T0 + 2 * 60_000);
    expect(earlier.map((m) => m.classes[1])).toEqual([0, 0, 2, 0, 0]);
  });
});
