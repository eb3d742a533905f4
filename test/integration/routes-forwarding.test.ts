import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type EchoReply, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { send } from "../support/http.ts";
import { logDetailsFor, routesClient, startRouter, uniqueHost, type RouterUnderTest } from "../support/stack.ts";
import { startHttpUpstream } from "../support/upstream.ts";
import { eventually } from "../support/wait.ts";

/**
 * A route's options (header edits, path prefixes) applied while forwarding:
 * the client must get the same bytes and statuses through a route with
 * options as through a plain one.
 */
const redis = routesClient();
let router: RouterUnderTest;
let app: RunningDemoApp;

beforeAll(async () => {
  [router, app] = await Promise.all([startRouter(), startDemoApp({ name: "opts" })]);
});
afterAll(async () => {
  await Promise.all([router.dispose(), app.close()]);
});

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

async function route(value: unknown): Promise<string> {
  const host = uniqueHost("opts");
  await redis.set(host, typeof value === "string" ? value : JSON.stringify(value));
  return host;
}

describe("route header edits", () => {
  it("pass a gzip body through byte for byte when the route edits response headers", async () => {
    const gzipped = gzipSync(Buffer.from("compressible text, ".repeat(20_000)), { level: 1 });
    const upstream = await startHttpUpstream((_request, response) => {
      response.writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip" });
      response.end(gzipped);
    });
    try {
      const host = await route({ backends: upstream.address, responseHeaders: { "X-Edited": "1" } });
      const reply = await send(router.url, { host, headers: { "accept-encoding": "gzip" } });
      expect(reply.status).toBe(200);
      expect(reply.headers["x-edited"]).toBe("1");
      expect(reply.headers["content-encoding"]).toBe("gzip");
      // Not gzip inside gzip: the very bytes the upstream sent.
      expect([reply.body.length, sha256(reply.body)]).toEqual([gzipped.length, sha256(gzipped)]);
    } finally {
      await upstream.close();
    }
  });

  it("apply request edits after the client's headers but before the forwarding headers", async () => {
    const host = await route({
      backends: app.address,
      requestHeaders: { "Accept-Encoding": "identity", "X-Env": "prod", Cookie: null },
    });
    const reply = await send(router.url, {
      host,
      path: "/echo",
      headers: { "accept-encoding": "x-custom", cookie: "a=1", "x-forwarded-for": "203.0.113.9" },
    });
    const { headers } = reply.json<EchoReply>();
    expect(headers["accept-encoding"]).toBe("identity");
    expect(headers["x-env"]).toBe("prod");
    expect(headers["cookie"]).toBeUndefined();
    // The client's value first, the router's own last.
    expect(headers["x-forwarded-for"]).toBe("203.0.113.9, 127.0.0.1");
    expect(headers["x-forwarded-host"]).toBe(host);
  });

  it.each(["X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded", "Via", "X-Host-Router-Hops"])(
    "refuse a route that edits %s, what the router vouches for (502 for that host)",
    async (name) => {
      const host = await route({ backends: app.address, requestHeaders: { [name]: "10.9.9.9" } });
      const reply = await send(router.url, { host, path: "/echo" });
      expect(reply.status).toBe(502);
      const why = `the "${name}" header cannot be set by a route`;
      await eventually(
        () => logDetailsFor(router, host).some((detail) => detail.includes(why)),
        3000,
        `no log: ${why}`,
      );
    },
  );
});

describe("GET or HEAD with a body", () => {
  it("answers 400 whatever the route does with the request, and never drops the body silently", async () => {
    const received: string[] = [];
    const upstream = await startHttpUpstream((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        received.push(body);
        response.end("ok");
      });
    });
    try {
      const hosts = [
        await route(upstream.address),
        await route({ backends: upstream.address, requestHeaders: { "X-A": "1" } }),
        await route({ backends: upstream.address, responseHeaders: { "X-A": "1" } }),
        await route({ backends: [upstream.address, upstream.address], strategy: "round-robin" }),
        await route({ paths: { "/app": { backends: upstream.address, strip: true } } }),
        await route({ redirect: "https://www.example.com" }),
        uniqueHost("unrouted"),
      ];
      for (const method of ["GET", "HEAD"]) {
        for (const [i, host] of hosts.entries()) {
          // Node frames no GET body by itself: the length says there is one.
          const headers = { "content-length": "5" };
          const reply = await send(router.url, { host, method, path: "/app/x", headers, body: "hello" });
          expect([method, `hosts[${i}]`, reply.status]).toEqual([method, `hosts[${i}]`, 400]);
        }
      }
      expect(received).toEqual([]);
      // An empty body (Content-Length: 0) is no body: forwarded as a plain GET.
      const empty = await send(router.url, {
        host: hosts[1] ?? "",
        path: "/app/x",
        headers: { "content-length": "0" },
      });
      expect(empty.status).toBe(200);
      expect(received).toEqual([""]);
    } finally {
      await upstream.close();
    }
  });
});

describe("redirects under a stripped path prefix", () => {
  it("maps a Location on the upstream's own address back under the prefix (proxy_redirect default)", async () => {
    let port = 0;
    const upstream = await startHttpUpstream((request, response) => {
      const own = `http://127.0.0.1:${port}`;
      const to =
        request.url === "/x" ? `${own}/login?next=%2Fx` : request.url === "/keep/y" ? `${own}/keep/login` : "/relative";
      response.writeHead(302, { location: to });
      response.end();
    });
    port = upstream.port;
    try {
      const host = await route({
        paths: {
          "/app": { backends: upstream.address, strip: true },
          "/keep": upstream.address,
          "/slash/": { backends: upstream.address, strip: true },
        },
      });
      const location = async (path: string) => (await send(router.url, { host, path })).headers.location;
      expect(await location("/app/x")).toBe(`http://${host}/app/login?next=%2Fx`);
      expect(await location("/slash/x")).toBe(`http://${host}/slash/login?next=%2Fx`);
      // Not stripped: the upstream saw /keep/… and its own redirects already carry it.
      expect(await location("/keep/y")).toBe(`http://${host}/keep/login`);
      // Relative references are the app's business.
      expect(await location("/app/y")).toBe("/relative");
    } finally {
      await upstream.close();
    }
  });
});
