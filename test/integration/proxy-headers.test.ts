import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { startDemoApp, type EchoReply, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { freePort } from "../../scripts/lib/ports.ts";
import { send } from "../support/http.ts";
import { routedHost, startRouter, uniqueHost, type RouterUnderTest } from "../support/stack.ts";
import { startTcpUpstream, type TestUpstream } from "../support/upstream.ts";

let router: RouterUnderTest;
let app: RunningDemoApp;

beforeAll(async () => {
  [router, app] = await Promise.all([startRouter(), startDemoApp({ name: "hdr" })]);
});
afterAll(async () => {
  await Promise.all([router.dispose(), app.close()]);
});

async function echo(host: string, headers: Record<string, string> = {}): Promise<EchoReply> {
  const reply = await send(router.url, { host, path: "/echo", headers });
  expect(reply.status).toBe(200);
  return reply.json<EchoReply>();
}

describe("hop-by-hop headers (RFC 9110 §7.6.1)", () => {
  it("removes them from the request: Connection, what it names, Keep-Alive, Proxy-*, TE, Trailer, Upgrade", async () => {
    const host = await routedHost("hop-req", app.address);
    // Chunked and with a body: node:http sends Trailer only on such a request.
    const reply = await send(router.url, {
      host,
      method: "POST",
      path: "/echo",
      body: "x",
      headers: {
        "transfer-encoding": "chunked",
        connection: "keep-alive, X-Client-Hop",
        "x-client-hop": "secret",
        "keep-alive": "timeout=5",
        "proxy-authorization": "Basic dXNlcjpwYXNz",
        "proxy-connection": "keep-alive",
        te: "trailers",
        trailer: "X-Checksum",
        upgrade: "h2c",
        "x-end-to-end": "kept",
      },
    });
    const { headers } = reply.json<EchoReply>();
    for (const name of ["x-client-hop", "keep-alive", "proxy-authorization", "proxy-connection", "te", "trailer"]) {
      expect(headers, name).not.toHaveProperty(name);
    }
    expect(headers.upgrade).toBeUndefined();
    expect(String(headers.connection ?? "")).not.toMatch(/x-client-hop|upgrade/i);
    expect(headers["x-end-to-end"]).toBe("kept");
  });

  it("removes them from the response: Connection, what it names, Keep-Alive, Proxy-Authenticate, Trailer, Upgrade", async () => {
    const upstream: TestUpstream = await startTcpUpstream((socket) => {
      let buffered = "";
      socket.on("data", (chunk: Buffer) => {
        buffered += chunk.toString("latin1");
        if (!buffered.includes("\r\n\r\n")) return;
        buffered = "";
        socket.write(
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: keep-alive, X-Upstream-Hop\r\n" +
            "X-Upstream-Hop: secret\r\nKeep-Alive: timeout=5\r\nProxy-Authenticate: Basic realm=x\r\n" +
            "Trailer: X-Checksum\r\nUpgrade: h2c\r\nX-End-To-End: kept\r\nContent-Length: 2\r\n\r\nok",
        );
      });
    });
    try {
      const host = await routedHost("hop-res", upstream.address);
      const reply = await send(router.url, { host });
      expect(reply.text).toBe("ok");
      for (const name of ["x-upstream-hop", "keep-alive", "proxy-authenticate", "trailer", "upgrade"]) {
        expect(reply.headers, name).not.toHaveProperty(name);
      }
      expect(String(reply.headers.connection ?? "")).not.toMatch(/x-upstream-hop/i);
      expect(reply.headers["x-end-to-end"]).toBe("kept");
    } finally {
      await upstream.close();
    }
  });
});

describe("answers passed on as fetch() gave them", () => {
  /** An upstream answering every request with `head` (status line and headers) and "ok". */
  async function answering(head: string): Promise<TestUpstream> {
    return startTcpUpstream((socket) => {
      let buffered = "";
      socket.on("data", (chunk: Buffer) => {
        buffered += chunk.toString("latin1");
        if (!buffered.includes("\r\n\r\n")) return;
        buffered = "";
        socket.write(`${head}Content-Length: 2\r\n\r\nok`);
      });
    });
  }

  it("still lose the connection's own headers: Connection: keep-alive, Keep-Alive, TE, Trailer, Upgrade", async () => {
    // Nothing here needs the router's copy (no Location, nothing Connection
    // names, no Proxy-*): the runtime itself drops these (response-headers.ts).
    const upstream = await answering(
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n" +
        "TE: trailers\r\nTrailer: X-Checksum\r\nUpgrade: h2c\r\nX-End-To-End: kept\r\n",
    );
    try {
      const reply = await send(router.url, { host: await routedHost("hop-plain", upstream.address) });
      expect(reply.text).toBe("ok");
      for (const name of ["keep-alive", "te", "trailer", "upgrade"])
        expect(reply.headers, name).not.toHaveProperty(name);
      expect(reply.headers["x-end-to-end"]).toBe("kept");
    } finally {
      await upstream.close();
    }
  });

  it("are copied when a hop-by-hop header would pass the runtime: Proxy-Authenticate", async () => {
    const upstream = await answering("HTTP/1.1 200 OK\r\nProxy-Authenticate: Basic realm=x\r\nX-End-To-End: kept\r\n");
    try {
      const reply = await send(router.url, { host: await routedHost("hop-proxy", upstream.address) });
      expect(reply.text).toBe("ok");
      expect(reply.headers).not.toHaveProperty("proxy-authenticate");
      expect(reply.headers["x-end-to-end"]).toBe("kept");
    } finally {
      await upstream.close();
    }
  });

  it("carry no Server-Timing of the router's unless SERVER_TIMING is on", async () => {
    const reply = await send(router.url, { host: await routedHost("no-timing", app.address), path: "/echo" });
    expect(reply.status).toBe(200);
    expect(reply.headers).not.toHaveProperty("server-timing");
  });
});

describe("forwarding headers", () => {
  it("appends the client's address to X-Forwarded-For, keeping a client-sent value in front", async () => {
    const host = await routedHost("xff", app.address);
    expect((await echo(host)).headers["x-forwarded-for"]).toBe("127.0.0.1");
    const { headers } = await echo(host, { "x-forwarded-for": "203.0.113.9, 198.51.100.7" });
    expect(headers["x-forwarded-for"]).toBe("203.0.113.9, 198.51.100.7, 127.0.0.1");
  });

  it("describes the original request in X-Forwarded-Host/-Proto/-Port, replacing client-sent values", async () => {
    const host = await routedHost("xfh", app.address);
    const reply = await send(router.url, {
      host: `${host}:8443`,
      path: "/echo",
      // Not X-Forwarded-Proto: Miniflare (local only) takes it as the URL's scheme.
      headers: { "x-forwarded-host": "spoofed.example", "x-forwarded-port": "1" },
    });
    const { headers } = reply.json<EchoReply>();
    expect(headers["x-forwarded-host"]).toBe(`${host}:8443`);
    expect(headers["x-forwarded-proto"]).toBe("http");
    expect(headers["x-forwarded-port"]).toBe("8443");
  });

  it("adds an RFC 7239 Forwarded element after any the client sent", async () => {
    const host = await routedHost("fwd7239", app.address);
    expect((await echo(host)).headers.forwarded).toBe(`for=127.0.0.1;host=${host};proto=http`);
    const { headers } = await echo(host, { forwarded: 'for="[2001:db8::1]"' });
    expect(headers.forwarded).toBe(`for="[2001:db8::1]", for=127.0.0.1;host=${host};proto=http`);
  });

  it("appends a Via entry naming the router (RFC 9110 §7.6.3)", async () => {
    const host = await routedHost("via", app.address);
    expect((await echo(host)).headers.via).toBe("1.1 edge-host-router");
    expect((await echo(host, { via: "1.0 fred" })).headers.via).toBe("1.0 fred, 1.1 edge-host-router");
  });

  it("counts hops in X-Host-Router-Hops, so a request that comes back is recognised", async () => {
    const host = await routedHost("hops", app.address);
    expect((await echo(host)).headers["x-host-router-hops"]).toBe("1");
    expect((await echo(host, { "x-host-router-hops": "2" })).headers["x-host-router-hops"]).toBe("3");
  });

  it("sends the upstream the URL's host as Host (platform rule) and the client's in X-Forwarded-Host", async () => {
    const host = await routedHost("host", app.address);
    const { headers } = await echo(host);
    expect(headers.host).toBe(app.address);
    expect(headers["x-forwarded-host"]).toBe(host);
  });
});

describe("nothing of ours leaks", () => {
  const token = inject("bridgeToken");
  const storeAddress = new URL(inject("bridgeUrl")).host;

  it("sends the upstream neither the route store's token nor its address", async () => {
    const host = await routedHost("leak-up", app.address);
    const seen = JSON.stringify(await echo(host));
    expect(seen).not.toContain(token);
    expect(seen).not.toContain(storeAddress);
  });

  it("names neither secrets nor internal addresses in any answer", async () => {
    const refused = `127.0.0.1:${await freePort()}`;
    const hosts = [
      await routedHost("leak-ok", app.address),
      await routedHost("leak-refused", refused),
      await routedHost("leak-bad", "gopher://10.1.2.3:70"),
      uniqueHost("leak-none"),
    ];
    for (const host of hosts) {
      for (const accept of ["text/plain", "text/html", "application/json"]) {
        const reply = await send(router.url, { host, path: "/", headers: { accept } });
        const everything = JSON.stringify(reply.rawHeaders) + reply.text;
        expect(reply.status).toBeLessThan(600);
        for (const secret of [token, storeAddress, app.address, refused, "10.1.2.3"]) {
          expect(everything, `${host} (${accept}) names ${secret}`).not.toContain(secret);
        }
        expect(reply.headers["x-upstream"]).toBeUndefined();
      }
    }
  });

  it("names the upstream in X-Upstream only when DEBUG_EXPOSE_UPSTREAM asks for it", async () => {
    const debug = await startRouter({ DEBUG_EXPOSE_UPSTREAM: "true" });
    try {
      const refused = `127.0.0.1:${await freePort()}`;
      const [ok, down] = [await routedHost("dbg-ok", app.address), await routedHost("dbg-down", refused)];
      expect((await send(debug.url, { host: ok })).headers["x-upstream"]).toBe(`http://${app.address}`);
      const failed = await send(debug.url, { host: down });
      expect([failed.status, failed.headers["x-upstream"]]).toEqual([502, `http://${refused}`]);
    } finally {
      await debug.dispose();
    }
  });
});
