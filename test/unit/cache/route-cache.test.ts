import { describe, expect, it } from "vitest";
import { createRouteCache } from "../../../src/cache/route-cache.ts";
import { fallbackRoute } from "../../../src/lookup/fallback.ts";
import { parseUpstream } from "../../../src/route-value/upstream.ts";
import type { Route } from "../../../src/route-value/route.ts";

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
