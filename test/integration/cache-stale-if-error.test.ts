import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { startBridgeProcess, startOwnBridge } from "../support/bridges.ts";
import { send } from "../support/http.ts";
import { routesClient, startRouter, uniqueHost } from "../support/stack.ts";
import { eventually, sleep, until } from "../support/wait.ts";

const TTL_MS = 200;
/** The store is asked again for a failing host at most once per negative TTL. */
const RETRY_MS = 200;

const redis = routesClient();
let app1: RunningDemoApp;
let app2: RunningDemoApp;

beforeAll(async () => {
  [app1, app2] = await Promise.all([startDemoApp({ name: "app1" }), startDemoApp({ name: "app2" })]);
});
afterAll(async () => {
  await Promise.all([app1.close(), app2.close()]);
});

const settings = {
  // Server-Timing is opt-in; these tests read the cache outcome from it.
  SERVER_TIMING: "true",
  ROUTE_CACHE_TTL_MS: String(TTL_MS),
  ROUTE_CACHE_STALE_WHILE_REVALIDATE_MS: "0",
  ROUTE_CACHE_NEGATIVE_TTL_MS: String(RETRY_MS),
};

describe("route cache: stale-if-error", () => {
  it("with the bridge closed: serves known routes stale, 503 + Retry-After for unknown hosts, logs once, recovers", async () => {
    const bridge = await startOwnBridge();
    const router = await startRouter({ ...bridge.bindings, ...settings });
    try {
      const host = uniqueHost("sie");
      await redis.set(host, app1.address);
      expect((await send(router.url, { host })).status).toBe(200);

      await bridge.close();
      await sleep(TTL_MS + 20);
      for (let i = 0; i < 20; i++) {
        const reply = await send(router.url, { host });
        expect([reply.status, reply.text]).toEqual([200, expect.stringContaining("app1")]);
        expect(reply.headers["server-timing"]).toMatch(/^route;desc=error;dur=/);
        if (i % 5 === 4) await sleep(RETRY_MS); // let background retries happen, and fail
      }
      const unknown = await send(router.url, { host: uniqueHost("unknown") });
      expect(unknown.status).toBe(503);
      expect(unknown.headers["retry-after"]).toBe("1");
      expect(unknown.text).toContain("route store is unavailable");
      expect(router.logs.filter((line) => line.includes("route store failing"))).toHaveLength(1);

      // Back on the same port: the next retry refreshes the route.
      await redis.set(host, app2.address);
      const restarted = await startOwnBridge(bridge);
      try {
        // Each request serves the stale route and, once per retry interval, starts a refresh.
        await eventually(async () => (await send(router.url, { host })).text.includes("app2"));
        await until(() => router.logs.some((line) => line.includes("route store recovered")));
      } finally {
        await restarted.close();
      }
    } finally {
      await router.dispose();
    }
  });

  it("with the bridge frozen (SIGSTOP): 503 within the lookup timeout for an unknown host, stale route for a known one", async () => {
    const bridge = await startBridgeProcess();
    const router = await startRouter({ ...bridge.bindings, ...settings, LOOKUP_TIMEOUT_MS: "300" });
    try {
      const host = uniqueHost("frozen");
      await redis.set(host, app1.address);
      expect((await send(router.url, { host })).status).toBe(200);

      bridge.pause();
      await sleep(TTL_MS + 20);
      const known = await send(router.url, { host });
      expect([known.status, known.text]).toEqual([200, expect.stringContaining("app1")]);
      expect(known.headers["server-timing"]).toMatch(/^route;desc=error;dur=/);

      const started = Date.now();
      const unknown = await send(router.url, { host: uniqueHost("frozen-unknown") });
      // 300 ms timeout; the margin is for a busy machine, far below the 30 s a hang would take.
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(unknown.status).toBe(503);
      expect(unknown.headers["retry-after"]).toBe("1");
    } finally {
      await router.dispose();
      await bridge.stop();
    }
  });

  it("stops serving a route once it is older than the maximum staleness", async () => {
    const bridge = await startOwnBridge();
    const router = await startRouter({ ...bridge.bindings, ...settings, ROUTE_CACHE_MAX_STALE_MS: "600" });
    try {
      const host = uniqueHost("maxstale");
      await redis.set(host, app1.address);
      expect((await send(router.url, { host })).status).toBe(200);
      await bridge.close();
      await sleep(TTL_MS + 20);
      expect((await send(router.url, { host })).status).toBe(200);
      await sleep(600);
      const reply = await send(router.url, { host });
      expect(reply.status).toBe(503);
    } finally {
      await router.dispose();
    }
  });
});
