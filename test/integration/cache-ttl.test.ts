import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp } from "../../scripts/lib/demo-app.ts";
import { startOwnStack, type OwnStack } from "../support/bridges.ts";
import { send } from "../support/http.ts";
import { routesClient, uniqueHost } from "../support/stack.ts";
import { sleep } from "../support/wait.ts";

/** Short settings, so the bound (TTL + stale-while-revalidate) is 600 ms here. */
const TTL_MS = 400;
const SWR_MS = 200;
const BOUND_MS = TTL_MS + SWR_MS;

const redis = routesClient();
let stack: OwnStack<"app1" | "app2">;

beforeAll(async () => {
  stack = await startOwnStack(
    {
      SERVER_TIMING: "true",
      ROUTE_CACHE_TTL_MS: String(TTL_MS),
      ROUTE_CACHE_STALE_WHILE_REVALIDATE_MS: String(SWR_MS),
    },
    ["app1", "app2"],
  );
});
afterAll(() => stack.close());

describe("route cache: positive TTL", () => {
  it("asks the store once per TTL, says so in Server-Timing, and serves hits from memory", async () => {
    const host = uniqueHost("ttl");
    await redis.set(host, stack.apps.app1.address);
    const first = await send(stack.router.url, { host });
    expect(first.status).toBe(200);
    expect(first.headers["server-timing"]).toMatch(/^route;desc=miss;dur=\d+(\.\d+)?$/);
    for (let i = 0; i < 5; i++) {
      const reply = await send(stack.router.url, { host });
      expect(reply.text).toContain("app1");
      expect(reply.headers["server-timing"]).toMatch(/^route;desc=hit;dur=/);
    }
    expect(stack.bridge.readsOf(host)).toBe(1);
  });

  it("keeps the upstream's own Server-Timing and appends the lookup's", async () => {
    const timed = await startDemoApp({ name: "timed" });
    timed.server.removeAllListeners("request");
    timed.server.on("request", (_request, response) => {
      response.writeHead(200, { "server-timing": "db;dur=53" }).end("ok");
    });
    const host = uniqueHost("timing");
    await redis.set(host, timed.address);
    const reply = await send(stack.router.url, { host });
    expect(reply.headers["server-timing"]).toMatch(/^db;dur=53, route;desc=miss;dur=/);
    await timed.close();
  });

  it.each([
    ["changed", (host: string) => redis.set(host, stack.apps.app2.address), 200, "app2"],
    ["deleted", (host: string) => redis.del(host), 403, "No route"],
  ])(
    "a %s route is hidden by the cache within the TTL and seen by every request after TTL + stale-while-revalidate",
    async (_change, change, status, text) => {
      const host = uniqueHost("bound");
      await redis.set(host, stack.apps.app1.address);
      expect((await send(stack.router.url, { host })).text).toContain("app1");
      const changedAt = Date.now();
      await change(host);
      // Within the TTL the cache still answers with what it read.
      const cached = await send(stack.router.url, { host });
      if (Date.now() - changedAt < TTL_MS / 2) expect(cached.text).toContain("app1");
      await sleep(BOUND_MS + 20 - (Date.now() - changedAt));
      const after = await send(stack.router.url, { host });
      expect([after.status, after.text]).toEqual([status, expect.stringContaining(text)]);
    },
  );

  it("a key that expires in Redis (SET … PX) stops routing within the same bound after its expiry", async () => {
    const host = uniqueHost("expiry");
    await redis.set(host, stack.apps.app1.address, { px: 300 });
    expect((await send(stack.router.url, { host })).status).toBe(200);
    await sleep(300 + BOUND_MS + 20);
    expect((await send(stack.router.url, { host })).status).toBe(403);
  });
});
