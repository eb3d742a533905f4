import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type EchoReply, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { freePort } from "../../scripts/lib/ports.ts";
import { send, type Reply } from "../support/http.ts";
import { rawRequest } from "../support/raw.ts";
import { routesClient, startRouter, uniqueHost, type RouterUnderTest } from "../support/stack.ts";
import { startHttpUpstream, startTcpUpstream, type TestUpstream } from "../support/upstream.ts";
import { within } from "../support/wait.ts";

const redis = routesClient();
let app: RunningDemoApp;
/** Defaults: 403 for no route, 30 s upstream timeout. */
let router: RouterUnderTest;
/** NO_ROUTE_STATUS=404, UPSTREAM_TIMEOUT_MS=300. */
let tuned: RouterUnderTest;
/** FALLBACK_UPSTREAM = the demo app. */
let fallback: RouterUnderTest;
/** Its route store answers nothing (or resets for keys containing "-reset"); LOOKUP_TIMEOUT_MS=200. */
let badStore: RouterUnderTest;
let storeServer: TestUpstream;

beforeAll(async () => {
  [app, storeServer] = await Promise.all([
    startDemoApp({ name: "err" }),
    startTcpUpstream((socket) => {
      socket.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("-reset")) socket.resetAndDestroy();
      });
    }),
  ]);
  [router, tuned, fallback, badStore] = await Promise.all([
    startRouter(),
    startRouter({ NO_ROUTE_STATUS: "404", UPSTREAM_TIMEOUT_MS: "300" }),
    startRouter({ FALLBACK_UPSTREAM: app.address }),
    startRouter({ UPSTASH_REDIS_REST_URL: `http://${storeServer.address}`, LOOKUP_TIMEOUT_MS: "200" }),
  ]);
});
afterAll(async () => {
  await Promise.all([router, tuned, fallback, badStore].map((r) => r.dispose()));
  await Promise.all([app.close(), storeServer.close()]);
});

interface LogLine {
  requestId: string;
  host: string;
  upstream: string | null;
  status: number;
  error: string | null;
  lookup: string;
  detail: string | null;
}

/** The access log line of the request that got `reply` (by its request id), or the first that `matches`. */
async function logLineOf(on: RouterUnderTest, reply: Reply, matches?: (line: LogLine) => boolean): Promise<LogLine> {
  const id = String(reply.headers["x-request-id"]);
  const find = () =>
    on.logs
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as LogLine)
      .find(matches ?? ((line) => line.requestId === id));
  return within(
    (async () => {
      for (;;) {
        const line = find();
        if (line) return line;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })(),
    5000,
    `no log line for request ${id}`,
  );
}

/** Checks a router-made error: status, a short body with the request id, and the same id in the log. */
async function expectError(on: RouterUnderTest, reply: Reply, status: number, code: string): Promise<LogLine> {
  expect(reply.status).toBe(status);
  const id = String(reply.headers["x-request-id"]);
  expect(reply.text).toContain(id);
  expect(reply.text.length).toBeLessThan(600);
  expect(reply.text).not.toMatch(/\bat .*\.(?:js|ts):\d+/); // no stack trace
  const line = await logLineOf(on, reply);
  expect([line.status, line.error]).toEqual([status, code]);
  return line;
}

describe("error bodies", () => {
  it.each([
    ["application/json", "application/json; charset=utf-8"],
    ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html; charset=utf-8"],
    ["application/problem+json", "application/json; charset=utf-8"],
    ["text/html;q=0.5, application/json", "application/json; charset=utf-8"],
    ["*/*", "text/plain; charset=utf-8"],
  ])("answers Accept: %s with %s, naming the request id", async (accept, contentType) => {
    const reply = await send(router.url, { host: uniqueHost("fmt"), headers: { accept } });
    expect(reply.headers["content-type"]).toBe(contentType);
    await expectError(router, reply, 403, "no_route");
    if (contentType.startsWith("application/json")) {
      expect(reply.json()).toEqual({
        status: 403,
        error: "no_route",
        message: expect.stringContaining("No route for host") as unknown,
        requestId: reply.headers["x-request-id"],
      });
    }
  });
});

describe("400: missing or invalid Host", () => {
  it.each([
    ["over 253 characters", `${"abcdefgh.".repeat(30)}example`],
    ["an empty label", "a..b.example"],
    ["a label starting with a hyphen", "-a.example"],
    ["a label over 63 characters", `${"a".repeat(64)}.example`],
    ["a percent-encoded character", "a%41b.example"],
    ["user information", "user@a.example"],
    ["an empty port", "a.example:"],
    ["a control character (tab)", "a\tb.example"],
  ])("answers 400 for a Host with %s", async (_what, host) => {
    const reply = await rawRequest(
      router.url,
      `GET / HTTP/1.1\r\nHost: ${host}\r\nAccept: application/json\r\nConnection: close\r\n\r\n`,
    );
    expect(reply.status).toBe(400);
    expect(reply.text).toContain('"error":"invalid_host"');
  });

  it("logs the 400 with its request id", async () => {
    const reply = await send(router.url, { host: "-bad.example" });
    await expectError(router, reply, 400, "invalid_host");
  });

  it.each([
    ["missing", `GET / HTTP/1.1\r\nConnection: close\r\n\r\n`],
    ["empty", `GET / HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n`],
  ])("a %s Host gets 400 from the runtime before the worker runs (platform)", async (_what, request) => {
    expect((await rawRequest(router.url, request)).status).toBe(400);
  });

  it("a Host the runtime cannot make a URL of (spaces, control bytes, !$', a bad port) never reaches the worker (platform)", async () => {
    for (const host of [
      "a b.example",
      "a\x01b.example",
      "a!b.example",
      "a$b.example",
      "a'b.example",
      "a.example:65536",
    ]) {
      const reply = await rawRequest(router.url, `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      expect([400, 500]).toContain(reply.status);
    }
  });
});

describe("no route", () => {
  it("answers 403 by default", async () => {
    const line = await expectError(router, await send(router.url, { host: uniqueHost("miss") }), 403, "no_route");
    expect(line.lookup).toBe("miss");
  });

  it("answers 404 when NO_ROUTE_STATUS says so", async () => {
    const reply = await send(tuned.url, { host: uniqueHost("miss404") });
    expect(reply.text).toMatch(/^404 Not Found: No route for host/);
    await expectError(tuned, reply, 404, "no_route");
  });

  it("sends the request to FALLBACK_UPSTREAM when one is set", async () => {
    const host = uniqueHost("fallback");
    const reply = await send(fallback.url, { host, path: "/echo?x=1" });
    expect(reply.status).toBe(200);
    expect(reply.json<EchoReply>()).toMatchObject({ app: "err", url: "/echo?x=1" });
    expect(reply.json<EchoReply>().headers["x-forwarded-host"]).toBe(host);
    const line = await logLineOf(fallback, reply, (l) => l.host === host);
    expect([line.status, line.lookup, line.upstream]).toEqual([200, "fallback", `http://${app.address}`]);
  });

  it("still routes hosts that have a route when a fallback is set", async () => {
    const other = await startDemoApp({ name: "routed" });
    try {
      const host = uniqueHost("fb-hit");
      await redis.set(host, other.address);
      expect((await send(fallback.url, { host })).text).toContain("routed");
    } finally {
      await other.close();
    }
  });
});

describe("502: bad route or unreachable upstream", () => {
  it("answers 502 naming the host, not the value, for a route value that cannot be parsed", async () => {
    const host = uniqueHost("garbage");
    await redis.set(host, "not a url at all://secret-internal-name");
    const reply = await send(router.url, { host });
    const line = await expectError(router, reply, 502, "invalid_route");
    expect(reply.text).toContain(host);
    expect(reply.text).not.toContain("secret-internal-name");
    expect(line.lookup).toBe("invalid");
  });

  it("answers 502 when the upstream refuses the connection", async () => {
    const host = uniqueHost("refused");
    await redis.set(host, `127.0.0.1:${await freePort()}`);
    await expectError(router, await send(router.url, { host }), 502, "upstream_unreachable");
  });

  it("answers 502 when the upstream closes the connection without answering", async () => {
    const hangUp = await startTcpUpstream((socket) => socket.once("data", () => socket.destroy()));
    try {
      const host = uniqueHost("hangup");
      await redis.set(host, hangUp.address);
      await expectError(router, await send(router.url, { host }), 502, "upstream_unreachable");
    } finally {
      await hangUp.close();
    }
  });
});

describe("504: upstream timeout", () => {
  it("answers 504 when the upstream sends no headers within UPSTREAM_TIMEOUT_MS", async () => {
    const silent = await startTcpUpstream(() => undefined);
    try {
      const host = uniqueHost("silent");
      await redis.set(host, silent.address);
      const reply = await send(tuned.url, { host });
      expect(reply.text).toContain("did not answer within 300 ms");
      await expectError(tuned, reply, 504, "upstream_timeout");
    } finally {
      await silent.close();
    }
  });
});

describe("no timeout once the headers are in", () => {
  it("streams a response body for longer than UPSTREAM_TIMEOUT_MS", async () => {
    // The header timeout is a signal fetch() keeps after it resolves: it must
    // never cut a body that takes longer than the timeout (forward.ts).
    const slow = await startHttpUpstream((_request, response) => {
      response.writeHead(200, { "content-type": "text/plain" });
      let sent = 0;
      const timer = setInterval(() => {
        response.write(`part ${sent}\n`);
        if (++sent === 6) {
          clearInterval(timer);
          response.end();
        }
      }, 150);
    });
    try {
      const host = uniqueHost("slow-body");
      await redis.set(host, slow.address);
      const reply = await send(tuned.url, { host });
      expect(reply.status).toBe(200);
      expect(reply.text).toBe("part 0\npart 1\npart 2\npart 3\npart 4\npart 5\n");
    } finally {
      await slow.close();
    }
  });
});

describe("503: route store trouble", () => {
  it("answers 503 with Retry-After when the route store does not answer in time", async () => {
    const reply = await send(badStore.url, { host: uniqueHost("slow-store") });
    expect(reply.headers["retry-after"]).toBe("1");
    const line = await expectError(badStore, reply, 503, "route_store_unavailable");
    expect(line.lookup).toBe("error");
    expect(reply.text).not.toContain(storeServer.address);
  });

  it("answers 503 with Retry-After when the route store's connection fails", async () => {
    const reply = await send(badStore.url, { host: uniqueHost("store-reset") });
    expect(reply.headers["retry-after"]).toBe("1");
    await expectError(badStore, reply, 503, "route_store_unavailable");
  });

  it("answers 503 with Retry-After when nothing listens at the route store's address", async () => {
    const deadStore = await startRouter({ UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${await freePort()}` });
    try {
      const reply = await send(deadStore.url, { host: uniqueHost("nostore") });
      expect(reply.headers["retry-after"]).toBe("1");
      await expectError(deadStore, reply, 503, "route_store_unavailable");
    } finally {
      await deadStore.dispose();
    }
  });
});

describe("an upstream that fails mid-response", () => {
  it("ends the client's response with an error, not a hang, and the router keeps serving", async () => {
    const flaky = await startTcpUpstream((socket) =>
      socket.once("data", () => {
        socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\npartial body");
        setTimeout(() => socket.resetAndDestroy(), 50);
      }),
    );
    try {
      const host = uniqueHost("reset");
      await redis.set(host, flaky.address);
      const outcome = await send(router.url, { host, timeoutMs: 10_000 }).then(
        (reply) => `completed with ${reply.body.length} bytes`,
        (error: Error) => `failed: ${error.message}`,
      );
      expect(outcome).toMatch(/^failed: (?!no answer within)/);
      const healthy = uniqueHost("after-reset");
      await redis.set(healthy, app.address);
      expect((await send(router.url, { host: healthy })).status).toBe(200);
    } finally {
      await flaky.close();
    }
  });
});

describe("500: unusable configuration", () => {
  it("names the setting to the client but keeps its value for the log", async () => {
    // A var that holds an internal address (here a bad scheme) must not be shown to the world.
    const misconfigured = await startRouter({ FALLBACK_UPSTREAM: "ftp://10.1.2.3:99/internal" });
    try {
      const reply = await send(misconfigured.url, {
        host: uniqueHost("badvar"),
        headers: { accept: "application/json" },
      });
      const line = await expectError(misconfigured, reply, 500, "config_error");
      expect(reply.json()).toMatchObject({
        message: "The router is misconfigured: FALLBACK_UPSTREAM has an invalid value.",
      });
      expect(reply.text).not.toContain("10.1.2.3");
      expect(reply.text).not.toContain("ftp");
      expect(line.detail).toContain('unsupported scheme "ftp"');
    } finally {
      await misconfigured.dispose();
    }
  });
});
