import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { startDemoApp, type EchoReply, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { hashPassword } from "../../src/lib/password-hash.ts";
import { send } from "../support/http.ts";
import { logDetailsFor, routedHost, startRouter, type RouterUnderTest } from "../support/stack.ts";
import { startHttpUpstream, type TestUpstream } from "../support/upstream.ts";
import { eventually, within } from "../support/wait.ts";

let router: RouterUnderTest;
let app: RunningDemoApp;
let wsUpstream: TestUpstream;
let wss: WebSocketServer;
let alice: string;
let root: string;

beforeAll(async () => {
  const http = await startHttpUpstream((_request, response) => response.writeHead(426).end("WebSocket only"));
  wsUpstream = http;
  wss = new WebSocketServer({ server: http.server });
  wss.on("connection", (socket) => socket.on("message", (data) => socket.send(data)));
  [router, app, alice, root] = await Promise.all([
    startRouter(),
    startDemoApp({ name: "guarded" }),
    hashPassword("wonderland", 10_000).then((hash) => `alice:${hash}`),
    hashPassword("toor", 10_000).then((hash) => `root:${hash}`),
  ]);
});
afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise((resolve) => wss.close(resolve));
  await Promise.all([router.dispose(), app.close(), wsUpstream.close()]);
});

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("basicAuth", () => {
  it("answers 401 with the realm to no credentials, a wrong password and an unknown user; 200 to the right one", async () => {
    const host = await routedHost(
      "auth",
      JSON.stringify({ backends: app.address, basicAuth: { users: [alice], realm: "Staff" } }),
    );
    for (const authorization of [undefined, basic("alice", "wrong"), basic("bob", "wonderland"), "Bearer x"]) {
      const reply = await send(router.url, { host, headers: authorization ? { authorization } : {} });
      expect(reply.status).toBe(401);
      expect(reply.headers["www-authenticate"]).toBe('Basic realm="Staff", charset="UTF-8"');
      expect(reply.text).toContain("401 Unauthorized");
    }
    const before = app.requests;
    for (let i = 0; i < 3; i++) {
      const reply = await send(router.url, {
        host,
        path: "/echo",
        headers: { authorization: basic("alice", "wonderland") },
      });
      expect(reply.status).toBe(200);
      // removeHeader defaults to false, as Traefik's: the upstream sees the credentials.
      expect(reply.json<EchoReply>().headers["authorization"]).toBe(basic("alice", "wonderland"));
    }
    expect(app.requests - before).toBe(3);
    expect(logDetailsFor(router, host)).toEqual(
      expect.arrayContaining(["no Basic credentials", "wrong password for user alice", "unknown user"]),
    );
  });

  it("counts wrong passwords against the route's rateLimit: past it, 429 before any more guessing", async () => {
    const host = await routedHost(
      "auth-limited",
      JSON.stringify({
        backends: app.address,
        basicAuth: { users: [alice] },
        rateLimit: { average: 3, period: "1m", burst: 3 },
      }),
    );
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const reply = await send(router.url, { host, headers: { authorization: basic("alice", `guess-${i}`) } });
      statuses.push(reply.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
  });

  it("keeps Authorization from the upstream with removeHeader", async () => {
    const host = await routedHost(
      "authrm",
      JSON.stringify({ backends: app.address, basicAuth: { users: [alice], removeHeader: true } }),
    );
    const reply = await send(router.url, {
      host,
      path: "/echo",
      headers: { authorization: basic("alice", "wonderland") },
    });
    expect(reply.status).toBe(200);
    expect(reply.json<EchoReply>().headers).not.toHaveProperty("authorization");
  });

  it("guards WebSocket upgrades too", async () => {
    const host = await routedHost(
      "authws",
      JSON.stringify({ backends: wsUpstream.address, basicAuth: { users: [alice] } }),
    );
    const open = (headers: Record<string, string>) =>
      within(
        new Promise<number>((resolve, reject) => {
          const socket = new WebSocket(`ws://127.0.0.1:${router.port}/chat`, { headers: { host, ...headers } });
          socket.once("open", () => {
            socket.close();
            resolve(101);
          });
          socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
          socket.once("error", reject);
        }),
        10_000,
        "the handshake did not finish",
      );
    expect(await open({})).toBe(401);
    expect(await open({ authorization: basic("alice", "nope") })).toBe(401);
    expect(await open({ authorization: basic("alice", "wonderland") })).toBe(101);
  });
});

describe("ipAllowList", () => {
  it("matches the real client address, and X-Forwarded-For spoofing does not pass", async () => {
    const host = await routedHost(
      "allow",
      JSON.stringify({ backends: app.address, ipAllowList: { sourceRange: ["192.0.2.0/24", "2001:db8::/32"] } }),
    );
    const spoofs: Record<string, string>[] = [
      {},
      { "x-forwarded-for": "192.0.2.10" },
      { "x-real-ip": "192.0.2.10" },
      { forwarded: "for=192.0.2.10" },
    ];
    for (const headers of spoofs) {
      const reply = await send(router.url, { host, headers });
      expect(reply.status).toBe(403);
      expect(reply.text).toContain("Your address is not allowed");
    }
    await eventually(() => logDetailsFor(router, host).length >= spoofs.length);
    expect(logDetailsFor(router, host)).toContain("client address 127.0.0.1 is outside ipAllowList.sourceRange");
  });

  it("lets an address inside the ranges through", async () => {
    const host = await routedHost(
      "allowed",
      JSON.stringify({ backends: app.address, ipAllowList: { sourceRange: ["2001:db8::/32", "127.0.0.0/8"] } }),
    );
    expect((await send(router.url, { host })).status).toBe(200);
  });
});

describe("maintenance", () => {
  it("answers 503 with Retry-After and the message, as HTML or text by Accept", async () => {
    const host = await routedHost(
      "maint",
      JSON.stringify({ backends: app.address, maintenance: { message: "Back at 14:00 UTC", retryAfter: 600 } }),
    );
    const before = app.requests;
    const text = await send(router.url, { host });
    expect(text.status).toBe(503);
    expect(text.headers["retry-after"]).toBe("600");
    expect(text.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(text.text).toContain("503 Service Unavailable: Back at 14:00 UTC");
    const html = await send(router.url, { host, headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
    expect(html.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(html.text).toContain("<p>Back at 14:00 UTC</p>");
    expect(app.requests).toBe(before);
  });

  it("comes before every other policy", async () => {
    const host = await routedHost(
      "maintfirst",
      JSON.stringify({
        backends: app.address,
        maintenance: true,
        ipAllowList: { sourceRange: ["192.0.2.0/24"] },
        basicAuth: { users: [alice] },
      }),
    );
    expect((await send(router.url, { host })).status).toBe(503);
  });
});

describe("policies on path rules", () => {
  it("an entry's own setting replaces the route's for its prefix; others inherit", async () => {
    const host = await routedHost(
      "paths",
      JSON.stringify({
        backends: app.address,
        basicAuth: { users: [alice] },
        paths: {
          "/admin": { backends: app.address, basicAuth: { users: [root], realm: "Root" } },
          "/health": { backends: app.address, basicAuth: null },
          "/closed": { backends: app.address, ipAllowList: { sourceRange: ["192.0.2.0/24"] } },
        },
      }),
    );
    const get = (path: string, authorization?: string) =>
      send(router.url, { host, path, headers: authorization ? { authorization } : {} }).then((reply) => reply.status);
    expect(await get("/", basic("alice", "wonderland"))).toBe(200);
    expect(await get("/admin", basic("alice", "wonderland"))).toBe(401);
    expect(await get("/admin/users", basic("root", "toor"))).toBe(200);
    expect(await get("/health")).toBe(200);
    expect(await get("/closed", basic("alice", "wonderland"))).toBe(403);
    expect(await get("/elsewhere")).toBe(401);
  });
});

describe("a plaintext password", () => {
  it("makes the value invalid: the router answers 502 and names the field in its log", async () => {
    const host = await routedHost(
      "plain",
      JSON.stringify({ backends: app.address, basicAuth: { users: ["alice:wonderland"] } }),
    );
    const reply = await send(router.url, { host });
    expect(reply.status).toBe(502);
    expect(reply.text).not.toContain("wonderland");
    // The log line arrives through workerd's stdout, a moment after the reply.
    await eventually(() => logDetailsFor(router, host).length > 0);
    const details = logDetailsFor(router, host).join("\n");
    expect(details).toContain('"basicAuth".users[0] (user "alice")');
    expect(details).toContain("plaintext passwords are refused");
    expect(details).not.toContain("wonderland");
  });
});
