import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { startOwnBridge, type OwnBridge } from "../support/bridges.ts";
import { startGate, type Gate } from "../support/gate.ts";
import { send } from "../support/http.ts";
import { routesClient, startRouter, uniqueHost, type RouterUnderTest } from "../support/stack.ts";
import { sleep, until } from "../support/wait.ts";

const TTL_MS = 300;

const redis = routesClient();
let bridge: OwnBridge;
let gate: Gate;
let router: RouterUnderTest;
let app1: RunningDemoApp;
let app2: RunningDemoApp;

beforeAll(async () => {
  bridge = await startOwnBridge();
  gate = await startGate(bridge.port);
  [router, app1, app2] = await Promise.all([
    startRouter({
      ...bridge.bindings,
      SERVER_TIMING: "true",
      UPSTASH_REDIS_REST_URL: gate.url,
      LOOKUP_TIMEOUT_MS: "5000",
      ROUTE_CACHE_TTL_MS: String(TTL_MS),
      // Wide, so that the test's own pauses cannot push the entry past it.
      ROUTE_CACHE_STALE_WHILE_REVALIDATE_MS: "20000",
    }),
    startDemoApp({ name: "app1" }),
    startDemoApp({ name: "app2" }),
  ]);
});
afterAll(async () => {
  await Promise.all([router.dispose(), app1.close(), app2.close()]);
  await gate.close();
  await bridge.close();
});

describe("route cache: stale-while-revalidate", () => {
  it("serves an expired route at once while one background refresh fetches the new value", async () => {
    const host = uniqueHost("swr");
    await redis.set(host, app1.address);
    expect((await send(router.url, { host })).text).toContain("app1");
    await redis.set(host, app2.address);
    await sleep(TTL_MS + 20);

    // The store is held: a request that waited for the refresh could not finish.
    gate.hold();
    const stale = await Promise.all(Array.from({ length: 20 }, () => send(router.url, { host })));
    for (const reply of stale) {
      expect(reply.text).toContain("app1");
      expect(reply.headers["server-timing"]).toMatch(/^route;desc=stale;dur=/);
    }
    expect(gate.heldBytes).toBeGreaterThan(0); // the refresh is under way, held
    expect(bridge.readsOf(host)).toBe(1);

    gate.release();
    await until(() => bridge.readsOf(host) === 2);
    const fresh = await send(router.url, { host });
    expect(fresh.text).toContain("app2");
    expect(fresh.headers["server-timing"]).toMatch(/^route;desc=hit;dur=/);
    // 20 stale answers, one refresh.
    expect(bridge.readsOf(host)).toBe(2);
  });
});
