import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type EchoReply, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { send } from "../support/http.ts";
import { logDetailsFor, routesClient, startRouter, uniqueHost, type RouterUnderTest } from "../support/stack.ts";
import { startSilentBackend, type TestUpstream } from "../support/upstream.ts";
import { eventually, sleep } from "../support/wait.ts";

const redis = routesClient();
let router: RouterUnderTest;
let app1: RunningDemoApp;
let app2: RunningDemoApp;
let silent: TestUpstream;

beforeAll(async () => {
  [router, app1, app2, silent] = await Promise.all([
    // Cache off: these tests watch each value change take effect on the next request.
    startRouter({ ROUTE_CACHE_SIZE: "0", HIPACHE_ROUTES: "true" }),
    startDemoApp({ name: "app1" }),
    startDemoApp({ name: "app2" }),
    startSilentBackend(),
  ]);
});
afterAll(async () => {
  await Promise.all([router.dispose(), app1.close(), app2.close(), silent.close()]);
});

async function json(host: string, route: unknown): Promise<void> {
  await redis.set(host, JSON.stringify(route));
}
const appOf = async (host: string, path = "/echo") => (await send(router.url, { host, path })).json<EchoReply>().app;

describe("one-line values", () => {
  it("ip:port and host:port mean http://", async () => {
    const [h1, h2] = [uniqueHost("ipport"), uniqueHost("hostport")];
    await redis.set(h1, app1.address);
    await redis.set(h2, `localhost:${app2.port}`);
    expect(await appOf(h1)).toBe("app1");
    expect(await appOf(h2)).toBe("app2");
  });

  it("a URL's base path is put in front of the request path", async () => {
    const host = uniqueHost("url");
    await redis.set(host, `http://${app1.address}/echo/v2`);
    const echo = (await send(router.url, { host, path: "/users?id=7" })).json<EchoReply>();
    expect(echo.url).toBe("/echo/v2/users?id=7");
  });
});

describe("JSON routes", () => {
  it("spreads requests over its backends at random", async () => {
    const host = uniqueHost("random");
    await json(host, { backends: [app1.address, app2.address] });
    const apps = new Set<string>();
    for (let i = 0; i < 30 && apps.size < 2; i++) apps.add(await appOf(host));
    expect([...apps].sort()).toEqual(["app1", "app2"]);
  });

  it("alternates with round robin", async () => {
    const host = uniqueHost("rr");
    await json(host, { backends: [app1.address, app2.address], strategy: "round-robin" });
    const apps: string[] = [];
    for (let i = 0; i < 4; i++) apps.push(await appOf(host));
    expect(apps).toEqual(["app1", "app2", "app1", "app2"]);
  });

  it("adds and removes request headers, and adds response headers", async () => {
    const host = uniqueHost("headers");
    await json(host, {
      backends: app1.address,
      requestHeaders: { "X-Env": "prod", "X-Secret": null },
      responseHeaders: { "Strict-Transport-Security": "max-age=63072000", "X-App": null },
    });
    const reply = await send(router.url, { host, path: "/echo", headers: { "x-secret": "drop me" } });
    const { headers } = reply.json<EchoReply>();
    expect(headers["x-env"]).toBe("prod");
    expect(headers["x-secret"]).toBeUndefined();
    expect(reply.headers["strict-transport-security"]).toBe("max-age=63072000");
    expect(reply.headers["x-app"]).toBeUndefined();
  });

  it("applies the route's own timeout (504) instead of UPSTREAM_TIMEOUT_MS", async () => {
    const host = uniqueHost("timeout");
    await json(host, { backends: silent.address, timeout: 0.3 });
    const reply = await send(router.url, { host });
    expect(reply.status).toBe(504);
    expect(reply.text).toContain("did not answer within 300 ms");
  });

  it("routes by path prefix: longest wins, strip removes it, the rest go to the route's backends", async () => {
    const host = uniqueHost("paths");
    await json(host, {
      backends: app1.address,
      paths: {
        "/echo/api": { backends: `http://${app2.address}/echo/inner`, strip: true },
        "/echo/api/v1": app1.address,
        "/echo/keep": app2.address,
      },
    });
    const echo = async (path: string) => (await send(router.url, { host, path })).json<EchoReply>();
    expect(await echo("/echo/api/users?x=1")).toMatchObject({ app: "app2", url: "/echo/inner/users?x=1" });
    expect(await echo("/echo/api")).toMatchObject({ app: "app2", url: "/echo/inner/" });
    expect(await echo("/echo/api/v1/users")).toMatchObject({ app: "app1", url: "/echo/api/v1/users" });
    expect(await echo("/echo/keep/a")).toMatchObject({ app: "app2", url: "/echo/keep/a" });
    expect(await echo("/echo/apiary")).toMatchObject({ app: "app1", url: "/echo/apiary" });
  });

  it("answers 404 for a path no rule matches when the route has no backends of its own", async () => {
    const host = uniqueHost("pathsonly");
    await json(host, { paths: { "/echo": app1.address } });
    expect((await send(router.url, { host, path: "/echo/x" })).status).toBe(200);
    const reply = await send(router.url, { host, path: "/other" });
    expect(reply.status).toBe(404);
    expect(reply.text).toContain(`No route for /other on host ${host}`);
  });

  it("redirects with the status asked for, keeping path and query", async () => {
    const host = uniqueHost("apex");
    await json(host, { redirect: "https://www.example.com", status: 301 });
    const before = app1.requests + app2.requests;
    const reply = await send(router.url, { host, path: "/a/b?c=1&d" });
    expect(reply.status).toBe(301);
    expect(reply.headers.location).toBe("https://www.example.com/a/b?c=1&d");
    expect(app1.requests + app2.requests).toBe(before);
  });

  it("redirects one path prefix, stripped, while the rest is forwarded", async () => {
    const host = uniqueHost("moved");
    await json(host, {
      backends: app1.address,
      paths: { "/blog": { redirect: "https://blog.example.com/posts", strip: true, status: 308 } },
    });
    const moved = await send(router.url, { host, path: "/blog/2024/hello?ref=x" });
    expect([moved.status, moved.headers.location]).toEqual([308, "https://blog.example.com/posts/2024/hello?ref=x"]);
    expect(await appOf(host)).toBe("app1");
  });

  it("refuses to redirect a URL to itself (508)", async () => {
    const host = uniqueHost("loop");
    await json(host, { redirect: `http://${host}` });
    const reply = await send(router.url, { host, path: "/x" });
    expect(reply.status).toBe(508);
    expect(reply.text).toContain("redirects to itself");
  });
});

describe("Hipache lists", () => {
  it("reads frontend:<host> as identifier + backends, spread at random", async () => {
    const host = uniqueHost("hipache");
    await redis.rpush(`frontend:${host}`, "mysite", `http://${app1.address}`, `http://${app2.address}`);
    const apps = new Set<string>();
    for (let i = 0; i < 30 && apps.size < 2; i++) apps.add(await appOf(host));
    expect([...apps].sort()).toEqual(["app1", "app2"]);
  });
});

describe("invalid values: 502 for that host only, with a log line that says what is wrong", () => {
  it.each([
    ["a JSON route with a typo", '{"backend": "10.0.0.1:80"}', 'unknown field "backend" (did you mean "backends"?)'],
    ["malformed JSON", '{"backends": [', "not valid JSON"],
    ["a bad backend", '{"backends": ["10.0.0.1:80", "ftp://x"]}', '"backends"[1]: unsupported scheme "ftp"'],
  ])("%s", async (_what, value, message) => {
    const [bad, good] = [uniqueHost("bad"), uniqueHost("good")];
    await redis.set(bad, value);
    await redis.set(good, app1.address);
    const reply = await send(router.url, { host: bad });
    expect(reply.status).toBe(502);
    expect(reply.text).toContain(`The route for host ${bad} is invalid.`);
    expect(reply.text).not.toContain(message);
    // The log line arrives through workerd's stdout, a moment after the reply.
    await eventually(() => logDetailsFor(router, bad).length > 0);
    expect(logDetailsFor(router, bad).join("\n")).toContain(`key "${bad}": ${message}`);
    expect((await send(router.url, { host: good })).status).toBe(200);
  });

  it("a key of the wrong type affects only its own host: a string key is skipped (MGET), a list key is a 502", async () => {
    const [hash, list, good, domain] = [uniqueHost("hash"), uniqueHost("list"), uniqueHost("good"), uniqueHost("wt")];
    await redis.hset(hash, { upstream: app1.address });
    await redis.set(`frontend:${list}`, app1.address);
    await redis.set(good, app1.address);
    // Under a wildcard, the next key decides.
    await redis.set(`*.${domain}`, app2.address);
    await redis.hset(`x.${domain}`, { upstream: app1.address });
    const replies = await Promise.all([hash, list, good].map((host) => send(router.url, { host })));
    expect(replies.map((r) => r.status)).toEqual([403, 502, 200]);
    await eventually(() => logDetailsFor(router, list).some((d) => d.includes("holds another Redis type than a list")));
    expect(await appOf(`x.${domain}`)).toBe("app2");
  });
});

describe("expiry and deletion", () => {
  it("sees a changed value on the next request (parsed values are cached by value, not by host)", async () => {
    const [host, twin] = [uniqueHost("changed"), uniqueHost("twin")];
    const value = JSON.stringify({ backends: app1.address, responseHeaders: { "X-V": "1" } });
    await redis.set(host, value);
    await redis.set(twin, value);
    expect(await appOf(host)).toBe("app1");
    expect(await appOf(twin)).toBe("app1");
    await redis.set(host, JSON.stringify({ backends: app2.address }));
    expect(await appOf(host)).toBe("app2");
    expect(await appOf(twin)).toBe("app1");
  });

  it("honours a route's TTL and its deletion with no restart", async () => {
    const [expiring, deleted] = [uniqueHost("ttl"), uniqueHost("del")];
    await redis.set(expiring, app1.address, { px: 400 });
    await redis.rpush(`frontend:${deleted}`, "site", `http://${app1.address}`);
    expect((await send(router.url, { host: expiring })).status).toBe(200);
    expect((await send(router.url, { host: deleted })).status).toBe(200);
    await redis.del(`frontend:${deleted}`);
    expect((await send(router.url, { host: deleted })).status).toBe(403);
    await sleep(450);
    expect((await send(router.url, { host: expiring })).status).toBe(403);
  });
});
