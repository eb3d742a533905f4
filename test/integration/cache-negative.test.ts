import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { startOwnBridge, type OwnBridge } from "../support/bridges.ts";
import { send } from "../support/http.ts";
import { routesClient, startRouter, uniqueHost, type RouterUnderTest } from "../support/stack.ts";
import { sleep } from "../support/wait.ts";

const NEGATIVE_TTL_MS = 400;

const redis = routesClient();
let bridge: OwnBridge;
let router: RouterUnderTest;
let app: RunningDemoApp;

beforeAll(async () => {
  bridge = await startOwnBridge();
  [router, app] = await Promise.all([
    startRouter({ ...bridge.bindings, SERVER_TIMING: "true", ROUTE_CACHE_NEGATIVE_TTL_MS: String(NEGATIVE_TTL_MS) }),
    startDemoApp({ name: "app" }),
  ]);
});
afterAll(async () => {
  await Promise.all([router.dispose(), app.close()]);
  await bridge.close();
});

describe("route cache: negative caching", () => {
  it("remembers a host with no route: one lookup, then 403s from memory", async () => {
    const host = uniqueHost("none");
    const first = await send(router.url, { host });
    expect(first.status).toBe(403);
    expect(first.headers["server-timing"]).toMatch(/^route;desc=miss;dur=/);
    for (let i = 0; i < 5; i++) {
      const reply = await send(router.url, { host });
      expect(reply.status).toBe(403);
      expect(reply.headers["server-timing"]).toMatch(/^route;desc=hit;dur=/);
    }
    expect(bridge.readsOf(host)).toBe(1);
  });

  it("serves a newly created route once the negative TTL has passed", async () => {
    const host = uniqueHost("created");
    expect((await send(router.url, { host })).status).toBe(403);
    const createdAt = Date.now();
    await redis.set(host, app.address);
    await sleep(NEGATIVE_TTL_MS + 20 - (Date.now() - createdAt));
    expect((await send(router.url, { host })).status).toBe(200);
    expect(bridge.readsOf(host)).toBe(2);
  });

  it("remembers an invalid value for the negative TTL too, then sees the fix", async () => {
    const host = uniqueHost("invalid");
    await redis.set(host, "ftp://not-a-proxy-target:21");
    for (let i = 0; i < 3; i++) expect((await send(router.url, { host })).status).toBe(502);
    expect(bridge.readsOf(host)).toBe(1);
    const fixedAt = Date.now();
    await redis.set(host, app.address);
    await sleep(NEGATIVE_TTL_MS + 20 - (Date.now() - fixedAt));
    expect((await send(router.url, { host })).status).toBe(200);
  });
});
