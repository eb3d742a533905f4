import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { startOwnBridge, type OwnBridge } from "../support/bridges.ts";
import { send } from "../support/http.ts";
import { routesClient, startRouter, uniqueHost, type RouterUnderTest } from "../support/stack.ts";
import { sleep, until } from "../support/wait.ts";

const TTL_MS = 400;
const redis = routesClient();
let app1: RunningDemoApp;
let app2: RunningDemoApp;

beforeAll(async () => {
  [app1, app2] = await Promise.all([startDemoApp({ name: "app1" }), startDemoApp({ name: "app2" })]);
});
afterAll(async () => {
  await Promise.all([app1.close(), app2.close()]);
});

/** A router on a bridge of its own, so the bridge's stats count only its round trips. */
async function isolated(bindings: Record<string, string>): Promise<{ bridge: OwnBridge; router: RouterUnderTest }> {
  const bridge = await startOwnBridge();
  const router = await startRouter({ ...bridge.bindings, ...bindings });
  return { bridge, router };
}

async function routed(count: number, label: string, address: string): Promise<string[]> {
  const hosts = Array.from({ length: count }, () => uniqueHost(label));
  await Promise.all(hosts.map((host) => redis.set(host, address)));
  return hosts;
}

describe("one round trip for many hosts", () => {
  it("a cold lookup is one command (one MGET) with the default settings", async () => {
    const { bridge, router } = await isolated({});
    try {
      const [host = ""] = await routed(1, "one", app1.address);
      expect((await send(router.url, { host })).status).toBe(200);
      expect([bridge.stats.requests, bridge.stats.commands, bridge.stats.commandNames]).toEqual([1, 1, { MGET: 1 }]);
    } finally {
      await router.dispose();
      await bridge.close();
    }
  });

  it("cold lookups that arrive together share one request and one command", async () => {
    // A wide window, so that a loaded machine still sends the 20 requests within it.
    const { bridge, router } = await isolated({ COLD_LOOKUP_BATCH_WINDOW_MS: "500" });
    try {
      const hosts = [
        ...(await routed(15, "cold", app1.address)),
        ...Array.from({ length: 5 }, () => uniqueHost("none")),
      ];
      const replies = await Promise.all(hosts.map((host) => send(router.url, { host })));
      expect(replies.map((reply) => reply.status)).toEqual(hosts.map((_, i) => (i < 15 ? 200 : 403)));
      expect([bridge.stats.requests, bridge.stats.commands, bridge.stats.commandNames]).toEqual([1, 1, { MGET: 1 }]);
      for (const host of hosts) expect(bridge.readsOf(host)).toBe(1);
      // Keys the hosts share (`*.test.example`, `*.example`, `*`) are read once.
      expect(bridge.readsOf("*")).toBe(1);
    } finally {
      await router.dispose();
      await bridge.close();
    }
  });

  it("routes in use are refreshed together: one request per TTL whatever their number, changes seen", async () => {
    const { bridge, router } = await isolated({
      ROUTE_CACHE_TTL_MS: String(TTL_MS),
      ROUTE_CACHE_STALE_WHILE_REVALIDATE_MS: "10000",
      COLD_LOOKUP_BATCH_WINDOW_MS: "500",
    });
    try {
      const hosts = await routed(30, "refresh", app1.address);
      await Promise.all(hosts.map((host) => send(router.url, { host })));
      expect(bridge.stats.requests).toBe(1);
      await Promise.all(hosts.map((host) => redis.set(host, app2.address)));
      await sleep(TTL_MS + 50);
      // Expired: served at once (stale) while one refresh reads all 30.
      const stale = await Promise.all(hosts.map((host) => send(router.url, { host })));
      for (const reply of stale) expect(reply.text).toMatch(/app[12]/);
      await until(() => hosts.every((host) => bridge.readsOf(host) === 2));
      expect([bridge.stats.requests, bridge.stats.commands]).toEqual([2, 2]);
      for (const host of hosts) expect((await send(router.url, { host })).text).toContain("app2");
    } finally {
      await router.dispose();
      await bridge.close();
    }
  });

  it("with HIPACHE_ROUTES=true the lists are still read, in the same round trip", async () => {
    const { bridge, router } = await isolated({ HIPACHE_ROUTES: "true", COLD_LOOKUP_BATCH_WINDOW_MS: "500" });
    try {
      const [plain = ""] = await routed(1, "plain", app1.address);
      const listed = uniqueHost("listed");
      await redis.rpush(`frontend:${listed}`, "site", `http://${app2.address}`);
      const [a, b] = await Promise.all([send(router.url, { host: plain }), send(router.url, { host: listed })]);
      expect([a.text, b.text]).toEqual([expect.stringContaining("app1"), expect.stringContaining("app2")]);
      expect(bridge.stats.requests).toBe(1);
      // One MGET for both hosts, one LRANGE per distinct list key (shared wildcards once).
      expect(bridge.stats.commandNames["MGET"]).toBe(1);
      expect(bridge.readsOf(`frontend:${listed}`)).toBe(1);
      expect(bridge.readsOf("frontend:*")).toBe(1);
    } finally {
      await router.dispose();
      await bridge.close();
    }
  });
});
