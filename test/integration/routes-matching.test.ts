import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startBridge, type RunningBridge } from "../../scripts/bridge/server.ts";
import { startDemoApp, type EchoReply, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { lookupKeys, type LookupOptions } from "../../src/lookup/lookup.ts";
import { hostPatterns } from "../../src/lookup/patterns.ts";
import { send } from "../support/http.ts";
import { routesClient, startRouter, uniqueHost, uniquePrefix, type RouterUnderTest } from "../support/stack.ts";

// Wildcard and catch-all keys would route other files' hosts: this router
// reads only keys under its own prefix, through a bridge of its own whose
// stats count what the router sends.
const TOKEN = "routes-matching-token";
const PREFIX = uniquePrefix("match");
const redis = routesClient();
let bridge: RunningBridge;
let router: RouterUnderTest;
/** HIPACHE_ROUTES=false, and that plus SHARED_DOWN_MARKS=true: the cheapest lookups. */
let stringsOnly: RouterUnderTest;
let stringsOnlyShared: RouterUnderTest;
const apps: Record<string, RunningDemoApp> = {};

beforeAll(async () => {
  bridge = await startBridge({ redisPort: inject("redisPort"), token: TOKEN });
  const names = ["exact", "wild", "deep", "catchall", "hipache"];
  // Cache off: every request is one lookup, counted at the bridge.
  const own = {
    UPSTASH_REDIS_REST_URL: bridge.url,
    UPSTASH_REDIS_REST_TOKEN: TOKEN,
    ROUTE_KEY_PREFIX: PREFIX,
    ROUTE_CACHE_SIZE: "0",
  };
  const started = await Promise.all([
    startRouter({ ...own, HIPACHE_ROUTES: "true" }),
    startRouter({ ...own, HIPACHE_ROUTES: "false" }),
    startRouter({ ...own, HIPACHE_ROUTES: "false", SHARED_DOWN_MARKS: "true" }),
    ...names.map((name) => startDemoApp({ name })),
  ]);
  [router, stringsOnly, stringsOnlyShared] = started.slice(0, 3) as [RouterUnderTest, RouterUnderTest, RouterUnderTest];
  for (const app of started.slice(3) as RunningDemoApp[]) apps[app.name] = app;
});
afterAll(async () => {
  await Promise.all([
    ...[router, stringsOnly, stringsOnlyShared].map((r) => r.dispose()),
    bridge.close(),
    ...Object.values(apps).map((app) => app.close()),
  ]);
});

const lookup: LookupOptions = {
  keyPrefix: PREFIX,
  hipacheRoutes: true,
  sharedDownMarks: false,
  noRouteStatus: 403,
  backendDownMs: 30_000,
};

const address = (name: string) => apps[name]?.address ?? "";
async function routeOf(host: string): Promise<string | number> {
  const reply = await send(router.url, { host, path: "/echo" });
  return reply.status === 200 ? reply.json<EchoReply>().app : reply.status;
}

describe("matching order", () => {
  it("tries the exact host before any wildcard", async () => {
    const domain = uniqueHost("m");
    await redis.set(`${PREFIX}app.${domain}`, address("exact"));
    await redis.set(`${PREFIX}*.${domain}`, address("wild"));
    expect(await routeOf(`app.${domain}`)).toBe("exact");
    expect(await routeOf(`other.${domain}`)).toBe("wild");
  });

  it("matches subdomains at any depth, most specific wildcard first, never the apex", async () => {
    const domain = uniqueHost("m");
    await redis.set(`${PREFIX}*.${domain}`, address("wild"));
    await redis.set(`${PREFIX}*.b.${domain}`, address("deep"));
    expect(await routeOf(`x.b.${domain}`)).toBe("deep");
    expect(await routeOf(`y.x.b.${domain}`)).toBe("deep");
    expect(await routeOf(`b.${domain}`)).toBe("wild");
    expect(await routeOf(`a.b.c.d.e.f.${domain}`)).toBe("wild");
    expect(await routeOf(domain)).toBe(403);
  });

  it("falls back to the catch-all key * last", async () => {
    const domain = uniqueHost("m");
    await redis.set(`${PREFIX}*.${domain}`, address("wild"));
    await redis.set(`${PREFIX}*`, address("catchall"));
    try {
      expect(await routeOf(`x.${domain}`)).toBe("wild");
      expect(await routeOf(domain)).toBe("catchall");
      expect(await routeOf("localhost")).toBe("catchall");
      expect(await routeOf("10.1.2.3")).toBe("catchall");
    } finally {
      await redis.del(`${PREFIX}*`);
    }
    expect(await routeOf("localhost")).toBe(403);
  });

  it("reads Hipache lists at every level; a string key wins over a list for the same name", async () => {
    const domain = uniqueHost("m");
    await redis.rpush(`${PREFIX}frontend:*.${domain}`, "wild-site", `http://${address("hipache")}`);
    await redis.set(`${PREFIX}both.${domain}`, address("exact"));
    await redis.rpush(`${PREFIX}frontend:both.${domain}`, "both-site", `http://${address("hipache")}`);
    expect(await routeOf(`x.y.${domain}`)).toBe("hipache");
    expect(await routeOf(`both.${domain}`)).toBe("exact");
  });

  it("lets the most specific existing key decide, even when it is invalid", async () => {
    const domain = uniqueHost("m");
    await redis.set(`${PREFIX}*.${domain}`, address("wild"));
    await redis.set(`${PREFIX}bad.${domain}`, "ftp://nope");
    await redis.set(`${PREFIX}*.list.${domain}`, address("deep"));
    await redis.set(`${PREFIX}frontend:*.list.${domain}`, "a string, not a list");
    expect(await routeOf(`bad.${domain}`)).toBe(502);
    expect(await routeOf(`x.bad.${domain}`)).toBe("wild");
    // The string key comes before the wrong-typed list of the same name.
    expect(await routeOf(`x.list.${domain}`)).toBe("deep");
  });

  it("reads every key kind under ROUTE_KEY_PREFIX, and nothing outside it", async () => {
    const host = uniqueHost("unprefixed");
    await redis.set(host, address("exact"));
    await redis.rpush(`frontend:${host}`, "site", `http://${address("exact")}`);
    expect(await routeOf(host)).toBe(403);
    await redis.rpush(`${PREFIX}frontend:${host}`, "site", `http://${address("hipache")}`);
    expect(await routeOf(host)).toBe("hipache");
  });
});

describe("one round trip per lookup", () => {
  const hosts = (domain: string) => [
    domain,
    `a.${domain}`,
    `a.b.c.d.e.f.g.h.i.j.${domain}`,
    "localhost",
    "10.9.8.7",
    "[::1]",
    `${"x.".repeat(60)}${domain}`,
  ];

  it("fetches every candidate key in one pipeline request, whatever the depth: one MGET plus one LRANGE per pattern", async () => {
    const domain = uniqueHost("rt");
    await redis.set(`${PREFIX}*.${domain}`, address("wild"));
    for (const host of hosts(domain)) {
      bridge.resetStats();
      const status = (await send(router.url, { host })).status;
      expect(status === 200 || status === 403).toBe(true);
      expect(bridge.stats.requests).toBe(1);
      expect(bridge.stats.byPath).toEqual({ "/pipeline": 1 });
      expect(bridge.stats.keysRead).toEqual(lookupKeys(host, lookup));
      // Upstash bills per command: was 2 per pattern (a GET and an LRANGE each).
      const patterns = hostPatterns(host).length;
      expect(bridge.stats.commandNames).toEqual({ MGET: 1, LRANGE: patterns });
      expect(bridge.stats.commands).toBe(1 + patterns);
    }
  });

  it("costs one command with HIPACHE_ROUTES=false, two with SHARED_DOWN_MARKS too", async () => {
    const domain = uniqueHost("cheap");
    await redis.set(`${PREFIX}*.${domain}`, address("wild"));
    for (const host of hosts(domain)) {
      bridge.resetStats();
      expect([200, 403]).toContain((await send(stringsOnly.url, { host })).status);
      expect([bridge.stats.requests, bridge.stats.commands, bridge.stats.commandNames]).toEqual([1, 1, { MGET: 1 }]);
      expect(bridge.stats.keysRead).toEqual(hostPatterns(host).map((pattern) => PREFIX + pattern));

      bridge.resetStats();
      expect([200, 403]).toContain((await send(stringsOnlyShared.url, { host })).status);
      expect([bridge.stats.requests, bridge.stats.commands, bridge.stats.commandNames]).toEqual([
        1,
        2,
        { MGET: 1, SUNION: 1 },
      ]);
    }
    expect(await routeOf(`x.${domain}`)).toBe("wild");
  });

  it("ignores Hipache lists with HIPACHE_ROUTES=false", async () => {
    const host = uniqueHost("nohipache");
    await redis.rpush(`${PREFIX}frontend:${host}`, "site", `http://${address("hipache")}`);
    expect(await routeOf(host)).toBe("hipache");
    expect((await send(stringsOnly.url, { host })).status).toBe(403);
  });
});
