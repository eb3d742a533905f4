import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type EchoReply, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { send } from "../support/http.ts";
import { until } from "../support/wait.ts";
import { routedHost, startRouter, type RouterUnderTest } from "../support/stack.ts";

// Who the client is, behind a trusted load balancer (here: the test itself,
// 127.0.0.1, handed over as `workerd serve` does, in request.cf.clientIp),
// and which identity claims of the client reach the upstream.
let router: RouterUnderTest;
let app: RunningDemoApp;

beforeAll(async () => {
  [router, app] = await Promise.all([
    startRouter(
      { CLIENT_ADDRESS: "connection", TRUSTED_PROXIES: "127.0.0.1/32" },
      { cf: { clientIp: "127.0.0.1:40000" } },
    ),
    startDemoApp({ name: "identity" }),
  ]);
});
afterAll(async () => {
  await Promise.all([router.dispose(), app.close()]);
});

const echo = async (host: string, headers: Record<string, string>) =>
  (await send(router.url, { host, path: "/echo", headers })).json<EchoReply>().headers;

/** The access log's lines for `host`. */
function logged(host: string): { host?: string; clientIp?: string | null }[] {
  return router.logs
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { host?: string; clientIp?: string | null })
    .filter((entry) => entry.host === host);
}

/** The access log's clientIp for the `count`th request to `host`, once its line is written (a moment after the reply). */
async function loggedClient(host: string, count: number): Promise<string | null | undefined> {
  await until(() => logged(host).length >= count);
  return logged(host)[count - 1]?.clientIp;
}

describe("client address behind a trusted proxy", () => {
  it("reads X-Forwarded-For entries without their port (IPv4 and bracketed IPv6)", async () => {
    const host = await routedHost(
      "xff-port",
      JSON.stringify({ backends: app.address, ipAllowList: { sourceRange: ["203.0.113.0/24", "2001:db8::/32"] } }),
    );
    for (const entry of ["203.0.113.5:51234", "[2001:db8::1]:443", "[2001:db8::1]"]) {
      const reply = await send(router.url, { host, path: "/echo", headers: { "x-forwarded-for": entry } });
      expect(reply.status, entry).toBe(200);
      expect(reply.json<EchoReply>().headers["x-real-ip"], entry).toMatch(/^(203\.0\.113\.5|2001:db8::1)$/);
    }
  });

  it("makes an entry that is no address an unknown client: an allow list of the proxy refuses it (403)", async () => {
    const host = await routedHost(
      "xff-unknown",
      JSON.stringify({ backends: app.address, ipAllowList: { sourceRange: ["127.0.0.1/32"] } }),
    );
    expect((await send(router.url, { host, path: "/echo" })).status).toBe(200); // the proxy itself
    for (const [index, entry] of ["unknown", "client.example", "_hidden", "203.0.113.5:x"].entries()) {
      const reply = await send(router.url, { host, path: "/echo", headers: { "x-forwarded-for": entry } });
      expect(reply.status, entry).toBe(403);
      expect(await loggedClient(host, index + 2), entry).toBeNull();
    }
  });

  it("counts every unknown client in one shared rate-limit bucket", async () => {
    const host = await routedHost(
      "xff-bucket",
      JSON.stringify({ backends: app.address, rateLimit: { average: 1, period: "1h", burst: 1 } }),
    );
    const status = async (xff: string) =>
      (await send(router.url, { host, path: "/echo", headers: { "x-forwarded-for": xff } })).status;
    expect(await status("unknown")).toBe(200);
    expect(await status("not-an-address")).toBe(429); // the same bucket: "unknown"
    expect(await status("198.51.100.9")).toBe(200); // a known client has its own
  });
});

describe("identity headers a client sends", () => {
  it("replaces X-Real-IP with the real address and removes the other address and URL claims", async () => {
    const host = await routedHost("claims", app.address);
    const headers = await echo(host, {
      "x-real-ip": "6.6.6.6",
      "true-client-ip": "6.6.6.6",
      "x-client-ip": "6.6.6.6",
      "x-forwarded-prefix": "/admin",
      "x-original-url": "/admin/delete",
      "x-rewrite-url": "/admin/delete",
    });
    expect(headers["x-real-ip"]).toBe("127.0.0.1");
    for (const name of ["true-client-ip", "x-client-ip", "x-forwarded-prefix", "x-original-url", "x-rewrite-url"]) {
      expect(headers[name], name).toBeUndefined();
    }
  });

  it("removes the scheme claims Rack and IIS believe before X-Forwarded-Proto, so plain HTTP cannot pass for HTTPS", async () => {
    const host = await routedHost("scheme-claims", app.address);
    const headers = await echo(host, {
      "x-forwarded-ssl": "on",
      "x-forwarded-scheme": "https",
      "x-url-scheme": "https",
      "front-end-https": "on",
    });
    expect(headers["x-forwarded-proto"]).toBe("http");
    for (const name of ["x-forwarded-ssl", "x-forwarded-scheme", "x-url-scheme", "front-end-https"]) {
      expect(headers[name], name).toBeUndefined();
    }
  });

  it("drops a Forwarded that is not well formed, so an open quote cannot swallow the router's own element", async () => {
    const host = await routedHost("forwarded-quote", app.address);
    const ours = `for=127.0.0.1;host=${host};proto=http`;
    for (const sent of ['for="198.51.100.1', 'for=198.51.100.1;by="x', 'for="\\"']) {
      expect((await echo(host, { forwarded: sent }))["forwarded"], sent).toBe(ours);
    }
    // A well-formed one stays in front, ours last.
    expect((await echo(host, { forwarded: 'for="[2001:db8::1]"' }))["forwarded"]).toBe(`for="[2001:db8::1]", ${ours}`);
  });

  it("still lets a route set X-Forwarded-Prefix for a prefix it strips", async () => {
    const host = await routedHost(
      "prefix",
      JSON.stringify({
        paths: { "/app": { backends: app.address, strip: true, requestHeaders: { "X-Forwarded-Prefix": "/app" } } },
      }),
    );
    const reply = await send(router.url, { host, path: "/app/echo", headers: { "x-forwarded-prefix": "/evil" } });
    expect(reply.json<EchoReply>().headers["x-forwarded-prefix"]).toBe("/app");
  });
});
