import { createHash, randomBytes } from "node:crypto";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type EchoReply, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { send } from "../support/http.ts";
import { rawRequest } from "../support/raw.ts";
import { routedHost, startRouter, type RouterUnderTest } from "../support/stack.ts";
import { startHttpUpstream } from "../support/upstream.ts";
import { within } from "../support/wait.ts";

let router: RouterUnderTest;
let app: RunningDemoApp;

beforeAll(async () => {
  [router, app] = await Promise.all([startRouter(), startDemoApp({ name: "fwd" })]);
});
afterAll(async () => {
  await Promise.all([router.dispose(), app.close()]);
});

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

describe("methods", () => {
  it.each(["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"])("forwards %s with its body", async (method) => {
    const host = await routedHost("method", app.address);
    const body = `${method} body ${"x".repeat(1000)}`;
    const reply = await send(router.url, {
      host,
      method,
      path: "/echo",
      headers: { "content-type": "text/plain", "content-length": String(Buffer.byteLength(body)) },
      body,
    });
    expect(reply.status).toBe(200);
    expect(reply.json<EchoReply>()).toMatchObject({ method, bodyLength: body.length, bodySha256: sha256(body) });
  });

  it("forwards GET, and HEAD answers carry the headers but no body", async () => {
    const host = await routedHost("head", app.address);
    const get = await send(router.url, { host, path: "/" });
    expect(get.text).toBe("Hello world! I am fwd.\n");
    const head = await send(router.url, { host, method: "HEAD", path: "/" });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers["content-type"]).toBe(get.headers["content-type"]);
    expect(head.headers["x-app"]).toBe("fwd");
    expect(app.requests).toBeGreaterThanOrEqual(2);
  });

  it("forwards a GET with an empty body (Content-Length: 0), which fetch() alone would refuse", async () => {
    const host = await routedHost("get0", app.address);
    const reply = await send(router.url, { host, path: "/echo", headers: { "content-length": "0" } });
    expect(reply.status).toBe(200);
    expect(reply.json<EchoReply>()).toMatchObject({ method: "GET", bodyLength: 0 });
  });

  it("answers 400 to a GET with a body, which the platform cannot forward, rather than drop it", async () => {
    const host = await routedHost("getbody", app.address);
    const before = app.requests;
    const reply = await send(router.url, { host, path: "/echo", headers: { "content-length": "3" }, body: "abc" });
    expect(reply.status).toBe(400);
    expect(reply.text).toContain("A GET request with a body cannot be forwarded");
    expect(app.requests).toBe(before);
  });
});

describe("request target", () => {
  it("passes the query byte for byte, and a canonical path as it is", async () => {
    const host = await routedHost("exact", app.address);
    const target = "/echo/a%20b/c+d;e,f?q=%20&r=1&s=%zz&t=a+b&u=%2f&&v";
    const reply = await send(router.url, { host, path: target });
    expect(reply.json<EchoReply>().url).toBe(target);
  });

  it("sends the canonical form of any other path (docs/forwarding.md#canonical-path), the query untouched", async () => {
    const host = await routedHost("canonical", app.address);
    const reply = await send(router.url, { host, path: "/echo//a%7e/./c%c3%a9?q=%2F..//x&s=%zz" });
    expect(reply.json<EchoReply>().url).toBe("/echo/a~/c%C3%A9?q=%2F..//x&s=%zz");
    expect((await send(router.url, { host, path: "/echo/a%2Fb" })).status).toBe(400);
  });

  it("documents a platform difference: dot segments are resolved before the worker runs", async () => {
    const host = await routedHost("dots", app.address);
    const reply = await rawRequest(
      router.url,
      `GET /echo/a/../b/./c HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    );
    expect(reply.text).toContain('"url":"/echo/b/c"');
  });

  it("never lets an absolute-form target choose the upstream: the Host header does", async () => {
    const other = await startDemoApp({ name: "other" });
    try {
      const [host, otherHost] = [await routedHost("abs", app.address), await routedHost("abs-other", other.address)];
      const reply = await rawRequest(
        router.url,
        `GET http://${otherHost}/echo?x=1 HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      expect(reply.status).toBe(200);
      expect(reply.text).toContain('"app":"fwd"');
      expect(reply.text).toContain('"url":"/echo?x=1"');
      expect(other.requests).toBe(0);
    } finally {
      await other.close();
    }
  });

  it("does not let Content-Length + Transfer-Encoding smuggle a second request to the upstream", async () => {
    const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
    const upstream = await startHttpUpstream((request, response) => {
      seen.push({ url: request.url ?? "", headers: request.headers });
      request.resume();
      request.on("end", () => response.end("ok"));
    });
    try {
      const host = await routedHost("smuggle", upstream.address);
      const smuggled = `GET /smuggled HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
      await rawRequest(
        router.url,
        `POST /first HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${5 + smuggled.length}\r\n` +
          `Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n${smuggled}`,
      );
      expect(seen.map((s) => s.url)).toEqual(["/first"]);
      expect(seen[0]?.headers["content-length"] !== undefined && seen[0]?.headers["transfer-encoding"]).toBeFalsy();
    } finally {
      await upstream.close();
    }
  });
});

describe("streaming", () => {
  it("streams a 100 MB upload to the upstream: it is receiving before the client has finished", async () => {
    const size = 100 * 1024 * 1024;
    const chunkSize = 1024 * 1024;
    let firstBytes: () => void = () => undefined;
    const upstreamReceiving = new Promise<void>((resolve) => (firstBytes = resolve));
    const upstream = await startHttpUpstream((request, response) => {
      const hash = createHash("sha256");
      let length = 0;
      request.on("data", (chunk: Buffer) => {
        if (length === 0) firstBytes();
        length += chunk.length;
        hash.update(chunk);
      });
      request.on("end", () =>
        response.end(
          JSON.stringify({ length, sha256: hash.digest("hex"), contentLength: request.headers["content-length"] }),
        ),
      );
    });
    try {
      const host = await routedHost("upload", upstream.address);
      const sent = createHash("sha256");
      const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: router.url.hostname,
            port: router.port,
            method: "PUT",
            path: "/upload",
            headers: { host, "content-length": String(size), "content-type": "application/octet-stream" },
            agent: false,
          },
          (res) => {
            let body = "";
            res.on("data", (chunk: Buffer) => (body += chunk.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on("error", reject);
        void (async () => {
          for (let offset = 0; offset < size; offset += chunkSize) {
            const chunk = randomBytes(chunkSize);
            sent.update(chunk);
            if (!req.write(chunk)) await new Promise((r) => req.once("drain", r));
            // A worker that buffered the body would never let these bytes
            // through before the end: the upload would stall here.
            if (offset === 0) {
              await within(upstreamReceiving, 10_000, "the upstream got nothing while the client was sending");
            }
          }
          req.end();
        })().catch(reject);
      });
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body)).toEqual({ length: size, sha256: sent.digest("hex"), contentLength: String(size) });
    } finally {
      await upstream.close();
    }
  });

  it("streams a slow response (server-sent events): the first event arrives before the upstream ends", async () => {
    let clientGotFirst: () => void = () => undefined;
    const firstArrived = new Promise<void>((resolve) => (clientGotFirst = resolve));
    const upstream = await startHttpUpstream((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      response.write("data: one\n\n");
      // The rest is only sent once the client has the first event: a router
      // that waited for the whole body would wait forever.
      void firstArrived.then(() => response.end("data: two\n\n"));
    });
    try {
      const host = await routedHost("sse", upstream.address);
      const events = await new Promise<string[]>((resolve, reject) => {
        const req = httpRequest(
          { host: router.url.hostname, port: router.port, path: "/events", headers: { host }, agent: false },
          (res) => {
            const received: string[] = [];
            within(firstArrived, 10_000, "the first event did not arrive before the upstream ended").catch(reject);
            res.on("data", (chunk: Buffer) => {
              received.push(chunk.toString());
              if (received.join("").includes("data: one\n\n")) clientGotFirst();
            });
            res.on("end", () => resolve(received));
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        req.end();
      });
      expect(events.join("")).toBe("data: one\n\ndata: two\n\n");
      expect(events[0]).toBe("data: one\n\n");
    } finally {
      await upstream.close();
    }
  });
});

describe("response fidelity", () => {
  it("passes a gzip response through byte for byte, and the upstream sees the client's Accept-Encoding", async () => {
    // Level 1 and a file name in the header: a decode + re-encode would not
    // reproduce these bytes.
    const payload = Buffer.from("compressible text, ".repeat(20_000));
    const gzipped = gzipSync(payload, { level: 1 });
    gzipped[3] = 0x08; // FLG.FNAME ...
    const named = Buffer.concat([gzipped.subarray(0, 10), Buffer.from("orig.txt\0"), gzipped.subarray(10)]);
    const acceptEncodings: (string | undefined)[] = [];
    const upstream = await startHttpUpstream((request, response) => {
      acceptEncodings.push(request.headers["accept-encoding"]);
      response.writeHead(200, {
        "content-type": "text/plain; charset=utf-8",
        "content-encoding": "gzip",
        "content-length": named.length,
      });
      response.end(named);
    });
    try {
      const host = await routedHost("gzip", upstream.address);
      const reply = await send(router.url, { host, headers: { "accept-encoding": "gzip" } });
      expect(reply.headers["content-encoding"]).toBe("gzip");
      expect(sha256(reply.body)).toBe(sha256(named));
      expect(acceptEncodings).toEqual(["gzip"]);
      // A client that accepts no encoding: the upstream is not told otherwise.
      await send(router.url, { host, path: "/plain" });
      expect(acceptEncodings[1]).toBeUndefined();
    } finally {
      await upstream.close();
    }
  });

  it("keeps several Set-Cookie headers as several headers", async () => {
    const cookies = [
      "a=1; Path=/; HttpOnly",
      "b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Secure",
      "c=3, with a comma; SameSite=Lax",
    ];
    const upstream = await startHttpUpstream((_request, response) => {
      response.writeHead(200, { "set-cookie": cookies, "content-type": "text/plain" });
      response.end("cookies");
    });
    try {
      const host = await routedHost("cookies", upstream.address);
      const reply = await send(router.url, { host });
      expect(reply.headers["set-cookie"]).toEqual(cookies);
    } finally {
      await upstream.close();
    }
  });
});

describe("redirects", () => {
  let redirecting: Awaited<ReturnType<typeof startHttpUpstream>>;
  let requests = 0;
  beforeAll(async () => {
    redirecting = await startHttpUpstream((request, response) => {
      requests++;
      const url = new URL(request.url ?? "/", "http://x");
      response.writeHead(Number(url.searchParams.get("status") ?? 302), {
        location: url.searchParams.get("to") ?? "/",
      });
      response.end();
    });
  });
  afterAll(async () => {
    await redirecting.close();
  });

  function redirect(host: string, to: string, status = 302) {
    return send(router.url, { host, path: `/r?status=${status}&to=${encodeURIComponent(to)}` });
  }

  it.each([301, 302, 303, 307, 308])("returns a %i to the client instead of following it", async (status) => {
    const host = await routedHost("follow", redirecting.address);
    const before = requests;
    const reply = await redirect(host, "https://elsewhere.example/next", status);
    expect(reply.status).toBe(status);
    expect(reply.headers.location).toBe("https://elsewhere.example/next");
    expect(requests - before).toBe(1);
  });

  it("rewrites a Location naming the upstream's own address to the public host (proxy_redirect default)", async () => {
    const host = await routedHost("own", redirecting.address);
    const reply = await redirect(host, `http://${redirecting.address}/login?next=%2Fa%2Fb`);
    expect(reply.headers.location).toBe(`http://${host}/login?next=%2Fa%2Fb`);
    expect(reply.text).not.toContain(redirecting.address);
  });

  it("takes the route's base path off a rewritten Location", async () => {
    const host = await routedHost("base", `http://${redirecting.address}/v2`);
    const reply = await send(router.url, {
      host,
      path: `/r?to=${encodeURIComponent(`http://${redirecting.address}/v2/login`)}`,
    });
    expect(reply.headers.location).toBe(`http://${host}/login`);
  });

  it.each([
    ["another origin", "https://elsewhere.example/x"],
    ["a relative path", "/relative/path?q=1"],
    ["the upstream's address over another scheme", "https://UPSTREAM/x"],
  ])("leaves a Location to %s alone", async (_what, template) => {
    const location = template.replace("UPSTREAM", redirecting.address);
    const host = await routedHost("other", redirecting.address);
    expect((await redirect(host, location)).headers.location).toBe(location);
  });
});
