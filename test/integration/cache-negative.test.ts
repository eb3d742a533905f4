import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOwnStack, type OwnStack } from "../support/bridges.ts";
import { send } from "../support/http.ts";
import { routesClient, uniqueHost } from "../support/stack.ts";
import { sleep } from "../support/wait.ts";

const NEGATIVE_TTL_MS = 400;

const redis = routesClient();
let stack: OwnStack<"app">;

beforeAll(async () => {
  stack = await startOwnStack({ SERVER_TIMING: "true", ROUTE_CACHE_NEGATIVE_TTL_MS: String(NEGATIVE_TTL_MS) }, ["app"]);
});
afterAll(() => stack.close());

describe("route cache: negative caching", () => {
  it("remembers a host with no route: one lookup, then 403s from memory", async () => {
    const host = uniqueHost("none");
    const first = await send(stack.router.url, { host });
    expect(first.status).toBe(403);
    expect(first.headers["server-timing"]).toMatch(/^route;desc=miss;dur=/);
    for (let i = 0; i < 5; i++) {
      const reply = await send(stack.router.url, { host });
      expect(reply.status).toBe(403);
      expect(reply.headers["server-timing"]).toMatch(/^route;desc=hit;dur=/);
    }
    expect(stack.bridge.readsOf(host)).toBe(1);
  });

  it("serves a newly created route once the negative TTL has passed", async () => {
    const host = uniqueHost("created");
    expect((await send(stack.router.url, { host })).status).toBe(403);
    const createdAt = Date.now();
    await redis.set(host, stack.apps.app.address);
    await sleep(NEGATIVE_TTL_MS + 20 - (Date.now() - createdAt));
    expect((await send(stack.router.url, { host })).status).toBe(200);
    expect(stack.bridge.readsOf(host)).toBe(2);
  });

  it("remembers an invalid value for the negative TTL too, then sees the fix", async () => {
    const host = uniqueHost("invalid");
    await redis.set(host, "ftp://not-a-proxy-target:21");
    for (let i = 0; i < 3; i++) expect((await send(stack.router.url, { host })).status).toBe(502);
    expect(stack.bridge.readsOf(host)).toBe(1);
    const fixedAt = Date.now();
    await redis.set(host, stack.apps.app.address);
    await sleep(NEGATIVE_TTL_MS + 20 - (Date.now() - fixedAt));
    expect((await send(stack.router.url, { host })).status).toBe(200);
  });
});
