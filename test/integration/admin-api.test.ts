import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { hashPassword } from "../../src/lib/password-hash.ts";
import { send } from "../support/http.ts";
import { bearer, startAdminRouter, type AdminUnderTest } from "../support/admin.ts";
import { routesClient } from "../support/stack.ts";

const redis = routesClient();
let admin: AdminUnderTest;
let app1: RunningDemoApp;
let app2: RunningDemoApp;

interface RoutesJson {
  routes: {
    host: string;
    key: string;
    kind: string;
    ttl: number | null;
    problem: string | null;
    backends: { path: string; backends: { url: string; weight: number }[] }[];
    fields: Record<string, unknown>;
    managedBy: string[] | null;
  }[];
  next: string | null;
  commands: number;
}

const api = <T>(path: string) =>
  send(admin.router.url, { host: admin.host, path, headers: bearer(admin.token) }).then((reply) => {
    if (reply.status !== 200) throw new Error(`${path}: ${reply.status} ${reply.text}`);
    return reply.json<T>();
  });

beforeAll(async () => {
  [admin, app1, app2] = await Promise.all([
    startAdminRouter("api", { FLEET_STATS_INTERVAL_MS: "60000" }),
    startDemoApp({ name: "app1" }),
    startDemoApp({ name: "app2" }),
  ]);
  const p = admin.prefix;
  await redis.set(`${p}p5001.localhost`, app1.address);
  await redis.set(`${p}p5002.localhost`, app2.address, { ex: 3600 });
  await redis.set(`${p}broken.localhost`, "ftp://10.0.0.1");
  await redis.set(
    `${p}weighted.localhost`,
    JSON.stringify({ backends: [app1.address, app1.address, app2.address], strategy: "round-robin" }),
  );
  await redis.set(
    `${p}nine-to-one.localhost`,
    JSON.stringify({
      backends: [
        { url: app1.address, weight: 9 },
        { url: app2.address, weight: 1 },
      ],
    }),
  );
  await redis.rpush(`${p}frontend:hip.localhost`, "hip", `http://${app2.address}`);
  await redis.set(`${p}*.wild.localhost`, app2.address);
  // What the container agent (npm run docker) writes: the route, and its mark naming the agents and the value.
  const agentRoute = JSON.stringify({ backends: [app1.address, app2.address] });
  await redis.set(`${p}docker.localhost`, agentRoute);
  await redis.hset(`${p}docker:routes`, {
    "docker.localhost": `host-a,host-b\n${agentRoute}`,
    // A mark whose value is not the route's any more: edited by hand since, so no agent's.
    "p5001.localhost": `host-a\n${JSON.stringify({ backends: [app2.address] })}`,
  });
  // A route under the dashboard's own name: it must never be used.
  await redis.set(`${p}${admin.host}`, app1.address);
  await redis.sadd(`${p}dead:p5002.localhost`, `http://${app2.address}`);
  await redis.pexpire(`${p}dead:p5002.localhost`, 60_000);
});
afterAll(async () => {
  await Promise.all([admin.router.dispose(), app1.close(), app2.close()]);
});

describe("dashboard API", () => {
  it("lists route keys as JSON, parsed by the router's parser, invalid ones with the reason", async () => {
    const { routes } = await api<RoutesJson>("/api/routes");
    const byHost = new Map(routes.map((route) => [route.host, route]));
    expect(byHost.get("p5001.localhost")).toMatchObject({
      kind: "upstream",
      ttl: null,
      problem: null,
      backends: [{ path: "", backends: [{ url: `http://${app1.address}`, weight: 1 }] }],
    });
    expect(byHost.get("p5002.localhost")?.ttl).toBeGreaterThan(3500);
    expect(byHost.get("broken.localhost")).toMatchObject({ kind: "invalid", backends: [] });
    expect(byHost.get("broken.localhost")?.problem).toContain('unsupported scheme "ftp"');
    expect(byHost.get("weighted.localhost")?.backends[0]?.backends).toEqual([
      { url: `http://${app1.address}`, weight: 2 },
      { url: `http://${app2.address}`, weight: 1 },
    ]);
    expect(JSON.stringify(byHost.get("weighted.localhost"))).toContain("round-robin");
    expect(byHost.get("nine-to-one.localhost")?.backends[0]?.backends).toEqual([
      { url: `http://${app1.address}`, weight: 9 },
      { url: `http://${app2.address}`, weight: 1 },
    ]);
    expect(byHost.get("hip.localhost")).toMatchObject({ kind: "hipache", fields: { identifier: "hip" } });
    expect(byHost.get("*.wild.localhost")?.kind).toBe("upstream");
    expect([...byHost.keys()].some((host) => host.startsWith("dead:"))).toBe(false);
    expect(byHost.get("docker.localhost")?.managedBy).toEqual(["host-a", "host-b"]);
    expect(byHost.get("p5001.localhost")?.managedBy).toBeNull();
    expect([...byHost.keys()].some((host) => host.startsWith("docker:"))).toBe(false);
  });

  it("never shows a password hash or a header value: names stay, values become •••, in /api, the pages and the tester", async () => {
    const p = admin.prefix;
    const hash = await hashPassword("wonderland", 10_000);
    const secrets = [hash, "Bearer upstream-secret-1", "key-secret-2", "cookie-secret-3"];
    await redis.set(
      `${p}secrets.localhost`,
      JSON.stringify({
        backends: app1.address,
        basicAuth: { users: [`alice:${hash}`] },
        requestHeaders: { Authorization: "Bearer upstream-secret-1", "X-Drop": null },
        responseHeaders: { "Set-Cookie": "cookie-secret-3" },
        paths: { "/api": { backends: app2.address, requestHeaders: { "X-Api-Key": "key-secret-2" } } },
      }),
    );
    // Invalid (an ftp backend), so the page shows the stored value itself.
    await redis.set(
      `${p}broken-secrets.localhost`,
      JSON.stringify({
        backends: "ftp://10.0.0.1",
        basicAuth: { users: [`alice:${hash}`] },
        requestHeaders: { "X-Api-Key": "key-secret-2" },
      }),
    );
    // Not JSON at all: the hash is still found.
    await redis.set(`${p}garbled-secrets.localhost`, `{"basicAuth": {"users": ["alice:${hash}"]`);
    const replies = await Promise.all(
      [
        "/api/routes?q=secrets",
        "/routes?q=secrets",
        "/api/test?host=secrets.localhost&path=/api/x",
        "/tester?host=secrets.localhost&path=/api/x",
      ].map((path) => send(admin.router.url, { host: admin.host, path, headers: bearer(admin.token) })),
    );
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      for (const secret of secrets) expect(reply.text).not.toContain(secret);
      expect(reply.text).not.toContain("pbkdf2");
    }
    const { routes } = replies[0]?.json<RoutesJson>() ?? { routes: [] };
    const shown = JSON.stringify(routes);
    expect(routes.map((route) => route.host).sort()).toEqual([
      "broken-secrets.localhost",
      "garbled-secrets.localhost",
      "secrets.localhost",
    ]);
    for (const name of ["alice", "authorization", "x-api-key", "set-cookie", "-x-drop", "•••"]) {
      expect(shown.toLowerCase()).toContain(name);
    }
    const page = (replies[1]?.text ?? "").toLowerCase();
    expect(page).toContain("alice");
    expect(page).toContain("authorization: •••");
  });

  it("never shows a header value of an invalid route: a string or a list instead of an object, broken JSON with } in a value", async () => {
    const p = admin.prefix;
    const values = {
      "as-string": JSON.stringify({ backends: app1.address, requestHeaders: "Authorization: Bearer leak-1" }),
      "as-pairs": JSON.stringify({ backends: app1.address, responseHeaders: [["Set-Cookie", "leak-2"]] }),
      "brace-inside": `{"backends":"${app1.address}","requestHeaders":{"X-Tag":"a}b","Authorization":"Bearer leak-3"}`,
      unterminated: `{"requestHeaders":{"Authorization":"Bearer leak-4`,
    };
    for (const [label, value] of Object.entries(values)) await redis.set(`${p}${label}.leaky.localhost`, value);
    const replies = await Promise.all(
      ["/api/routes?q=leaky", "/routes?q=leaky"].map((path) =>
        send(admin.router.url, { host: admin.host, path, headers: bearer(admin.token) }),
      ),
    );
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(reply.text).toContain("unterminated.leaky.localhost");
      expect(reply.text.match(/leak-\d/g)).toBeNull();
    }
    // Names outside the header fields, and header names, stay readable.
    expect(replies[0]?.text).toContain("X-Tag");
    expect(replies[0]?.text).toContain("backends");
  });

  it("filters by text and pages through many keys with SCAN", async () => {
    const filtered = await api<RoutesJson>("/api/routes?q=p5001");
    expect(filtered.routes.map((route) => route.host)).toEqual(["p5001.localhost"]);
    const many = Array.from({ length: 600 }, (_, i) => `page-${i}.localhost`);
    const pipeline = redis.pipeline();
    for (const host of many) pipeline.set(`${admin.prefix}${host}`, app1.address);
    await pipeline.exec();
    const seen = new Set<string>();
    let cursor: string | null = "0";
    let pages = 0;
    while (cursor !== null) {
      const page: RoutesJson = await api<RoutesJson>(`/api/routes?q=page-&cursor=${cursor}`);
      page.routes.forEach((route) => seen.add(route.host));
      expect(page.commands).toBeGreaterThan(0);
      cursor = page.next;
      pages++;
    }
    expect(pages).toBeGreaterThan(1);
    expect([...seen].sort()).toEqual([...many].sort());
  });

  it("refuses a cursor or filter that is not one, with 400", async () => {
    const reply = await send(admin.router.url, {
      host: admin.host,
      path: "/api/routes?cursor=abc",
      headers: { ...bearer(admin.token), accept: "application/json" },
    });
    expect(reply.status).toBe(400);
    expect(reply.json()).toMatchObject({ error: "invalid_input" });
  });

  it("tests a host: the keys read, the one that decided and the backend", async () => {
    const report = await api<Record<string, unknown>>("/api/test?host=P5001.localhost:8080&path=/a?b=1");
    expect(report).toMatchObject({
      host: "p5001.localhost",
      status: null,
      decided: `${admin.prefix}p5001.localhost`,
      why: "the exact host",
      backends: [
        {
          url: `http://${app1.address}`,
          sent: `http://${app1.address}/a?b=1`,
          down: null,
          via: "public",
        },
      ],
    });
    const wild = await api<{ why: string; candidates: { key: string; state: string }[] }>(
      "/api/test?host=x.wild.localhost",
    );
    expect(wild.why).toContain("the wildcard *.wild.localhost");
    expect(wild.candidates[0]).toMatchObject({ key: `${admin.prefix}x.wild.localhost`, state: "missing" });
    const marked = await api<{ backends: { down: string | null }[] }>("/api/test?host=p5002.localhost");
    expect(marked.backends[0]?.down).toBe("shared dead: set");
    const broken = await api<{ status: number; problem: string }>("/api/test?host=broken.localhost");
    expect(broken.status).toBe(502);
    expect(broken.problem).toContain("unsupported scheme");
    const none = await api<{ status: number }>("/api/test?host=nothing.localhost");
    expect(none.status).toBe(403);
  });

  it("refuses a host the router would refuse, with 400", async () => {
    const reply = await send(admin.router.url, {
      host: admin.host,
      path: "/api/test?host=a%40b.example",
      headers: bearer(admin.token),
    });
    expect(reply.status).toBe(400);
    expect(reply.text).toContain("Not a host as a client sends it");
  });

  it("reports the store as reachable and the shared dead: sets", async () => {
    const health = await api<{
      store: { reachable: boolean };
      deadSets: { key: string; members: string[]; ttl: number }[];
    }>("/api/health");
    expect(health.store.reachable).toBe(true);
    expect(health.deadSets).toEqual([
      { key: `${admin.prefix}dead:p5002.localhost`, members: [`http://${app2.address}`], ttl: expect.any(Number) },
    ]);
  });
});

describe("metrics and traffic", () => {
  it("counts routed requests by host and status class, in Prometheus text", async () => {
    for (let i = 0; i < 3; i++) expect((await send(admin.router.url, { host: "p5001.localhost" })).status).toBe(200);
    expect((await send(admin.router.url, { host: "nothing.localhost" })).status).toBe(403);
    const reply = await send(admin.router.url, { host: admin.host, path: "/metrics", headers: bearer(admin.token) });
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = reply.text;
    expect(text).toContain("# TYPE router_requests_total counter");
    expect(Number(/router_requests_total\{host="p5001.localhost",class="2xx"\} (\d+)/.exec(text)?.[1])).toBe(3);
    expect(text).toMatch(/router_requests_total\{host="_unrouted",class="4xx"\} [1-9]/);
    expect(text).toContain("# TYPE router_upstream_latency_seconds histogram");
    expect(text).toMatch(/router_upstream_latency_seconds_bucket\{le="\+Inf"\} [3-9]/);
    expect(text).toMatch(/router_route_cache_lookups_total\{outcome="miss"\} [1-9]/);
    expect(text).toMatch(/router_route_cache_entries [1-9]/);
    expect(text).toContain("router_store_errors_total 0");
    // The fleet's: every isolate's (here one), this isolate's own counts written with the scrape's read.
    expect(text).toContain("router_fleet_up 1");
    expect(Number(/router_fleet_requests_total\{host="p5001.localhost",class="2xx"\} (\d+)/.exec(text)?.[1])).toBe(3);
    expect(text).toContain("# TYPE router_fleet_upstream_latency_seconds histogram");
    // Every sample line is `name{labels} number`.
    for (const line of text
      .trim()
      .split("\n")
      .filter((l) => !l.startsWith("#"))) {
      expect(line).toMatch(/^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+$/);
    }
  });

  it("shows the same figures as JSON, labelled as this isolate's", async () => {
    const traffic = await api<{
      isolate: string;
      requests: { total: number };
      minutes: unknown[];
      cacheEntries: number;
    }>("/api/traffic");
    expect(traffic.isolate).toMatch(/^[0-9a-f]{8}$/);
    expect(traffic.requests.total).toBeGreaterThan(0);
    expect(traffic.minutes).toHaveLength(60);
    expect(traffic.cacheEntries).toBeGreaterThan(0);
  });

  it("labels a wildcard route's requests with its route key, never the names clients sent", async () => {
    for (const name of ["a", "b", "c"]) {
      expect((await send(admin.router.url, { host: `${name}.wild.localhost` })).status).toBe(200);
    }
    const text = (await send(admin.router.url, { host: admin.host, path: "/metrics", headers: bearer(admin.token) }))
      .text;
    expect(text).toContain('router_requests_total{host="*.wild.localhost",class="2xx"} 3');
    expect(text).toContain('router_fleet_requests_total{host="*.wild.localhost",class="2xx"} 3');
    expect(text).not.toContain("a.wild.localhost");
    const traffic = await api<{
      fleet: { problem: string | null; busiestHosts: { host: string; total: number }[]; lastHour: { total: number } };
    }>("/api/traffic");
    expect(traffic.fleet.problem).toBeNull();
    expect(traffic.fleet.busiestHosts).toContainEqual(expect.objectContaining({ host: "*.wild.localhost", total: 3 }));
    expect(traffic.fleet.lastHour.total).toBeGreaterThanOrEqual(7);
  });
});

describe("host isolation", () => {
  it("a Redis key named after ADMIN_HOST never takes the dashboard over", async () => {
    const reply = await send(admin.router.url, { host: admin.host.toUpperCase() + ".:443" });
    expect(reply.status).toBe(401);
    expect(reply.text).not.toContain("Hello world");
    const page = await send(admin.router.url, { host: admin.host, path: "/?q=p500", headers: bearer(admin.token) });
    expect(page.status).toBe(200);
    expect(page.text).toContain("p5001.localhost");
  });

  it("no other host reaches the dashboard: /metrics on a routed host is the app's", async () => {
    const reply = await send(admin.router.url, {
      host: "p5001.localhost",
      path: "/metrics",
      headers: bearer(admin.token),
    });
    expect(reply.status).toBe(200);
    expect(reply.text).toBe("Hello world! I am app1.\n");
    const subdomain = await send(admin.router.url, { host: `x.${admin.host}`, path: "/metrics" });
    expect(subdomain.text).not.toContain("router_requests_total");
  });

  it("answers 404 for a path the dashboard does not have", async () => {
    const reply = await send(admin.router.url, { host: admin.host, path: "/nope", headers: bearer(admin.token) });
    expect(reply.status).toBe(404);
  });
});
