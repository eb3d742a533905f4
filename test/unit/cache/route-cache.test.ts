import { describe, expect, it } from "vitest";
import { createFailureLog } from "../../../src/cache/failure-log.ts";
import { createLru } from "../../../src/lib/lru.ts";
import { createRouteCache } from "../../../src/cache/route-cache.ts";
import { fallbackRoute } from "../../../src/lookup/fallback.ts";
import { parseUpstream } from "../../../src/route-value/upstream.ts";
import type { Route } from "../../../src/route-value/route.ts";

describe("createLru", () => {
  it("never holds more than its capacity and drops the least recently used", () => {
    const lru = createLru<string, number>(3);
    for (const [i, key] of ["a", "b", "c"].entries()) lru.set(key, i);
    lru.get("a"); // a is now the most recent; b the oldest
    lru.set("d", 3);
    expect(lru.size).toBe(3);
    expect([lru.get("a"), lru.get("b"), lru.get("c"), lru.get("d")]).toEqual([0, undefined, 2, 3]);
  });
});

describe("createFailureLog", () => {
  it("logs the first failure, then one line per interval with the count, then the recovery once", () => {
    let now = 0;
    const lines: string[] = [];
    const failures = createFailureLog({ intervalMs: 1000, log: (line) => lines.push(line), now: () => now });
    for (; now < 2500; now += 100) failures.failure("timed out");
    failures.success();
    failures.success();
    expect(lines).toEqual([
      "route store failing: timed out",
      "route store failing: timed out (and 9 more since the last report)",
      "route store failing: timed out (and 9 more since the last report)",
      "route store recovered after 2.5 s and 25 failed lookups",
    ]);
  });
});

describe("createRouteCache", () => {
  it("stays within maxEntries however many hosts are looked up", async () => {
    const route = (host: string): Route => fallbackRoute(parseUpstream(`${host}:5000`));
    const cache = createRouteCache({
      maxEntries: 100,
      lookupBudgetPerSecond: 0,
      coldBatchWindowMs: 0,
      load: (hosts) => Promise.resolve({ answers: hosts.map((host) => ({ route: route(host) })), commands: 1 }),
    });
    for (let i = 0; i < 1000; i++) await cache.lookup(`h${i}.example`, () => undefined);
    expect(cache.size).toBe(100);
  });
});
