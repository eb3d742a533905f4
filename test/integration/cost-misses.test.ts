import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOwnStack, type OwnStack } from "../support/bridges.ts";
import { send } from "../support/http.ts";
import { routesClient, uniqueHost } from "../support/stack.ts";

const redis = routesClient();
let stack: OwnStack<"app">;

beforeAll(async () => {
  stack = await startOwnStack(
    {
      // Room for 5 routes and 5 misses: the flood below is 20 times that.
      SERVER_TIMING: "true",
      ROUTE_CACHE_SIZE: "5",
      MISS_CACHE_SIZE: "5",
      ROUTE_CACHE_TTL_MS: "60000",
      ROUTE_CACHE_NEGATIVE_TTL_MS: "60000",
      LOOKUP_BUDGET_PER_SECOND: "0",
    },
    ["app"],
  );
});
afterAll(() => stack.close());

describe("misses apart from routes (MISS_CACHE_SIZE)", () => {
  it("no number of unknown hosts evicts a cached route", async () => {
    const known = await Promise.all(
      Array.from({ length: 3 }, async () => {
        const host = uniqueHost("kept");
        await redis.set(host, stack.apps.app.address);
        return host;
      }),
    );
    for (const host of known) expect((await send(stack.router.url, { host })).status).toBe(200);

    for (let round = 0; round < 10; round++) {
      const unknown = Array.from({ length: 10 }, () => uniqueHost("flood"));
      const replies = await Promise.all(unknown.map((host) => send(stack.router.url, { host })));
      expect(replies.map((reply) => reply.status)).toEqual(unknown.map(() => 403));
    }
    // Still cached: served from memory, the store not asked again.
    for (const host of known) {
      const reply = await send(stack.router.url, { host });
      expect([reply.status, reply.headers["server-timing"]]).toEqual([200, expect.stringMatching(/^route;desc=hit;/)]);
      expect(stack.bridge.readsOf(host)).toBe(1);
    }
  });

  it("the miss set is bounded by itself: an unknown host pushed out is looked up again", async () => {
    const first = uniqueHost("pushed-out");
    expect((await send(stack.router.url, { host: first })).status).toBe(403);
    for (let i = 0; i < 5; i++) await send(stack.router.url, { host: uniqueHost("filler") });
    expect((await send(stack.router.url, { host: first })).status).toBe(403);
    expect(stack.bridge.readsOf(first)).toBe(2);
  });
});
