import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { send } from "../support/http.ts";
import { rawRequest, type RawReply } from "../support/raw.ts";
import { routesClient, startRouter, uniqueHost, uniquePrefix, type RouterUnderTest } from "../support/stack.ts";

/**
 * This router reads routes under its own key prefix, so keys every test file
 * could want (`127.0.0.1`, `[::1]`) cannot collide with other files' routes.
 */
const prefix = uniquePrefix("hygiene");
const redis = routesClient();
let router: RouterUnderTest;
let app: RunningDemoApp;

beforeAll(async () => {
  [router, app] = await Promise.all([startRouter({ ROUTE_KEY_PREFIX: prefix }), startDemoApp({ name: "hygiene" })]);
});
afterAll(async () => {
  await Promise.all([router.dispose(), app.close()]);
});

function routeTo(host: string, value: string): Promise<unknown> {
  return redis.set(prefix + host, value);
}

function rawGet(host: Buffer | string): Promise<RawReply> {
  const hostBytes = typeof host === "string" ? Buffer.from(host, "latin1") : host;
  return rawRequest(
    router.url,
    Buffer.concat([Buffer.from("GET / HTTP/1.1\r\nHost: "), hostBytes, Buffer.from("\r\nConnection: close\r\n\r\n")]),
  );
}

describe("host normalisation before lookup", () => {
  it("ignores case, a trailing dot and the port", async () => {
    const host = uniqueHost("norm");
    await routeTo(host, app.address);
    for (const spelling of [host.toUpperCase(), `${host}.`, `${host}:8443`, `${host.toUpperCase()}.:80`]) {
      const reply = await send(router.url, { host: spelling });
      expect([spelling, reply.status, reply.text]).toEqual([spelling, 200, "Hello world! I am hygiene.\n"]);
    }
  });

  it("looks IPv6 literals up in one canonical spelling", async () => {
    const tail = randomBytes(2).toString("hex").replace(/^0+/, "") || "1";
    await routeTo(`[2001:db8::${tail}]`, app.address);
    for (const spelling of [`[2001:DB8:0:0::${tail}]`, `[2001:db8:0:0:0:0:0:${tail}]:8080`]) {
      expect((await send(router.url, { host: spelling })).status, spelling).toBe(200);
    }
  });

  it("looks internationalised names up by their punycode (xn--) form", async () => {
    const label = `bücher-${randomBytes(3).toString("hex")}`;
    const ascii = new URL(`http://${label}.example/`).hostname;
    expect(ascii.startsWith("xn--")).toBe(true);
    await routeTo(ascii, app.address);
    expect((await rawGet(Buffer.from(`${label}.example`, "utf8"))).status).toBe(200);
    expect((await send(router.url, { host: ascii.toUpperCase() })).status).toBe(200);
  });

  it("answers hosts that only resemble a route with 403 or 400, never with that route", async () => {
    const host = uniqueHost("target");
    await routeTo(host, app.address);
    // Keys outside the prefix are out of reach whatever the Host says.
    await redis.set(host, app.address);
    const before = app.requests;
    const lookalikes = [
      `${host}/`,
      `${host}?`,
      `${host}#`,
      `${host}%00`,
      `x.${host}`,
      `${host}.x`,
      `${prefix}${host}`,
      `../${host}`,
      `*`,
      `${host.replace(".", "\t.")}`,
      `${host}..`,
      `[${host}]`,
    ];
    for (const lookalike of lookalikes) {
      const status = (await rawGet(lookalike)).status;
      expect([400, 403, 500], `${lookalike} -> ${status}`).toContain(status);
    }
    expect(app.requests).toBe(before);
  });
});

describe("internationalised names cannot smuggle URL syntax", () => {
  it("refuses a Unicode Host with @ / ? # \\ % (400) instead of reading another host's route", async () => {
    // The IDNA step goes through a URL parser: `é@admin.example.com` would be
    // userinfo `é` plus the host `admin.example.com`, whose route would answer.
    const target = uniqueHost("admin");
    await routeTo(target, app.address);
    const before = app.requests;
    for (const smuggled of [
      `é@${target}`,
      `é:1@${target}:443`,
      `${target}/é`,
      `${target}?é`,
      `${target}#é`,
      `${target}\\é`,
      `%C3%A9.${target}`,
      `é%2e${target}`,
    ]) {
      const reply = await rawGet(Buffer.from(smuggled, "utf8"));
      expect([smuggled, reply.status]).toEqual([smuggled, 400]);
      expect(reply.text).toContain("Invalid Host header");
    }
    expect(app.requests).toBe(before);
    // The same name without the syntax is still an ordinary (unrouted) host.
    expect((await rawGet(Buffer.from(`é.${target}`, "utf8"))).status).toBe(403);
  });
});

describe("routing loop", () => {
  it("answers 508 once a request has come back more than MAX_HOPS (5) times: a route to the router itself", async () => {
    // Route A points at the router's own address; the upstream request then
    // carries Host 127.0.0.1:PORT, and that host's route points at the
    // router again: a real loop through the network.
    const host = uniqueHost("loop");
    const self = `127.0.0.1:${router.port}`;
    await routeTo(host, self);
    await routeTo("127.0.0.1", self);
    const logsBefore = router.logs.length;
    const reply = await send(router.url, { host, headers: { accept: "application/json" }, timeoutMs: 15_000 });
    expect(reply.status).toBe(508);
    expect(reply.json()).toMatchObject({ status: 508, error: "loop_detected" });
    const lines = router.logs
      .slice(logsBefore)
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { hops: number; status: number; error: string | null });
    // The client's request (0 hops) and five returns are forwarded; the sixth return is refused.
    expect(lines.map((line) => line.hops).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(lines.find((line) => line.hops === 6)).toMatchObject({ status: 508, error: "loop_detected" });
  });

  it("refuses a forged hop count it cannot read as a loop rather than let it through", async () => {
    const host = uniqueHost("forged");
    await routeTo(host, app.address);
    const reply = await send(router.url, { host, headers: { "x-host-router-hops": "lots" } });
    expect(reply.status).toBe(508);
  });
});
