import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../src/lib/password-hash.ts";
import { rawRequest, type RawReply } from "../support/raw.ts";
import { routedHost, startRouter, type RouterUnderTest } from "../support/stack.ts";
import { startHttpUpstream, type TestUpstream } from "../support/upstream.ts";

// Path rules against every spelling of a path (docs/forwarding.md#canonical-path).
// Requests go out as raw bytes, so the router gets the target exactly as an
// attacker writes it, not as node:http or fetch would tidy it.
let router: RouterUnderTest;
let relaxed: RouterUnderTest;
let upstream: TestUpstream;
/** Every request target the upstream received, in order. */
const seen: string[] = [];
let adminHost: string;
let healthHost: string;

beforeAll(async () => {
  let alice: string;
  [router, relaxed, upstream, alice] = await Promise.all([
    startRouter(),
    startRouter({ ALLOW_ENCODED_SLASH: "true", ALLOW_ENCODED_PERCENT: "true" }),
    startHttpUpstream((request, response) => {
      seen.push(request.url ?? "");
      response.writeHead(200, { "x-app": "recorder" }).end("ok");
    }),
    hashPassword("wonderland", 10_000).then((hash) => `alice:${hash}`),
  ]);
  adminHost = await routedHost(
    "canon-admin",
    JSON.stringify({
      backends: upstream.address,
      paths: { "/admin": { backends: upstream.address, ipAllowList: { sourceRange: ["192.0.2.0/24"] } } },
    }),
  );
  healthHost = await routedHost(
    "canon-health",
    JSON.stringify({
      backends: upstream.address,
      basicAuth: { users: [alice] },
      paths: { "/health": { backends: upstream.address, basicAuth: null } },
    }),
  );
});
afterAll(async () => {
  await Promise.all([router.dispose(), relaxed.dispose(), upstream.close()]);
});

async function get(target: string, host: string, on: RouterUnderTest = router): Promise<RawReply & { saw: string[] }> {
  seen.length = 0;
  const reply = await rawRequest(on.url, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  return { ...reply, saw: [...seen] };
}

describe("one canonical path: a path rule applies however the path is spelt", () => {
  it("refuses every spelling of /admin that the /admin rule's ipAllowList protects", async () => {
    const shapes = {
      "/%61dmin/x": 403,
      "//admin/x": 403,
      "/./admin/x": 403,
      "/x/../admin/x": 403,
      "/admin%2fx": 400,
      "/%2e/admin/x": 403,
      "/x\\..\\admin\\x": 403,
      "/ADMIN/../admin": 403,
      "/%2561dmin/x": 400,
      "/admin;jsessionid=1/x": 403,
      "/x/..;/admin/x": 400,
    };
    const answers: Record<string, number> = {};
    for (const target of Object.keys(shapes)) {
      const reply = await get(target, adminHost);
      answers[target] = reply.status;
      expect(reply.saw, target).toEqual([]);
    }
    expect(answers).toEqual(shapes);
    // The route's other paths still reach the upstream.
    expect((await get("/public", adminHost)).saw).toEqual(["/public"]);
  });

  it("keeps /health's basicAuth: null from reaching /secret through dot segments or an encoded slash", async () => {
    const answers: Record<string, number> = {};
    for (const target of ["/health/..%2fsecret", "/health/../secret", "/health/%2e%2e/secret"]) {
      const reply = await get(target, healthHost);
      answers[target] = reply.status;
      expect(reply.saw, target).toEqual([]);
    }
    expect(answers).toEqual({
      "/health/..%2fsecret": 400,
      "/health/../secret": 401,
      "/health/%2e%2e/secret": 401,
    });
    expect((await get("/health", healthHost)).saw).toEqual(["/health"]);
    // The platform's URL parser resolves `..` against the empty segment first
    // (WHATWG URL), then the router merges the slashes: the rule it matched is
    // the path the upstream gets, so no upstream's own clean-up can differ.
    const merged = await get("/health//..//secret", healthHost);
    expect([merged.status, merged.saw]).toEqual([200, ["/health/secret"]]);
  });

  it("applies a rule when ; parameters sit in an earlier segment, as Tomcat, Jetty and Spring drop them", async () => {
    const host = await routedHost(
      "canon-params",
      JSON.stringify({
        backends: upstream.address,
        paths: {
          "/api/admin": { ipAllowList: { sourceRange: ["192.0.2.0/24"] } },
          "/private/": { ipAllowList: { sourceRange: ["192.0.2.0/24"] } },
          "/app/": { strip: true },
        },
      }),
    );
    for (const target of ["/api;x/admin/x", "/api;/admin", "/private;x/secret", "/private;/secret"]) {
      const reply = await get(target, host);
      expect([reply.status, reply.saw], target).toEqual([403, []]);
    }
    // A stripped prefix with parameters inside loses as many segments as the prefix has.
    expect((await get("/app;x/page?q=1", host)).saw).toEqual(["/page?q=1"]);
    expect((await get("/api;x/other", host)).saw).toEqual(["/api;x/other"]);
  });

  it("refuses overlong UTF-8 dots and slashes (%C0%AE, %C0%AF), escaped or as raw bytes, before any rule", async () => {
    const answers: Record<string, number> = {};
    for (const target of ["/health/%c0%ae%c0%ae/secret", "/health/%C0%AE%C0%AE/secret", "/health%c0%afsecret"]) {
      const reply = await get(target, healthHost);
      answers[target] = reply.status;
      expect(reply.saw, target).toEqual([]);
      expect(reply.text, target).toContain("overlong UTF-8");
    }
    expect(Object.values(answers)).toEqual([400, 400, 400]);
    // The same bytes unescaped: the platform's URL parser percent-encodes them, and the router refuses that.
    seen.length = 0;
    const raw = await rawRequest(
      router.url,
      Buffer.concat([
        Buffer.from("GET /health/"),
        Buffer.from([0xc0, 0xae, 0xc0, 0xae]),
        Buffer.from(`/secret HTTP/1.1\r\nHost: ${healthHost}\r\nConnection: close\r\n\r\n`),
      ]),
    );
    expect([raw.status, seen]).toEqual([400, []]);
    expect((await get("/health/caf%c3%a9", healthHost)).saw).toEqual(["/health/caf%C3%A9"]);
  });

  it("forwards the canonical path and the query exactly as sent", async () => {
    const through = await get("/health//%7Euser/./a/../caf%c3%a9/?q=%2f..//x&r=%61", healthHost);
    expect(through.status).toBe(200);
    expect(through.saw).toEqual(["/health/~user/caf%C3%A9/?q=%2f..//x&r=%61"]);
  });

  it("applies a paths entry that only adds a policy, with the route's backends", async () => {
    const policyOnly = await routedHost(
      "canon-inherit",
      JSON.stringify({
        backends: upstream.address,
        paths: { "/admin": { ipAllowList: { sourceRange: ["192.0.2.0/24"] } } },
      }),
    );
    expect((await get("/%61dmin/x", policyOnly)).status).toBe(403);
    const other = await get("/x", policyOnly);
    expect([other.status, other.saw]).toEqual([200, ["/x"]]);
  });

  it("answers a refused encoded character with a readable 400 naming it", async () => {
    const reply = await get("/a%5Cb", adminHost);
    expect(reply.status).toBe(400);
    expect(reply.text).toContain("encoded backslash (%5C)");
    expect(reply.text).toMatch(/^x-request-id: /im);
    expect((await get("/a%zzb", adminHost)).status).toBe(400);
  });

  it("lets an allowed encoded character through, still encoded, and matches rules against that spelling", async () => {
    const slash = await get("/docs/a%2fb", adminHost, relaxed);
    expect(slash.status).toBe(200);
    expect(slash.saw).toEqual(["/docs/a%2Fb"]);
    const percent = await get("/docs/100%25", adminHost, relaxed);
    expect(percent.saw).toEqual(["/docs/100%25"]);
    // Still canonical otherwise, and still refused where not allowed.
    expect((await get("//admin/x", adminHost, relaxed)).status).toBe(403);
    expect((await get("/a%3Bb", adminHost, relaxed)).status).toBe(400);
  });
});
