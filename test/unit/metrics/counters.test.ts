import { describe, expect, it } from "vitest";
import { newRequestFacts, type RequestFacts } from "../../../src/request-state.ts";
import { readConfig } from "../../../src/config.ts";
import { addCounts, emptyCounts, subtractCounts } from "../../../src/metrics/fleet-counts.ts";
import { createFleetFlusher, foldAfterMs } from "../../../src/metrics/fleet-flush.ts";
import { decodeEntry } from "../../../src/metrics/fleet-store.ts";
import {
  createTrafficCounters,
  DASHBOARD_HOST,
  FALLBACK_HOST,
  OTHER_HOSTS,
  UNROUTED_HOST,
} from "../../../src/metrics/counters.ts";

function facts(fields: Partial<RequestFacts>): RequestFacts {
  return { ...newRequestFacts(), ...fields };
}

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);

describe("traffic counters", () => {
  it("count by status class, host, cache outcome and upstream latency", () => {
    const counters = createTrafficCounters({ now: () => T0 });
    const a = { host: "a.example", routeKey: "a.example", lookup: "hit" } as const;
    counters.record(facts({ ...a, cache: "miss", upstreamMs: 7 }), 200, T0, null);
    counters.record(facts({ ...a, cache: "hit", upstreamMs: 120 }), 503, T0, null);
    counters.record(
      facts({ host: "b.example", routeKey: "b.example", lookup: "hit", cache: "stale", upstreamMs: 0 }),
      302,
      T0,
      null,
    );
    counters.record(facts({ host: "x.example", lookup: "miss", cache: "miss" }), 403, T0, null);
    counters.record(facts({ host: null }), 400, T0, null);
    counters.record(facts({ host: "c.example", lookup: "error", cache: "error" }), 503, T0, "fetch failed");
    counters.record(facts({ host: "d.example", routeKey: "d.example", lookup: "hit" }), 499, T0, null);
    expect(counters.classes).toEqual([0, 1, 1, 3, 2]);
    expect(Object.fromEntries(counters.hosts)).toEqual({
      "a.example": [0, 1, 0, 0, 1],
      "b.example": [0, 0, 1, 0, 0],
      [UNROUTED_HOST]: [0, 0, 0, 2, 1],
      "d.example": [0, 0, 0, 1, 0],
    });
    expect(counters.cache).toEqual([1, 2, 1, 1, 0]); // hit, miss, stale, error, refused
    expect(counters.latency.count).toBe(3);
    expect(counters.latency.sumMs).toBe(127);
    expect(counters.latency.buckets.slice(0, 6)).toEqual([1, 1, 0, 0, 0, 1]); // ≤5, ≤10, …, ≤250
    expect(counters.storeErrors).toBe(1);
    expect(counters.lastStoreFailure).toEqual({ at: T0, detail: "fetch failed" });
  });

  it("name at most maxHosts route keys; the rest share one label, in the minutes too", () => {
    const counters = createTrafficCounters({ maxHosts: 3 });
    for (let i = 0; i < 1000; i++) {
      counters.record(facts({ host: `h${i}.example`, routeKey: `h${i}.example`, lookup: "hit" }), 200, T0, null);
    }
    expect(counters.hosts.size).toBe(4);
    expect(counters.hosts.get(OTHER_HOSTS)?.[1]).toBe(997);
    const minute = counters.recentMinutes(T0).at(-1);
    expect(minute?.hosts.size).toBe(4);
    expect(minute?.hosts.get(OTHER_HOSTS)).toEqual([997, 0]);
  });

  it("label by the route key that matched, not the Host sent: a wildcard's subdomains share one label", () => {
    const counters = createTrafficCounters();
    for (let i = 0; i < 500; i++) {
      const host = `${crypto.randomUUID()}.example.com`;
      counters.record(facts({ host, routeKey: "*.example.com", lookup: "hit" }), i % 10 ? 200 : 502, T0, null);
    }
    counters.record(facts({ host: "nowhere.test", lookup: "fallback" }), 200, T0, null);
    counters.record(facts({ host: "admin.test", dashboard: true }), 200, T0, null);
    expect(Object.fromEntries(counters.hosts)).toEqual({
      "*.example.com": [0, 450, 0, 0, 50],
      [FALLBACK_HOST]: [0, 1, 0, 0, 0],
      [DASHBOARD_HOST]: [0, 1, 0, 0, 0],
    });
    expect(counters.recentMinutes(T0).at(-1)?.hosts.get("*.example.com")).toEqual([500, 50]);
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

describe("fleet stats: what an isolate writes", () => {
  const config = readConfig({ UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1", UPSTASH_REDIS_REST_TOKEN: "t" });
  const ok = facts({ host: "a.example", routeKey: "a.example", lookup: "hit", upstreamMs: 12 });

  /** A hash as Redis keeps it, and the fleet's sum of it (as src/admin/fleet.ts sums HGETALL). */
  function hash() {
    const fields = new Map<string, string>();
    const sum = () => {
      const total = emptyCounts();
      for (const raw of fields.values()) addCounts(total, decodeEntry(raw)?.counts ?? emptyCounts());
      return total.hosts["a.example"]?.[1] ?? 0;
    };
    return { fields, sum };
  }

  function setup() {
    const counters = createTrafficCounters();
    let n = 0;
    const flusher = createFleetFlusher({ counters, newField: () => `f${++n}` });
    const source = { config, cacheStats: null, dashboardCommands: () => 0 };
    return { counters, flusher, source };
  }

  it("writes the whole count each time: a retry or a repeat never counts twice", async () => {
    const { counters, flusher, source } = setup();
    const { fields, sum } = hash();
    const write = async (_key: string, field: string, value: string) => void fields.set(field, value);
    for (let i = 0; i < 5; i++) counters.record(ok, 200, T0, null);
    await flusher.flush(source, T0, write);
    await flusher.flush(source, T0 + 1000, write); // nothing new: no command
    expect(flusher.commands).toBe(1);
    for (let i = 0; i < 3; i++) counters.record(ok, 200, T0, null);
    const pending = flusher.prepare(source, T0 + 2000);
    expect(pending).not.toBeNull();
    fields.set(pending?.field ?? "", pending?.value ?? "");
    fields.set(pending?.field ?? "", pending?.value ?? ""); // the same write landing twice
    pending?.settle("written");
    expect(sum()).toBe(8);
    expect([...fields.keys()]).toEqual(["f1"]);
  });

  it("after a write whose outcome is unknown, moves to a new field: exact if it landed, never backwards", async () => {
    const { counters, flusher, source } = setup();
    const { fields, sum } = hash();
    for (let i = 0; i < 4; i++) counters.record(ok, 200, T0, null);
    const lost = flusher.prepare(source, T0);
    fields.set(lost?.field ?? "", lost?.value ?? ""); // it landed, but the isolate timed out
    lost?.settle("unknown");
    for (let i = 0; i < 2; i++) counters.record(ok, 200, T0, null);
    await flusher.flush(source, T0 + 1000, async (_key, field, value) => void fields.set(field, value));
    expect([...fields.keys()]).toEqual(["f1", "f2"]);
    expect(sum()).toBe(6);
  });

  it("retries the same field after a write that surely failed", async () => {
    const { counters, flusher, source } = setup();
    const { fields, sum } = hash();
    counters.record(ok, 200, T0, null);
    await flusher.flush(source, T0, () => Promise.reject(Object.assign(new Error("ERR"), { name: "UpstashError" })));
    counters.record(ok, 200, T0, null);
    await flusher.flush(source, T0 + 1000, async (_key, field, value) => void fields.set(field, value));
    expect([...fields.keys()]).toEqual(["f1"]);
    expect(sum()).toBe(2);
    expect(flusher.commands).toBe(2);
  });

  it("after being quiet for half the fold age, starts a new field with only what is new", async () => {
    const { counters, flusher, source } = setup();
    const { fields, sum } = hash();
    const write = async (_key: string, field: string, value: string) => void fields.set(field, value);
    counters.record(ok, 200, T0, null);
    await flusher.flush(source, T0, write);
    counters.record(ok, 200, T0, null);
    await flusher.flush(source, T0 + foldAfterMs(60_000) / 2, write);
    expect([...fields.keys()]).toEqual(["f1", "f2"]);
    expect(sum()).toBe(2);
  });

  it("asks for a write only once the interval has passed (the request path's one comparison)", () => {
    const { flusher, source } = setup();
    expect(flusher.due(T0)).toBe(false);
    expect(flusher.due(T0 + 1000)).toBe(true);
    flusher.prepare(source, T0 + 1000);
    expect(flusher.due(T0 + 1000 + config.fleetStatsIntervalMs - 1)).toBe(false);
    expect(flusher.due(T0 + 1000 + config.fleetStatsIntervalMs)).toBe(true);
  });

  it("with nothing to write (FLEET_STATS_INTERVAL_MS=0) asks again a minute later, not on every request", () => {
    const { flusher } = setup();
    expect(flusher.due(T0)).toBe(false);
    expect(flusher.due(T0 + 1000)).toBe(true);
    flusher.rest(T0 + 1000);
    expect(flusher.due(T0 + 1000 + 59_999)).toBe(false);
    expect(flusher.due(T0 + 1000 + 60_000)).toBe(true);
    expect(flusher.commands).toBe(0);
  });

  it("a new field's minutes never go negative, and minutes past the hour are dropped when summed", () => {
    const now = emptyCounts();
    now.minutes["100"] = [0, 3, 0, 0, 0];
    const base = emptyCounts();
    base.minutes["99"] = [0, 5, 0, 0, 0];
    base.minutes["100"] = [0, 1, 0, 0, 0];
    expect(subtractCounts(now, base).minutes).toEqual({ "100": [0, 2, 0, 0, 0] });
    const sum = addCounts(emptyCounts(), base, 100);
    expect(sum.minutes).toEqual({ "100": [0, 1, 0, 0, 0] });
  });
});
