import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type EchoReply, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { freePort } from "../../scripts/lib/ports.ts";
import { send } from "../support/http.ts";
import { routesClient, startRouter, uniqueHost, type RouterUnderTest } from "../support/stack.ts";

const redis = routesClient();
let router: RouterUnderTest;
let app1: RunningDemoApp;
let app2: RunningDemoApp;

beforeAll(async () => {
  [router, app1, app2] = await Promise.all([
    startRouter(),
    startDemoApp({ name: "app1" }),
    startDemoApp({ name: "app2" }),
  ]);
});
afterAll(async () => {
  await Promise.all([router.dispose(), app1.close(), app2.close()]);
});

describe("seed behaviour: SET host ip:port routes that host", () => {
  it("routes two hosts to two different apps", async () => {
    const [h1, h2] = [uniqueHost("p5001"), uniqueHost("p5002")];
    await redis.set(h1, app1.address);
    await redis.set(h2, app2.address);
    const [r1, r2] = await Promise.all([send(router.url, { host: h1 }), send(router.url, { host: h2 })]);
    expect([r1.status, r1.text]).toEqual([200, "Hello world! I am app1.\n"]);
    expect([r2.status, r2.text]).toEqual([200, "Hello world! I am app2.\n"]);
  });

  it("answers 403 with a readable body for a host with no route", async () => {
    const reply = await send(router.url, { host: uniqueHost("nope") });
    expect(reply.status).toBe(403);
    expect(reply.text).toMatch(/^403 Forbidden: No route for host nope-/);
    expect(reply.headers["x-request-id"]).toBeTruthy();
  });

  it("sees a changed route on the next request, with no restart (cache off; see cache-ttl.test.ts)", async () => {
    const uncached = await startRouter({ ROUTE_CACHE_SIZE: "0" });
    try {
      const host = uniqueHost("switch");
      await redis.set(host, app1.address);
      expect((await send(uncached.url, { host })).text).toContain("app1");
      await redis.set(host, app2.address);
      expect((await send(uncached.url, { host })).text).toContain("app2");
      await redis.del(host);
      expect((await send(uncached.url, { host })).status).toBe(403);
    } finally {
      await uncached.dispose();
    }
  });

  it("normalises the Host before lookup: case, port and trailing dot", async () => {
    const host = uniqueHost("norm");
    await redis.set(host, app1.address);
    const reply = await send(router.url, { host: `${host.toUpperCase()}.:8443` });
    expect(reply.status).toBe(200);
  });

  it.each([
    ["empty label", "a..b.example"],
    ["over 253 characters", `${"abcdefgh.".repeat(30)}example`],
    ["bad label", "-x.example"],
  ])("answers 400 for an invalid Host (%s)", async (_reason, host) => {
    const reply = await send(router.url, { host });
    expect(reply.status).toBe(400);
    expect(reply.text).toContain("Invalid Host header");
  });

  it("never forwards a Host with spaces: the runtime refuses it before the worker runs", async () => {
    // workerd cannot build a URL from such a Host and answers by itself (the
    // edge's front line refuses it too), so our own 400 is never reached.
    const reply = await send(router.url, { host: "bad host.example" });
    expect([400, 500]).toContain(reply.status);
  });
});

describe("forwarding", () => {
  it("forwards method, path, query, headers and body", async () => {
    const host = uniqueHost("fwd");
    await redis.set(host, app1.address);
    const reply = await send(router.url, {
      host,
      method: "POST",
      path: "/echo/a%20b/c;d?q=%20&r=1",
      headers: { "content-type": "text/plain", "x-custom": "kept" },
      body: "hello body",
    });
    const echo = reply.json<EchoReply>();
    expect(echo.method).toBe("POST");
    expect(echo.url).toBe("/echo/a%20b/c;d?q=%20&r=1");
    expect(echo.headers["x-custom"]).toBe("kept");
    expect(echo.bodyLength).toBe("hello body".length);
  });

  it("keeps the client's host in X-Forwarded-Host and appends the client to X-Forwarded-For", async () => {
    const host = uniqueHost("xff");
    await redis.set(host, app1.address);
    const reply = await send(router.url, {
      host: `${host}:8787`,
      path: "/echo",
      headers: { "x-forwarded-for": "203.0.113.9" },
    });
    const { headers } = reply.json<EchoReply>();
    expect(headers["x-forwarded-host"]).toBe(`${host}:8787`);
    expect(headers["x-forwarded-for"]).toBe("203.0.113.9, 127.0.0.1");
    expect(headers["x-forwarded-proto"]).toBe("http");
    expect(headers["via"]).toContain("edge-host-router");
  });

  it("routes a URL value, prefixing its base path", async () => {
    const host = uniqueHost("url");
    await redis.set(host, `http://${app2.address}/echo/v2`);
    const reply = await send(router.url, { host, path: "/users?id=7" });
    expect(reply.json<EchoReply>()).toMatchObject({ app: "app2", url: "/echo/v2/users?id=7" });
  });

  it("returns redirects instead of following them", async () => {
    const redirecting = await startDemoApp({ name: "redirecting" });
    redirecting.server.removeAllListeners("request");
    redirecting.server.on("request", (_request, response) => {
      response.writeHead(302, { location: "https://elsewhere.example/" }).end();
    });
    const host = uniqueHost("redir");
    await redis.set(host, redirecting.address);
    const reply = await send(router.url, { host });
    expect(reply.status).toBe(302);
    expect(reply.headers.location).toBe("https://elsewhere.example/");
    await redirecting.close();
  });
});

describe("errors", () => {
  it("answers 502 naming the host, not the value, for a route value that cannot be parsed", async () => {
    const host = uniqueHost("garbage");
    await redis.set(host, "ftp://secret-internal-name:21");
    const reply = await send(router.url, { host });
    expect(reply.status).toBe(502);
    expect(reply.text).toContain(host);
    expect(reply.text).not.toContain("secret-internal-name");
  });

  it("answers 502 when the upstream refuses the connection", async () => {
    const host = uniqueHost("refused");
    await redis.set(host, `127.0.0.1:${await freePort()}`);
    const reply = await send(router.url, { host });
    expect(reply.status).toBe(502);
    expect(reply.text).toContain("could not be reached");
  });

  it("answers 503 with Retry-After when the route store is unreachable", async () => {
    const deadStore = await startRouter({ UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${await freePort()}` });
    try {
      const reply = await send(deadStore.url, { host: uniqueHost("nostore") });
      expect(reply.status).toBe(503);
      expect(reply.headers["retry-after"]).toBe("1");
    } finally {
      await deadStore.dispose();
    }
  });

  it("fails with a clear message when the Upstash secrets are missing", async () => {
    const unconfigured = await startRouter({ UPSTASH_REDIS_REST_URL: "" });
    try {
      const reply = await send(unconfigured.url, { host: uniqueHost("nocfg") });
      expect(reply.status).toBe(500);
      expect(reply.text).toContain("UPSTASH_REDIS_REST_URL is not set");
    } finally {
      await unconfigured.dispose();
    }
  });

  it("answers JSON errors to clients that accept JSON", async () => {
    const reply = await send(router.url, { host: uniqueHost("json"), headers: { accept: "application/json" } });
    expect(reply.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(reply.json()).toMatchObject({ status: 403, error: "no_route" });
  });
});

describe("configuration", () => {
  it("reads routes under ROUTE_KEY_PREFIX when one is set", async () => {
    const prefixed = await startRouter({ ROUTE_KEY_PREFIX: "route:" });
    try {
      const host = uniqueHost("prefix");
      await redis.set(`route:${host}`, app1.address);
      await redis.set(host, app2.address);
      expect((await send(prefixed.url, { host })).text).toContain("app1");
    } finally {
      await prefixed.dispose();
    }
  });
});
