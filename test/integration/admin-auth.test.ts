import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send } from "../support/http.ts";
import { bearer, startAdminRouter, type AdminUnderTest } from "../support/admin.ts";
import { startRouter } from "../support/stack.ts";

let admin: AdminUnderTest;

beforeAll(async () => {
  // A *.localhost host: the login form and its cookie work over plain HTTP only there (admin-hardening.test.ts).
  admin = await startAdminRouter("auth", {}, "admin-auth.localhost");
});
afterAll(async () => {
  await admin.router.dispose();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  send(admin.router.url, { host: admin.host, path, headers });

/** The session cookie from a login's Set-Cookie, as a browser would send it back. */
function cookieOf(setCookie: string[] | undefined): string {
  const line = setCookie?.find((value) => value.startsWith("router-admin="));
  if (!line) throw new Error(`no session cookie in ${JSON.stringify(setCookie)}`);
  return line.split(";")[0] ?? "";
}

async function login(token: string, extra: Record<string, string> = {}) {
  return send(admin.router.url, {
    host: admin.host,
    method: "POST",
    path: "/login",
    headers: { "content-type": "application/x-www-form-urlencoded", ...extra },
    body: new URLSearchParams({ token, next: "/health" }).toString(),
  });
}

describe("dashboard authentication", () => {
  it("answers 401 with a Bearer challenge when no credential is sent (non-browser)", async () => {
    for (const path of ["/", "/routes", "/api/routes", "/metrics", "/api/test?host=a.example"]) {
      const reply = await get(path);
      expect(reply.status, path).toBe(401);
      expect(reply.headers["www-authenticate"]).toBe('Bearer realm="router admin"');
      expect(reply.headers["cache-control"]).toBe("no-store");
      // The router draws the dashboard's refusals; they keep the dashboard's headers.
      expect(reply.headers["x-frame-options"]).toBe("DENY");
      expect(reply.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    }
    const json = await get("/api/routes", { accept: "application/json" });
    expect(json.json()).toMatchObject({ status: 401, error: "unauthorized" });
  });

  it("sends a browser to the login form, keeping where it was going", async () => {
    const reply = await get("/tester?host=a.example", { accept: "text/html,application/xhtml+xml,*/*;q=0.8" });
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe(`/login?next=${encodeURIComponent("/tester?host=a.example")}`);
    const form = await get("/login");
    expect(form.status).toBe(200);
    expect(form.text).toContain('<input type="password" name="token"');
  });

  it("lets a correct bearer token in and refuses a wrong one, in constant-time comparison", async () => {
    expect((await get("/routes", bearer(admin.token))).status).toBe(200);
    expect((await get("/routes", bearer(`${admin.token}x`))).status).toBe(401);
    expect((await get("/routes", bearer(admin.token.slice(0, -1)))).status).toBe(401);
    expect((await get("/routes", { authorization: `Basic ${admin.token}` })).status).toBe(401);
  });

  it("logs in with the form: an HttpOnly, SameSite=Strict signed cookie that opens every page", async () => {
    const reply = await login(admin.token);
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe("/health");
    const setCookie = reply.headers["set-cookie"]?.find((line) => line.startsWith("router-admin=")) ?? "";
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toMatch(/Secure/); // plain http here; Secure and __Host- under https
    expect(setCookie).not.toContain(admin.token);
    const cookie = cookieOf(reply.headers["set-cookie"]);
    for (const path of ["/routes", "/tester", "/health", "/traffic", "/api/traffic", "/metrics"]) {
      expect((await get(path, { cookie })).status, path).toBe(200);
    }
    // A tampered signature or expiry is refused.
    const [name, value = ""] = cookie.split("=");
    const [expires, epoch = "", signature = ""] = value.split(".");
    expect(epoch).toMatch(/^\d+$/);
    const forged = `${name}=${Number(expires) + 1000}.${epoch}.${signature}`;
    expect((await get("/routes", { cookie: forged })).status).toBe(401);
    const otherEpoch = `${name}=${expires}.${Number(epoch) + 1}.${signature}`;
    expect((await get("/routes", { cookie: otherEpoch })).status).toBe(401);
  });

  it("refuses a wrong token at the form with 401 and never echoes it", async () => {
    const wrong = "not-the-token-but-long-enough";
    const reply = await login(wrong);
    expect(reply.status).toBe(401);
    expect(reply.text).toContain("That token is not the dashboard");
    expect(reply.text).not.toContain(wrong);
    expect(reply.headers["set-cookie"]).toBeUndefined();
  });

  it("refuses a login form posted from another site", async () => {
    const reply = await login(admin.token, { origin: "https://evil.example" });
    expect(reply.status).toBe(403);
    expect(reply.headers["set-cookie"]).toBeUndefined();
  });

  it("never redirects a login to another host", async () => {
    const reply = await send(admin.router.url, {
      host: admin.host,
      method: "POST",
      path: "/login",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: admin.token, next: "//evil.example/" }).toString(),
    });
    expect(reply.headers.location).toBe("/");
  });

  it("never writes the token in a page, an error or a log line", async () => {
    const replies = await Promise.all([
      get("/routes", bearer(admin.token)),
      get("/api/routes", bearer(admin.token)),
      get("/nope", bearer(admin.token)),
      get("/routes", bearer(`${admin.token}x`)),
      get("/api/test?host=%%%", bearer(admin.token)),
      login(admin.token),
      login(`${admin.token}x`),
    ]);
    for (const reply of replies) {
      expect(reply.text).not.toContain(admin.token);
      expect(JSON.stringify(reply.headers)).not.toContain(admin.token);
    }
    expect(admin.router.logs.join("\n")).not.toContain(admin.token);
  });
});

describe("dashboard configuration", () => {
  it("answers 503 'not configured' when ADMIN_HOST is set but no credential is", async () => {
    const router = await startRouter({ ADMIN_HOST: "admin-open.test" });
    try {
      for (const path of ["/", "/login", "/metrics", "/api/routes"]) {
        const reply = await send(router.url, { host: "admin-open.test", path });
        expect(reply.status, path).toBe(503);
        expect(reply.text).toContain("The dashboard is not configured");
      }
    } finally {
      await router.dispose();
    }
  });

  it("refuses a short ADMIN_TOKEN without saying it, and routes other hosts as before", async () => {
    const router = await startRouter({ ADMIN_HOST: "admin-short.test", ADMIN_TOKEN: "short-token" });
    try {
      const reply = await send(router.url, { host: "admin-short.test", path: "/", headers: bearer("short-token") });
      expect(reply.status).toBe(500);
      expect(reply.text).toContain("ADMIN_TOKEN has an invalid value");
      expect(reply.text).not.toContain("short-token");
      expect((await send(router.url, { host: "nothing-here.test.example" })).status).toBe(403);
    } finally {
      await router.dispose();
    }
  });
});
