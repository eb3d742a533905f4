import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send, type Reply } from "../support/http.ts";
import { bearer } from "../support/admin.ts";
import { routesClient, startRouter, uniquePrefix, type RouterUnderTest } from "../support/stack.ts";

/*
 * The dashboard under attack: wrong tokens and logins throttled per client,
 * no login or session cookie over plain HTTP to a host that is not this
 * machine, and sessions bound to ADMIN_HOST and to a revocation counter so
 * "log out everywhere" ends every one of them, in every isolate.
 */

const token = randomBytes(24).toString("base64url");
const prefix = uniquePrefix("adminhard");
const HOST = "dash.localhost";
const routers: RouterUnderTest[] = [];
/** Two isolates of one dashboard (same host, token and store), and one at another host with the same token. */
let one: RouterUnderTest;
let two: RouterUnderTest;
let elsewhere: RouterUnderTest;
/** A dashboard at a host that is not local, reached over plain HTTP. */
let plain: RouterUnderTest;

beforeAll(async () => {
  const common = { ADMIN_TOKEN: token, ROUTE_KEY_PREFIX: prefix };
  [one, two, elsewhere, plain] = await Promise.all([
    startRouter({ ...common, ADMIN_HOST: HOST }),
    startRouter({ ...common, ADMIN_HOST: HOST }),
    startRouter({ ...common, ADMIN_HOST: "other-dash.localhost" }),
    startRouter({ ...common, ADMIN_HOST: "dash.example.test" }),
  ]);
  routers.push(one, two, elsewhere, plain);
});
afterAll(async () => {
  await Promise.all(routers.map((router) => router.dispose()));
});

const FORM = { "content-type": "application/x-www-form-urlencoded" };

function login(router: RouterUnderTest, given: string, host = HOST, headers: Record<string, string> = {}) {
  return send(router.url, {
    host,
    method: "POST",
    path: "/login",
    headers: { ...FORM, ...headers },
    body: new URLSearchParams({ token: given, next: "/health" }).toString(),
  });
}

function sessionOf(reply: Reply): string {
  const line = reply.headers["set-cookie"]?.find((value) => value.startsWith("router-admin="));
  if (!line) throw new Error(`no session cookie (status ${reply.status})`);
  return line.split(";")[0] ?? "";
}

const page = (router: RouterUnderTest, headers: Record<string, string>, host = HOST) =>
  send(router.url, { host, path: "/routes", headers });

describe("wrong dashboard tokens are throttled per client", () => {
  it("10 wrong bearer tokens, then 429 with Retry-After, even for the right token; another client is not affected", async () => {
    const from = (address: string, given: string) =>
      page(one, { ...bearer(given), "cf-connecting-ip": address, accept: "application/json" });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await from("198.51.100.20", `wrong-token-${i}-long-enough`)).status);
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    const refused = await from("198.51.100.20", token);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(refused.json()).toMatchObject({ status: 429, error: "too_many_attempts" });
    expect((await from("198.51.100.21", token)).status).toBe(200);
  });

  it("30 wrong tokens sent at once: at most 10 are compared, the rest get 429", async () => {
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        page(one, { ...bearer(`parallel-wrong-${i}-long-enough`), "cf-connecting-ip": "198.51.100.30" }),
      ),
    );
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(11);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(19);
  });

  it("right tokens take nothing: 30 in a row from one client all pass", async () => {
    for (let i = 0; i < 30; i++) {
      expect((await page(one, { ...bearer(token), "cf-connecting-ip": "198.51.100.31" })).status).toBe(200);
    }
  });

  it("counts the login form the same way, and an IPv6 client by its /64", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const address = `2001:db8:77:1::${(i + 1).toString(16)}`;
      statuses.push((await login(one, `wrong-login-${i}-long-enough`, HOST, { "cf-connecting-ip": address })).status);
    }
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    const right = await login(one, token, HOST, { "cf-connecting-ip": "2001:db8:77:1::ffff" });
    expect(right.status).toBe(429);
    expect(right.headers["set-cookie"]).toBeUndefined();
  });
});

describe("the login form and session cookies need HTTPS, or localhost", () => {
  it("refuses the form, a login and a session cookie over plain HTTP to a host that is not local, with 403 saying to use HTTPS", async () => {
    const host = "dash.example.test";
    const form = await send(plain.url, { host, path: "/login" });
    expect(form.status).toBe(403);
    expect(form.text).toContain("need HTTPS");
    expect(form.text).toContain(`https://${host}`);
    const posted = await login(plain, token, host);
    expect(posted.status).toBe(403);
    expect(posted.headers["set-cookie"]).toBeUndefined();
    // A session made by the local dashboard, sent in the clear to this one: refused, not looked at.
    const cookie = sessionOf(await login(one, token));
    const withCookie = await page(plain, { cookie }, host);
    expect(withCookie.status).toBe(403);
    expect(withCookie.text).toContain("need HTTPS");
    const browser = await page(plain, { accept: "text/html" }, host);
    expect(browser.status).toBe(403);
    // Scripts with the bearer token still work.
    expect((await page(plain, bearer(token), host)).status).toBe(200);
  });

  it("serves the form and its cookie over plain HTTP on *.localhost", async () => {
    expect((await send(one.url, { host: HOST, path: "/login" })).status).toBe(200);
    const reply = await login(one, token);
    expect(reply.status).toBe(303);
    expect((await page(one, { cookie: sessionOf(reply) })).status).toBe(200);
  });
});

describe("sessions are bound to ADMIN_HOST and a revocation counter", () => {
  it("refuses a session made for another dashboard host that shares the token", async () => {
    const cookie = sessionOf(await login(one, token));
    expect((await page(one, { cookie })).status).toBe(200);
    expect((await page(elsewhere, { cookie }, "other-dash.localhost")).status).toBe(401);
  });

  it("log out everywhere: one POST ends every session, in every isolate; a new login works", async () => {
    const first = sessionOf(await login(one, token));
    const second = sessionOf(await login(two, token));
    for (const router of [one, two]) {
      expect((await page(router, { cookie: first })).status).toBe(200);
      expect((await page(router, { cookie: second })).status).toBe(200);
    }
    const out = await send(one.url, {
      host: HOST,
      method: "POST",
      path: "/logout-everywhere",
      headers: { cookie: first, origin: `http://${HOST}` },
    });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe("/login");
    for (const router of [one, two]) {
      expect((await page(router, { cookie: first })).status).toBe(401);
      expect((await page(router, { cookie: second })).status).toBe(401);
    }
    expect(Number(await routesClient().get(`${prefix}admin:session-epoch`))).toBeGreaterThanOrEqual(1);
    const fresh = sessionOf(await login(two, token));
    expect((await page(one, { cookie: fresh })).status).toBe(200);
  });

  it("refuses log out everywhere posted from another site, or without a credential", async () => {
    const cookie = sessionOf(await login(one, token));
    const crossSite = await send(one.url, {
      host: HOST,
      method: "POST",
      path: "/logout-everywhere",
      headers: { cookie, origin: "https://evil.example" },
    });
    expect(crossSite.status).toBe(403);
    const anonymous = await send(one.url, { host: HOST, method: "POST", path: "/logout-everywhere" });
    expect(anonymous.status).toBe(401);
    expect((await page(one, { cookie })).status).toBe(200);
  });
});
