import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { send, type Reply } from "../support/http.ts";
import { routedHost, routesClient, startRouter, type RouterUnderTest } from "../support/stack.ts";
import { startUpstreamProcess, type UpstreamProcess } from "../support/upstream.ts";

let router: RouterUnderTest;
let nine: RunningDemoApp;
let one: RunningDemoApp;
const processes: UpstreamProcess[] = [];

beforeAll(async () => {
  [router, nine, one] = await Promise.all([
    startRouter({ ROUTE_CACHE_TTL_MS: "100" }),
    startDemoApp({ name: "nine" }),
    startDemoApp({ name: "one" }),
  ]);
});
afterAll(async () => {
  await Promise.all([router.dispose(), nine.close(), one.close(), ...processes.map((p) => p.kill())]);
});

async function upstreamProcess(name: string): Promise<UpstreamProcess> {
  const started = await startUpstreamProcess({ name, delayMs: 0 });
  processes.push(started);
  return started;
}
const app = (reply: Reply) => String(reply.headers["x-app"]);
const cookieOf = (reply: Reply) => String(reply.headers["set-cookie"]?.[0] ?? "").split(";")[0] ?? "";

describe("weighted backends", () => {
  it("weights 9:1 over 1,000 requests: within 5 points of 90/10", async () => {
    const host = await routedHost(
      "weights",
      JSON.stringify({
        backends: [
          { url: nine.address, weight: 9 },
          { url: one.address, weight: 1 },
        ],
      }),
    );
    const counts: Record<string, number> = {};
    for (let batch = 0; batch < 100; batch++) {
      const replies = await Promise.all(Array.from({ length: 10 }, () => send(router.url, { host })));
      for (const reply of replies) counts[app(reply)] = (counts[app(reply)] ?? 0) + 1;
    }
    expect((counts["nine"] ?? 0) + (counts["one"] ?? 0)).toBe(1000);
    expect(Math.abs((counts["nine"] ?? 0) / 10 - 90)).toBeLessThanOrEqual(5);
  });

  it("sends nothing to a drained backend (weight 0)", async () => {
    const host = await routedHost(
      "drained",
      JSON.stringify({
        backends: [
          { url: nine.address, weight: 1 },
          { url: one.address, weight: 0 },
        ],
      }),
    );
    const replies = await Promise.all(Array.from({ length: 20 }, () => send(router.url, { host })));
    expect(new Set(replies.map(app))).toEqual(new Set(["nine"]));
  });
});

describe("sticky cookie", () => {
  it("pins a client to the backend that answered, with an opaque id; pinned down → another answers, with a new cookie", async () => {
    const [a, b] = await Promise.all([upstreamProcess("a"), upstreamProcess("b")]);
    const host = await routedHost(
      "sticky",
      JSON.stringify({
        backends: [a.address, b.address],
        sticky: { cookie: { name: "lb", httpOnly: true, sameSite: "lax" } },
      }),
    );
    const first = await send(router.url, { host });
    expect(first.status).toBe(200);
    const cookie = cookieOf(first);
    expect(cookie).toMatch(/^lb=[A-Za-z0-9_-]{22}$/);
    expect(String(first.headers["set-cookie"])).toContain("HttpOnly; SameSite=Lax");
    expect(String(first.headers["set-cookie"])).not.toContain("127.0.0.1");
    const pinned = app(first);
    for (let i = 0; i < 10; i++) {
      const again = await send(router.url, { host, headers: { cookie: `theme=dark; ${cookie}` } });
      expect(app(again)).toBe(pinned);
      expect(again.headers["set-cookie"]).toBeUndefined();
    }
    await (pinned.endsWith("a") ? a : b).kill();
    const moved = await send(router.url, { host, headers: { cookie } });
    expect(moved.status).toBe(200);
    expect(app(moved)).not.toBe(pinned);
    expect(cookieOf(moved)).toMatch(/^lb=[A-Za-z0-9_-]{22}$/);
    expect(cookieOf(moved)).not.toBe(cookie);
    const after = await send(router.url, { host, headers: { cookie: cookieOf(moved) } });
    expect(app(after)).toBe(app(moved));
  });

  it("never picks a drained backend for a cookie another route issued for the same backend", async () => {
    const cookieSetting = { cookie: {} };
    const open = await routedHost(
      "stickyopen",
      JSON.stringify({ backends: [nine.address, one.address], sticky: cookieSetting }),
    );
    const drained = await routedHost(
      "stickyshut",
      JSON.stringify({
        backends: [
          { url: nine.address, weight: 1 },
          { url: one.address, weight: 0 },
        ],
        sticky: cookieSetting,
      }),
    );
    let reply = await send(router.url, { host: open });
    while (app(reply) !== "one") reply = await send(router.url, { host: open });
    const cookie = cookieOf(reply);
    expect(app(await send(router.url, { host: open, headers: { cookie } }))).toBe("one");
    for (let i = 0; i < 5; i++) {
      const replayed = await send(router.url, { host: drained, headers: { cookie } });
      expect(app(replayed)).toBe("nine");
      expect(cookieOf(replayed)).not.toBe(cookie);
    }
  });

  it("lets a pinned session finish on a drained backend, and re-pins when its backend leaves the route", async () => {
    const host = await routedHost(
      "stickydrain",
      JSON.stringify({ backends: [nine.address, one.address], sticky: { cookie: {} } }),
    );
    let reply = await send(router.url, { host });
    while (app(reply) !== "one") reply = await send(router.url, { host });
    const cookie = cookieOf(reply);
    const redis = routesClient();
    await redis.set(
      host,
      JSON.stringify({
        backends: [
          { url: nine.address, weight: 1 },
          { url: one.address, weight: 0 },
        ],
        sticky: { cookie: {} },
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(app(await send(router.url, { host, headers: { cookie } }))).toBe("one");
    expect(app(await send(router.url, { host }))).toBe("nine");
    await redis.set(host, JSON.stringify({ backends: [nine.address], sticky: { cookie: {} } }));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const gone = await send(router.url, { host, headers: { cookie } });
    expect(app(gone)).toBe("nine");
    expect(cookieOf(gone)).not.toBe(cookie);
  });

  it("never picks a drained backend for a forged cookie: the unkeyed hash of its URL, or any value the router did not issue", async () => {
    const host = await routedHost(
      "stickyforged",
      JSON.stringify({
        backends: [
          { url: nine.address, weight: 1 },
          { url: one.address, weight: 0 },
        ],
        sticky: { cookie: {} },
      }),
    );
    // What a client could compute before: FNV-1a of the backend's URL, the value the router used to issue.
    const forged = [fnv1a(`http://${one.address}`), "AAAAAAAAAAAAAAAAAAAAAA", "x".repeat(4000)];
    for (const value of forged) {
      for (let i = 0; i < 5; i++) {
        const reply = await send(router.url, { host, headers: { cookie: `lb=${value}` } });
        expect(app(reply)).toBe("nine");
        expect(cookieOf(reply)).toMatch(/^lb=[A-Za-z0-9_-]{22}$/);
      }
    }
  });
});

/** The sticky cookie's value before it was keyed: FNV-1a, 32 bits twice, as 16 hex digits. */
function fnv1a(text: string): string {
  let a = 0x811c9dc5;
  let b = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193) >>> 0;
    b = Math.imul(b ^ code, 0x01000193) >>> 0;
  }
  return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0");
}
