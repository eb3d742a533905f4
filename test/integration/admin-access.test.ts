import { createSign, generateKeyPairSync, type KeyObject } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send } from "../support/http.ts";
import { startRouter, type RouterUnderTest } from "../support/stack.ts";
import { startHttpUpstream, type TestUpstream } from "../support/upstream.ts";
import { eventually } from "../support/wait.ts";

/*
 * Cloudflare Access in front of the dashboard, with a team domain played by
 * a loopback server that publishes its keys at /cdn-cgi/access/certs as
 * Access does, and tokens signed here (RS256).
 */

const AUDIENCE = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2";
const HOST = "admin-access.test";
const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const otherKeys = generateKeyPairSync("rsa", { modulusLength: 2048 });
let team: TestUpstream;
let teamOrigin: string;
let router: RouterUnderTest;

const b64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

let certFetches = 0;

function sign(claims: Record<string, unknown>, key: KeyObject = keys.privateKey, kid = "key-1"): string {
  const head = `${b64url(JSON.stringify({ alg: "RS256", kid, typ: "JWT" }))}.${b64url(JSON.stringify(claims))}`;
  return `${head}.${createSign("RSA-SHA256").update(head).sign(key).toString("base64url")}`;
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: teamOrigin, aud: [AUDIENCE], exp: now + 600, iat: now, email: "ops@example.com", ...overrides };
}

beforeAll(async () => {
  team = await startHttpUpstream((request, response) => {
    if (request.url !== "/cdn-cgi/access/certs") return void response.writeHead(404).end();
    certFetches++;
    const jwk = { ...keys.publicKey.export({ format: "jwk" }), kid: "key-1", alg: "RS256", use: "sig" };
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
  });
  teamOrigin = `http://127.0.0.1:${team.port}`;
  router = await startRouter({ ADMIN_HOST: HOST, ADMIN_ACCESS_TEAM_DOMAIN: teamOrigin, ADMIN_ACCESS_AUD: AUDIENCE });
});
afterAll(async () => {
  await Promise.all([router.dispose(), team.close()]);
});

const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
  send(router.url, {
    host: HOST,
    path,
    headers: token === undefined ? headers : { ...headers, "cf-access-jwt-assertion": token },
  });

describe("Cloudflare Access", () => {
  it("lets a request with a valid Access token in", async () => {
    expect((await get("/api/traffic", sign(claims()))).status).toBe(200);
    expect((await get("/metrics", sign(claims({ aud: AUDIENCE })))).status).toBe(200);
  });

  it("refuses a token for another application, another team, expired, or signed by another key", async () => {
    for (const token of [
      sign(claims({ aud: ["another-application"] })),
      sign(claims({ iss: "https://other.cloudflareaccess.com" })),
      sign(claims({ exp: Math.floor(Date.now() / 1000) - 10 })),
      sign(claims(), otherKeys.privateKey),
      sign(claims(), keys.privateKey, "unknown-key"),
      "not.a.jwt",
    ]) {
      const reply = await get("/api/traffic", token);
      expect(reply.status).toBe(401);
      expect(reply.text).not.toContain(token);
    }
  });

  it("answers 401, never 500, to a signature that is not base64url", async () => {
    const [head, body] = sign(claims()).split(".");
    const reply = await get("/api/traffic", `${head}.${body}.not*base64url!`);
    expect(reply.status).toBe(401);
  });

  it("fetches the team's keys again for unknown key ids at most once a minute, however many arrive", async () => {
    await get("/api/traffic", sign(claims(), keys.privateKey, "warm-up"));
    const before = certFetches;
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => get("/api/traffic", sign(claims(), keys.privateKey, `made-up-${i}`))),
    );
    expect(replies.map((reply) => reply.status)).toEqual(Array<number>(20).fill(401));
    expect(certFetches - before).toBe(0);
  });

  it("has no login form without ADMIN_TOKEN: a browser without a token gets 401, not a form", async () => {
    const reply = await get("/", undefined, { accept: "text/html" });
    expect(reply.status).toBe(401);
    expect((await get("/login")).status).toBe(404);
  });

  it("logs why a token was refused, never the token", async () => {
    const token = sign(claims({ aud: "nope" }));
    await get("/routes", token);
    // Log lines arrive through workerd's stdout, a moment after the reply.
    await eventually(() => router.logs.join("\n").includes("Cloudflare Access token for another application"));
    const log = router.logs.join("\n");
    expect(log).toContain("Cloudflare Access token for another application");
    expect(log).not.toContain(token);
  });
});
