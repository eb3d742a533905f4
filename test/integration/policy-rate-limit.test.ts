import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { startOwnBridge, type OwnBridge } from "../support/bridges.ts";
import { send, type Reply } from "../support/http.ts";
import { routedHost, startRouter, type RouterUnderTest } from "../support/stack.ts";
import { startPrivateStore, type PrivateStore } from "../support/store.ts";

/** Two isolates (two workerd processes) counting through one Redis, each through a bridge of its own. */
let isolateA: RouterUnderTest;
let isolateB: RouterUnderTest;
let bridgeA: OwnBridge;
let bridgeB: OwnBridge;
let app: RunningDemoApp;
const LIMIT = { average: 5, period: "10s", burst: 5 };

beforeAll(async () => {
  [bridgeA, bridgeB, app] = await Promise.all([startOwnBridge(), startOwnBridge(), startDemoApp({ name: "limited" })]);
  [isolateA, isolateB] = await Promise.all([startRouter(bridgeA.bindings), startRouter(bridgeB.bindings)]);
});
afterAll(async () => {
  await Promise.all([isolateA.dispose(), isolateB.dispose(), bridgeA.close(), bridgeB.close(), app.close()]);
});

describe("rateLimit", () => {
  it("12 quick requests with average 5 / period 10s / burst 5: the first 5 pass, the rest 429 with Retry-After, counted across two isolates", async () => {
    const host = await routedHost("limit", JSON.stringify({ backends: app.address, rateLimit: LIMIT }));
    const replies: Reply[] = [];
    for (let i = 0; i < 12; i++) replies.push(await send(i % 2 === 0 ? isolateA.url : isolateB.url, { host }));
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    // One token comes back every 2 s: at most one more request passes in the time 12 take.
    expect(statuses.slice(5).filter((status) => status === 429).length).toBeGreaterThanOrEqual(6);
    for (const reply of replies.filter((r) => r.status === 429)) {
      expect(Number(reply.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      expect(Number(reply.headers["retry-after"])).toBeLessThanOrEqual(2);
      expect(reply.headers["ratelimit-limit"]).toBe("5");
      expect(reply.headers["ratelimit-remaining"]).toBe("0");
      expect(reply.text).toContain("429 Too Many Requests");
    }
    // Both isolates refused some: the count is shared, not per isolate (each alone would let 5 through).
    expect(replies.filter((r, i) => i % 2 === 0 && r.status === 429).length).toBeGreaterThan(0);
    expect(replies.filter((r, i) => i % 2 === 1 && r.status === 429).length).toBeGreaterThan(0);
  });

  it("costs one EVALSHA per counted request, and none for a client the isolate already saw refused", async () => {
    const host = await routedHost(
      "limitcost",
      JSON.stringify({ backends: app.address, rateLimit: { average: 1, period: "1m", burst: 2 } }),
    );
    await send(isolateA.url, { host }); // the route lookup, and the script's first run
    const before = { ...bridgeA.stats.commandNames };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await send(isolateA.url, { host })).status);
    expect(statuses).toEqual([200, 429, 429, 429, 429, 429]);
    const ran = (name: string) => (bridgeA.stats.commandNames[name] ?? 0) - (before[name] ?? 0);
    // The pass and the first refusal reach Redis; the four refusals after it are answered from memory.
    expect(ran("EVALSHA") + ran("EVAL")).toBe(2);
  });

  it("counts the addresses of one IPv6 /64 as one client (RATE_LIMIT_IPV6_PREFIX, 64 by default); another /64 has its own bucket", async () => {
    const host = await routedHost(
      "limitv6",
      JSON.stringify({ backends: app.address, rateLimit: { average: 1, period: "1m", burst: 2 } }),
    );
    // CLIENT_ADDRESS is cf-connecting-ip here: the header names the client, as the edge would.
    const from = async (address: string) =>
      (await send(isolateA.url, { host, headers: { "cf-connecting-ip": address } })).status;
    const statuses: number[] = [];
    for (let i = 1; i <= 6; i++) statuses.push(await from(`2001:db8:5:6::${i.toString(16)}`));
    expect(statuses).toEqual([200, 200, 429, 429, 429, 429]);
    expect(await from("2001:db8:5:7::1")).toBe(200);
  });

  it("counts each path rule apart", async () => {
    const host = await routedHost(
      "limitpaths",
      JSON.stringify({
        backends: app.address,
        rateLimit: { average: 1, period: "1m" },
        paths: { "/api": { backends: app.address } },
      }),
    );
    expect((await send(isolateA.url, { host, path: "/" })).status).toBe(200);
    expect((await send(isolateA.url, { host, path: "/" })).status).toBe(429);
    expect((await send(isolateA.url, { host, path: "/api" })).status).toBe(200);
  });
});

describe("rateLimit when the store fails", () => {
  let store: PrivateStore;
  let router: RouterUnderTest;
  beforeAll(async () => {
    store = await startPrivateStore();
    router = await startRouter({ ...store.bindings, ROUTE_CACHE_TTL_MS: "60000", LOOKUP_TIMEOUT_MS: "500" });
  });
  afterAll(async () => {
    await Promise.all([router.dispose(), store.close()]);
  });

  it("counts in the isolate's own bucket with the same numbers instead of letting everything through, and logs it once per interval", async () => {
    await store.client.set(
      "failopen.test.example",
      JSON.stringify({ backends: app.address, rateLimit: { average: 1, period: "1m", burst: 2 } }),
    );
    expect((await send(router.url, { host: "failopen.test.example" })).status).toBe(200);
    await store.kill();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await send(router.url, { host: "failopen.test.example" })).status);
    // The isolate's bucket starts full (burst 2): two pass, then 429 as the shared count would say.
    expect(statuses).toEqual([200, 200, 429, 429, 429, 429]);
    const lines = router.logs.filter((line) => line.includes("rate limit store failing"));
    expect(lines.length).toBe(1);
    expect(lines[0]).toContain("counting in this isolate");
  });
});
