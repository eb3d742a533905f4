import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startBridge, type RunningBridge } from "../../scripts/bridge/server.ts";
import { startDemoApp, type EchoReply, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { freePort } from "../../scripts/lib/ports.ts";
import { send } from "../support/http.ts";
import { rawBody, rawRequest } from "../support/raw.ts";
import { routesClient, startRouter, uniqueHost, type RouterUnderTest } from "../support/stack.ts";

const TOKEN = "security-suite-token-9b7e2a51";
const redis = routesClient();
let bridge: RunningBridge;
let router: RouterUnderTest;
let app: RunningDemoApp;
let routed: string;

beforeAll(async () => {
  bridge = await startBridge({ redisPort: inject("redisPort"), token: TOKEN });
  [router, app] = await Promise.all([
    startRouter({ UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: TOKEN }),
    startDemoApp({ name: "guarded" }),
  ]);
  routed = uniqueHost("guarded");
  await redis.set(routed, app.address);
});
afterAll(async () => {
  await Promise.all([router.dispose(), app.close(), bridge.close()]);
});

describe("the Upstash token never leaks", () => {
  it("is in no response, error page, upstream request or log line", async () => {
    const broken = uniqueHost("broken");
    const dead = uniqueHost("dead");
    await redis.set(broken, "ftp://nope");
    await redis.set(dead, `127.0.0.1:${await freePort()}`);
    const replies = await Promise.all([
      send(router.url, { host: routed, path: "/echo" }),
      send(router.url, { host: uniqueHost("unrouted") }),
      send(router.url, { host: broken, headers: { accept: "application/json" } }),
      send(router.url, { host: dead, headers: { accept: "text/html" } }),
      send(router.url, { host: "a..b" }),
    ]);
    const storeDown = await startRouter({
      UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${await freePort()}`,
      UPSTASH_REDIS_REST_TOKEN: TOKEN,
    });
    try {
      replies.push(await send(storeDown.url, { host: routed }));
      for (const reply of replies) {
        expect(reply.text).not.toContain(TOKEN);
        expect(JSON.stringify(reply.headers)).not.toContain(TOKEN);
      }
      expect(replies.map((r) => r.status)).toEqual([200, 403, 502, 502, 400, 503]);
      expect(JSON.stringify(replies[0]?.json<EchoReply>().headers)).not.toContain(TOKEN);
      expect([...router.logs, ...storeDown.logs].join("\n")).not.toContain(TOKEN);
    } finally {
      await storeDown.dispose();
    }
  });
});

describe("forwarding headers cannot be spoofed", () => {
  it("keeps the real client address last in X-Forwarded-For and Forwarded, whatever the client sent", async () => {
    const reply = await send(router.url, {
      host: routed,
      path: "/echo",
      headers: { "x-forwarded-for": "6.6.6.6", forwarded: "for=6.6.6.6;proto=https" },
    });
    const { headers } = reply.json<EchoReply>();
    const xff = String(headers["x-forwarded-for"])
      .split(",")
      .map((part) => part.trim());
    expect(xff.at(-1)).toBe("127.0.0.1");
    const forwarded = String(headers["forwarded"])
      .split(",")
      .map((part) => part.trim());
    expect(forwarded.at(-1)).toMatch(/^for=127\.0\.0\.1;/);
  });
});

describe("no open proxy", () => {
  it("an absolute-form target never chooses the upstream: the Host does", async () => {
    const toRouted = await rawRequest(
      router.url,
      `GET http://169.254.169.254/echo HTTP/1.1\r\nHost: ${routed}\r\nConnection: close\r\n\r\n`,
    );
    expect(toRouted.status).toBe(200);
    expect(toRouted.text).toContain('"app":"guarded"');
    const unrouted = uniqueHost("absolute");
    const toUnrouted = await rawRequest(
      router.url,
      `GET http://${routed}/echo HTTP/1.1\r\nHost: ${unrouted}\r\nConnection: close\r\n\r\n`,
    );
    expect(toUnrouted.status).toBe(403);
  });

  it.each(["169.254.169.254", "localhost", "[::1]", "0x7f.1", "127.0.0.1", "2130706433"])(
    "Host %s reaches no upstream without a route for exactly that host",
    async (host) => {
      const before = app.requests;
      const reply = await send(router.url, { host });
      expect([400, 403]).toContain(reply.status);
      expect(app.requests).toBe(before);
    },
  );
});

describe("the bridge", () => {
  it("binds loopback by default", () => {
    expect(new URL(bridge.url).hostname).toBe("127.0.0.1");
  });

  it.each([
    ["POST", "/", '["FLUSHALL"]'],
    ["POST", "/pipeline", '[["GET","k"]]'],
    ["POST", "/multi-exec", '[["SET","k","v"]]'],
    ["GET", "/get/k", undefined],
    ["GET", "/flushall", undefined],
    ["POST", "/set/k", "v"],
  ])("answers %s %s without a valid token with 401 and runs nothing", async (method, path, body) => {
    bridge.resetStats();
    for (const headers of [{}, { authorization: "Bearer wrong" }, { authorization: `Basic ${TOKEN}` }]) {
      const reply = await fetch(new URL(path, bridge.url), { method, headers, ...(body ? { body } : {}) });
      expect(reply.status).toBe(401);
      expect(await reply.json()).toHaveProperty("error");
    }
    expect(bridge.stats.commands).toBe(0);
  });
});

describe("request smuggling shapes", () => {
  it.each([
    [
      "Content-Length and Transfer-Encoding together",
      "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    ],
    ["two different Content-Length headers", "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"],
    ["a Content-Length list", "Content-Length: 5, 6\r\n\r\nhello!"],
    [
      "two Transfer-Encoding headers",
      "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    ],
  ])(
    "%s: refused, or forwarded with one unambiguous framing (workerd: TE wins over CL, RFC 9112 §6.3; conflicts get 400)",
    async (_shape, framing) => {
      const before = app.requests;
      const reply = await rawRequest(
        router.url,
        `POST /echo HTTP/1.1\r\nHost: ${routed}\r\nConnection: close\r\n${framing}`,
      );
      if (reply.status === 200) {
        const echo = JSON.parse(rawBody(reply)) as EchoReply;
        const framingHeaders = ["content-length", "transfer-encoding"].filter((name) => name in echo.headers);
        expect(framingHeaders.length).toBeLessThanOrEqual(1);
        expect(echo.bodyLength).toBe(Number(echo.headers["content-length"] ?? echo.bodyLength));
        expect(app.requests).toBe(before + 1);
      } else {
        expect([400, 411, 413, 501]).toContain(reply.status);
        expect(app.requests).toBe(before);
      }
    },
  );
});
