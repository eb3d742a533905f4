import { request as httpRequest } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { randomBytes } from "node:crypto";
import { bearer } from "../support/admin.ts";
import { send } from "../support/http.ts";
import { routesClient, startRouter, uniqueHost, type RouterUnderTest } from "../support/stack.ts";
import { loopbackOutbound, standInTunnel, type LoopbackOutbound, type StandInTunnel } from "../support/tunnel.ts";
import { startHttpUpstream, startResettingBackend, type TestUpstream } from "../support/upstream.ts";
import { within } from "../support/wait.ts";

/*
 * Private upstreams (docs/private-upstreams.md): the production bundle in
 * workerd with PRIVATE_NETWORK and STAGING_NETWORK bound to stand-ins for
 * Workers VPC Network bindings (test/support/tunnel.ts: each an HTTP server
 * on loopback that plays cloudflared, recording the address asked for and
 * answering from a loopback upstream). The worker's own fetch() is confined to loopback: the
 * route values name 10.0.0.7 and friends, and a bug that fetched one directly
 * must fail here, never send a packet. After each test, nothing was refused.
 */

const redis = routesClient();
const ADMIN_HOST = "admin-private-upstreams.test";
const ADMIN_TOKEN = randomBytes(24).toString("base64url");

/** An upstream that says who it is and what it received, for any path. */
function echoUpstream(name: string): Promise<TestUpstream> {
  return startHttpUpstream((request, response) => {
    let length = 0;
    request.on("data", (chunk: Buffer) => (length += chunk.length));
    request.on("end", () => {
      response.writeHead(200, { "content-type": "application/json", "x-app": name });
      response.end(
        JSON.stringify({ app: name, method: request.method, url: request.url, headers: request.headers, length }),
      );
    });
  });
}

interface Echo {
  app: string;
  method: string;
  url: string;
  headers: Record<string, string | undefined>;
  length: number;
}

let router: RouterUnderTest;
let outbound: LoopbackOutbound;
let production: StandInTunnel;
let staging: StandInTunnel;
/** A router with no bindings at all, confined the same way: everything goes direct, as today. */
let plain: RouterUnderTest;
let plainOutbound: LoopbackOutbound;
const apps: Record<string, TestUpstream> = {};
let streaming: TestUpstream;
/** A WebSocket echo server on loopback, reached as 10.0.0.40:8000 through the binding. */
let sockets: TestUpstream;
let wss: WebSocketServer;
/** Set by the streaming test: lets the streaming upstream send its second chunk. */
let releaseSecond: () => void = () => undefined;
/** Resolved by the streaming upstream when the first chunk of an upload has arrived. */
let firstChunkArrived: () => void = () => undefined;

beforeAll(async () => {
  const names = ["seed", "docker", "lan", "cgnat", "stagingApp", "balancedA", "balancedB", "live", "direct"];
  const started = await Promise.all(names.map((name) => echoUpstream(name)));
  names.forEach((name, i) => (apps[name] = started[i] as TestUpstream));
  apps["down"] = await startResettingBackend();
  streaming = await startHttpUpstream((request, response) => {
    if (request.url === "/download") {
      response.writeHead(200, { "content-type": "text/plain" });
      response.write("first chunk\n");
      releaseSecond = () => response.end("second chunk\n");
      return;
    }
    let received = "";
    request.on("data", (chunk: Buffer) => {
      received += chunk.toString();
      if (received.includes("part 1")) firstChunkArrived();
    });
    request.on("end", () => {
      response.writeHead(200, { "content-type": "text/plain" });
      response.end(`received: ${received}`);
    });
  });
  const wsHttp = await startHttpUpstream((_request, response) => response.writeHead(426).end("WebSocket only"));
  sockets = wsHttp;
  wss = new WebSocketServer({ server: wsHttp.server });
  wss.on("connection", (socket) => {
    socket.on("message", (data: RawData, isBinary: boolean) => socket.send(data, { binary: isBinary }));
  });
  const address = (name: string) => apps[name]?.address ?? "";
  production = await standInTunnel({
    "10.0.0.7:5000": address("seed"),
    "172.17.0.37:5000": address("docker"),
    "192.168.1.20:8080": address("lan"),
    "100.64.3.4:9000": address("cgnat"),
    "10.0.0.11": address("balancedA"),
    "10.0.0.12": address("balancedB"),
    "10.0.0.21": address("down"),
    "10.0.0.22": address("live"),
    "10.0.0.30:7000": streaming.address,
    "10.0.0.40:8000": sockets.address,
  });
  // The same address in another virtual network: a different app answers.
  staging = await standInTunnel({ "10.0.0.7:5000": address("stagingApp") });
  outbound = loopbackOutbound();
  plainOutbound = loopbackOutbound();
  [router, plain] = await Promise.all([
    startRouter(
      { ADMIN_HOST, ADMIN_TOKEN },
      {
        serviceBindings: { PRIVATE_NETWORK: production.service, STAGING_NETWORK: staging.service },
        outboundService: outbound.handler,
      },
    ),
    startRouter({}, { outboundService: plainOutbound.handler }),
  ]);
});

afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise((resolve) => wss.close(resolve));
  await Promise.all([
    sockets.close(),
    router.dispose(),
    plain.dispose(),
    production.close(),
    staging.close(),
    streaming.close(),
    ...Object.values(apps).map((app) => app.close()),
  ]);
});

afterEach(() => {
  // No test traffic left loopback: the worker never fetched a non-loopback address itself.
  expect(outbound.refused).toEqual([]);
});

async function routed(label: string, value: string): Promise<string> {
  const host = uniqueHost(label);
  await redis.set(host, value);
  return host;
}

describe("private upstreams through a PRIVATE_NETWORK binding", () => {
  it.each([
    ["10.0.0.7:5000", "seed", "http://10.0.0.7:5000", ""],
    ["172.17.0.37:5000", "docker", "http://172.17.0.37:5000", ""],
    ["192.168.1.20:8080", "lan", "http://192.168.1.20:8080", ""],
    ["http://100.64.3.4:9000/base", "cgnat", "http://100.64.3.4:9000", "/base"],
  ])("SET host %s: served through the binding, path and query intact", async (value, app, origin, base) => {
    const host = await routed("seed", value);
    const reply = await send(router.url, { host, path: "/orders/42?sort=desc&q=a%20b" });
    expect(reply.status).toBe(200);
    const echo = reply.json<Echo>();
    expect(echo.app).toBe(app);
    expect(echo.url).toBe(`${base}/orders/42?sort=desc&q=a%20b`);
    expect(production.asked).toContain(`${origin}${base}/orders/42?sort=desc&q=a%20b`);
    // What the tunnel carries: the forwarding headers, as for any upstream.
    expect(echo.headers["x-forwarded-host"]).toBe(host);
    expect(echo.headers["x-forwarded-proto"]).toBe("http");
    expect(echo.headers["x-host-router-hops"]).toBe("1");
  });

  it("fetches a loopback upstream directly, not through the binding", async () => {
    const host = await routed("direct", apps["direct"]?.address ?? "");
    const before = production.asked.length;
    const reply = await send(router.url, { host, path: "/x?y=1" });
    expect(reply.status).toBe(200);
    expect(reply.json<Echo>()).toMatchObject({ app: "direct", url: "/x?y=1" });
    expect(production.asked.length).toBe(before);
  });

  it('goes through the binding a route names with "network", even for an address another network also has', async () => {
    const host = await routed("staging", '{"backends": "10.0.0.7:5000", "network": "STAGING_NETWORK"}');
    const reply = await send(router.url, { host, path: "/s?t=1" });
    expect(reply.status).toBe(200);
    expect(reply.json<Echo>()).toMatchObject({ app: "stagingApp", url: "/s?t=1" });
    expect(staging.asked).toContain("http://10.0.0.7:5000/s?t=1");
  });

  it('"network": "public" fetches a loopback upstream directly', async () => {
    const host = await routed("public", `{"backends": "${apps["direct"]?.address ?? ""}", "network": "public"}`);
    const reply = await send(router.url, { host, path: "/p" });
    expect(reply.json<Echo>()).toMatchObject({ app: "direct", url: "/p" });
  });

  it("answers 502 with a readable body for a route naming a binding the worker does not have", async () => {
    const host = await routed("missing", '{"backends": "10.0.0.7:5000", "network": "NO_SUCH_NETWORK"}');
    const text = await send(router.url, { host, headers: { accept: "text/plain" } });
    expect(text.status).toBe(502);
    expect(text.text).toContain(
      `502 Bad Gateway: The route for host ${host} is invalid: it names a network binding this router does not have.`,
    );
    const json = await send(router.url, { host, headers: { accept: "application/json" } });
    expect(json.json()).toMatchObject({ status: 502, error: "network_missing" });
    const log = router.logs.find((line) => line.includes(host) && line.includes("NO_SUCH_NETWORK"));
    expect(log).toContain("no binding NO_SUCH_NETWORK in this worker (it has: PRIVATE_NETWORK, STAGING_NETWORK)");
  });

  it("balances two private backends through the binding", async () => {
    const host = await routed("balanced", '{"backends": ["10.0.0.11:80", "10.0.0.12:80"], "strategy": "round-robin"}');
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const reply = await send(router.url, { host, path: `/b${i}` });
      expect(reply.status).toBe(200);
      seen.add(reply.json<Echo>().app);
    }
    expect([...seen].sort()).toEqual(["balancedA", "balancedB"]);
    expect(production.asked).toEqual(expect.arrayContaining(["http://10.0.0.11/b0", "http://10.0.0.12/b1"]));
  });

  it("fails over from a private backend that resets to another through the binding", async () => {
    const host = await routed("failover", '{"backends": ["10.0.0.21:80", "10.0.0.22:80"], "strategy": "round-robin"}');
    for (let i = 0; i < 3; i++) {
      const reply = await send(router.url, { host, path: `/f${i}` });
      expect(reply.status).toBe(200);
      expect(reply.json<Echo>().app).toBe("live");
    }
    expect(apps["down"]?.connections).toBeGreaterThan(0);
    expect(production.asked).toContain("http://10.0.0.21/f0");
  });

  it("streams a response body back through the binding", async () => {
    const host = await routed("download", "10.0.0.30:7000");
    const url = new URL(router.url);
    const body = await within(
      new Promise<string>((resolve, reject) => {
        const req = httpRequest(
          { host: url.hostname, port: url.port, path: "/download", headers: { host }, agent: false },
          (res) => {
            let text = "";
            res.on("data", (chunk: Buffer) => {
              text += chunk.toString();
              // The first chunk arrived while the upstream still holds the second: streamed, not buffered.
              if (text === "first chunk\n") releaseSecond();
            });
            res.on("end", () => resolve(text));
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        req.end();
      }),
      20_000,
      "the first chunk never arrived on its own: the response was buffered",
    );
    expect(body).toBe("first chunk\nsecond chunk\n");
  });

  it("streams a request body to the upstream through the binding", async () => {
    const host = await routed("upload", "10.0.0.30:7000");
    const url = new URL(router.url);
    const arrived = new Promise<void>((resolve) => (firstChunkArrived = resolve));
    const reply = await within(
      new Promise<string>((resolve, reject) => {
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            method: "POST",
            path: "/upload",
            headers: { host, "content-type": "text/plain" },
            agent: false,
          },
          (res) => {
            let text = "";
            res.on("data", (chunk: Buffer) => (text += chunk.toString()));
            res.on("end", () => resolve(text));
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        req.write("part 1; ");
        // The second part is sent only once the upstream has the first: streamed, not buffered.
        void arrived.then(() => req.end("part 2"));
      }),
      20_000,
      "the upstream never got the first part on its own: the upload was buffered",
    );
    expect(reply).toBe("received: part 1; part 2");
  });
});

describe("the dashboard's host tester", () => {
  it("says which way each backend goes, and why a route naming a missing binding answers 502", async () => {
    const host = await routed("tester", `{"backends": ["10.0.0.7:5000", "${apps["direct"]?.address ?? ""}"]}`);
    const api = async (target: string) =>
      (await send(router.url, { host: ADMIN_HOST, path: target, headers: bearer(ADMIN_TOKEN) })).json<{
        status: number | null;
        problem: string | null;
        backends: { url: string; via: string }[];
      }>();
    const report = await api(`/api/test?host=${host}&path=/a`);
    expect(report.backends.map((backend) => backend.via)).toEqual(["PRIVATE_NETWORK", "public"]);
    const missing = await routed("tester-missing", '{"backends": "10.0.0.7:5000", "network": "NO_SUCH_NETWORK"}');
    const refused = await api(`/api/test?host=${missing}&path=/`);
    expect(refused.status).toBe(502);
    expect(refused.problem).toContain("no binding NO_SUCH_NETWORK in this worker");
  });
});

describe("WebSockets through the binding", () => {
  // Verified here against the stand-in (workerd's service binding to an HTTP
  // service, which passes the upgrade on); a real Workers VPC Network could
  // not be tried from this machine (docs/private-upstreams.md).
  it("upgrades, and messages go both ways", async () => {
    const host = await routed("socket", "10.0.0.40:8000");
    const socket = new WebSocket(`ws://127.0.0.1:${router.port}/ws?room=1`, { headers: { host } });
    await within(
      new Promise((resolve, reject) => {
        socket.once("open", resolve);
        socket.once("error", reject);
        socket.once("unexpected-response", (_request, response) =>
          reject(new Error(`handshake answered ${response.statusCode}`)),
        );
      }),
      10_000,
      "the WebSocket handshake did not complete",
    );
    const echoed = within(
      new Promise<string>((resolve) => socket.once("message", (data: Buffer) => resolve(data.toString()))),
      10_000,
      "no message came back",
    );
    socket.send("hello through the tunnel");
    expect(await echoed).toBe("hello through the tunnel");
    socket.close();
    expect(production.asked).toContain("http://10.0.0.40:8000/ws?room=1");
  });
});

describe("without a PRIVATE_NETWORK binding (local, self-hosted)", () => {
  it("fetches a private address directly, as before: here the confined outbound refuses it", async () => {
    const host = await routed("plain", "10.0.0.7:5000");
    const reply = await send(plain.url, { host, path: "/a?b=1" });
    expect(reply.status).toBe(599);
    expect(plainOutbound.refused).toEqual(["http://10.0.0.7:5000/a?b=1"]);
    plainOutbound.refused.length = 0;
  });
});
