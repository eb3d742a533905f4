import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startBridge, type RunningBridge } from "../../scripts/bridge/server.ts";
import { startDemoApp, type EchoReply, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { deadKeys } from "../../src/lookup/dead-set.ts";
import { send } from "../support/http.ts";
import { routesClient, startRouter, uniqueHost, type RouterUnderTest } from "../support/stack.ts";
import { startResettingBackend, startSilentBackend, type TestUpstream } from "../support/upstream.ts";
import { eventually, sleep } from "../support/wait.ts";

const redis = routesClient();
const TOKEN = "routes-failover-token";
let router: RouterUnderTest;
/** Two isolates that share down marks through Redis; B has short marks and a bridge of its own. */
let sharedA: RouterUnderTest;
let sharedB: RouterUnderTest;
let bridgeB: RunningBridge;
let live: RunningDemoApp;
const failing: TestUpstream[] = [];

beforeAll(async () => {
  bridgeB = await startBridge({ redisPort: inject("redisPort"), token: TOKEN });
  [router, sharedA, sharedB, live] = await Promise.all([
    startRouter({ HIPACHE_ROUTES: "true" }),
    startRouter({ HIPACHE_ROUTES: "true", SHARED_DOWN_MARKS: "true" }),
    startRouter({
      HIPACHE_ROUTES: "true",
      SHARED_DOWN_MARKS: "true",
      BACKEND_DOWN_MS: "300",
      UPSTASH_REDIS_REST_URL: bridgeB.url,
      UPSTASH_REDIS_REST_TOKEN: TOKEN,
    }),
    startDemoApp({ name: "live" }),
  ]);
});
afterAll(async () => {
  await Promise.all([
    router.dispose(),
    sharedA.dispose(),
    sharedB.dispose(),
    bridgeB.close(),
    live.close(),
    ...failing.map((backend) => backend.close()),
  ]);
});

async function dead(): Promise<TestUpstream> {
  const backend = await startResettingBackend();
  failing.push(backend);
  return backend;
}
async function route(host: string, value: unknown): Promise<void> {
  await redis.set(host, JSON.stringify(value));
}

describe("failover", () => {
  it("with two backends of which one is dead, a stream of GET requests sees zero failures", async () => {
    const [down, host] = [await dead(), uniqueHost("stream")];
    await route(host, { backends: [down.address, live.address] });
    const before = live.requests;
    const statuses: number[] = [];
    for (let batch = 0; batch < 8; batch++) {
      const replies = await Promise.all(Array.from({ length: 5 }, () => send(router.url, { host, path: "/echo" })));
      statuses.push(...replies.map((reply) => reply.status));
    }
    expect(statuses).toEqual(Array.from({ length: 40 }, () => 200));
    expect(live.requests - before).toBe(40);
    // Tried, then skipped: at most the requests in flight when it first failed.
    expect(down.connections).toBeGreaterThanOrEqual(1);
    expect(down.connections).toBeLessThanOrEqual(5);
    expect(router.logs.join("\n")).toMatch(
      /backend http:\/\/127\.0\.0\.1:\d+ of .* failed \(upstream_unreachable: .*\); marked down for 30000 ms; trying the next backend/,
    );
  });

  it("answers 502 when every backend is dead", async () => {
    const [a, b, host] = [await dead(), await dead(), uniqueHost("alldead")];
    await route(host, { backends: [a.address, b.address] });
    for (let i = 0; i < 3; i++) {
      const reply = await send(router.url, { host });
      expect(reply.status).toBe(502);
      expect(reply.text).toContain("could not be reached");
    }
    // Marks never make a route unreachable by themselves: both are still tried.
    expect([a.connections, b.connections]).toEqual([3, 3]);
  });

  it("marks a backend that times out and moves on", async () => {
    const silent = await startSilentBackend();
    failing.push(silent);
    const host = uniqueHost("slow");
    await route(host, { backends: [silent.address, live.address], strategy: "round-robin", timeout: 0.3 });
    const apps: string[] = [];
    for (let i = 0; i < 4; i++) apps.push((await send(router.url, { host, path: "/echo" })).json<EchoReply>().app);
    expect(apps).toEqual(["live", "live", "live", "live"]);
    expect(silent.connections).toBe(1);
  });

  it("replays a small PUT body on the next backend", async () => {
    const [down, host] = [await dead(), uniqueHost("put")];
    await route(host, { backends: [down.address, live.address], strategy: "round-robin" });
    const body = "replayed body ".repeat(100);
    const reply = await send(router.url, { host, method: "PUT", path: "/echo", body });
    expect(reply.status).toBe(200);
    expect(reply.json<EchoReply>()).toMatchObject({
      method: "PUT",
      bodyLength: body.length,
      bodySha256: createHash("sha256").update(body).digest("hex"),
    });
    expect(down.connections).toBe(1);
  });

  it("does not retry a POST, but steers the next ones away from the marked backend", async () => {
    const [down, host] = [await dead(), uniqueHost("post")];
    await route(host, { backends: [down.address, live.address], strategy: "round-robin" });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(router.url, { host, method: "POST", body: "x" })).status);
    expect(statuses).toEqual([502, 200, 200, 200]);
    expect(down.connections).toBe(1);
  });

  it("does not retry a body too large to keep for a replay", async () => {
    const [down, host] = [await dead(), uniqueHost("bigput")];
    await route(host, { backends: [down.address, live.address], strategy: "round-robin" });
    const reply = await send(router.url, { host, method: "PUT", body: Buffer.alloc(100 * 1024, 97) });
    expect(reply.status).toBe(502);
  });
});

describe("shared down marks (SHARED_DOWN_MARKS)", () => {
  it("one isolate's mark reaches another through Hipache's dead:<host> set, in the same lookup round trip", async () => {
    const [down, host] = [await dead(), uniqueHost("shared")];
    await route(host, { backends: [down.address, live.address], strategy: "round-robin" });
    expect((await send(sharedA.url, { host })).status).toBe(200);
    expect(down.connections).toBe(1);
    const origin = `http://${down.address}`;
    await eventually(async () => (await redis.smembers(`dead:${host}`)).includes(origin));
    const ttl = await redis.pttl(`dead:${host}`);
    expect(ttl).toBeGreaterThan(25_000);
    expect(ttl).toBeLessThanOrEqual(30_000);

    bridgeB.resetStats();
    // B's round robin starts with the dead backend; the shared mark makes it skip it.
    expect((await send(sharedB.url, { host, path: "/echo" })).json<EchoReply>().app).toBe("live");
    expect(down.connections).toBe(1);
    expect(bridgeB.stats.requests).toBe(1);
    // One SUNION over the dead sets of every pattern that may route the host.
    const deadSets = deadKeys(host, "");
    expect(bridgeB.stats.keysRead.slice(-deadSets.length)).toEqual(deadSets);
    expect(bridgeB.stats.commandNames["SUNION"]).toBe(1);
  });

  it("keys marks by the route's pattern: every subdomain of a wildcard shares them, none creates a key", async () => {
    const [down, domain] = [await dead(), uniqueHost("wildmark")];
    await route(`*.${domain}`, { backends: [down.address, live.address], strategy: "round-robin" });
    expect((await send(sharedA.url, { host: `a.${domain}` })).status).toBe(200);
    expect(down.connections).toBe(1);
    const origin = `http://${down.address}`;
    await eventually(async () => (await redis.smembers(`dead:*.${domain}`)).includes(origin));
    expect(await redis.exists(`dead:a.${domain}`)).toBe(0);
    // Another isolate, another subdomain: the mark applies there too.
    for (const sub of ["b", "c.d", "e"]) {
      expect((await send(sharedB.url, { host: `${sub}.${domain}`, path: "/echo" })).json<EchoReply>().app).toBe("live");
    }
    expect(down.connections).toBe(1);
    expect(await redis.exists(`dead:b.${domain}`, `dead:c.d.${domain}`, `dead:e.${domain}`)).toBe(0);
  });

  it("removes a backend from the set when it answers again (SREM), in both member spellings", async () => {
    const [host, hipache] = [uniqueHost("recovered"), uniqueHost("hiprecovered")];
    const origin = `http://${live.address}`;
    // Marks another isolate wrote while the backend was down; it is up now.
    await route(host, { backends: [live.address, `localhost:${live.port}`] });
    await redis.sadd(`dead:${host}`, origin, `http://localhost:${live.port}`);
    await redis.pexpire(`dead:${host}`, 30_000);
    await redis.rpush(`frontend:${hipache}`, "site", origin, `http://localhost:${live.port}`);
    await redis.sadd(`dead:${hipache}`, "0", "1");
    await redis.pexpire(`dead:${hipache}`, 30_000);
    // Every backend is marked, so one is tried anyway; it answers and its marks go.
    const answered = async (on: string) =>
      (await send(sharedA.url, { host: on, path: "/echo", headers: { "x-probe": "1" } })).status;
    expect(await answered(host)).toBe(200);
    expect(await answered(hipache)).toBe(200);
    await eventually(async () => (await redis.scard(`dead:${host}`)) === 1);
    await eventually(async () => (await redis.scard(`dead:${hipache}`)) === 1);
  });

  it("does not extend the marks already in a set when it adds one (PEXPIRE NX)", async () => {
    const [down, host] = [await dead(), uniqueHost("nx")];
    await route(host, { backends: [down.address, live.address], strategy: "round-robin" });
    await redis.sadd(`dead:${host}`, "http://10.255.0.1:80");
    await redis.pexpire(`dead:${host}`, 5000);
    expect((await send(sharedA.url, { host })).status).toBe(200);
    await eventually(async () => (await redis.smembers(`dead:${host}`)).includes(`http://${down.address}`));
    expect(await redis.pttl(`dead:${host}`)).toBeLessThanOrEqual(5000);
  });

  it("honours marks a Hipache instance wrote (the backend's index) and writes them the same way", async () => {
    const [down, host] = [await dead(), uniqueHost("hipdead")];
    await redis.rpush(`frontend:${host}`, "site", `http://${down.address}`, `http://${live.address}`);
    await redis.sadd(`dead:${host}`, "0");
    await redis.expire(`dead:${host}`, 30);
    for (let i = 0; i < 10; i++) expect((await send(sharedA.url, { host })).status).toBe(200);
    expect(down.connections).toBe(0);

    const [down2, host2] = [await dead(), uniqueHost("hipmark")];
    await redis.rpush(`frontend:${host2}`, "site", `http://${live.address}`, `http://${down2.address}`);
    for (let i = 0; i < 40 && down2.connections === 0; i++) await send(sharedA.url, { host: host2 });
    expect(down2.connections).toBe(1);
    await eventually(async () => (await redis.smembers(`dead:${host2}`)).includes("1"));
  });

  it("forgets a mark after BACKEND_DOWN_MS", async () => {
    const [down, host] = [await dead(), uniqueHost("expire")];
    await route(host, { backends: [down.address, live.address], strategy: "round-robin" });
    const get = async () => (await send(sharedB.url, { host })).status;
    expect([await get(), await get(), await get()]).toEqual([200, 200, 200]);
    expect(down.connections).toBe(1);
    await sleep(350);
    expect([await get(), await get()]).toEqual([200, 200]);
    expect(down.connections).toBe(2);
  });
});
