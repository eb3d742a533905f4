import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send } from "../support/http.ts";
import { routesClient, startRouter, uniqueHost, type RouterUnderTest } from "../support/stack.ts";
import { startHttpUpstream, type TestUpstream } from "../support/upstream.ts";
import { eventually, within } from "../support/wait.ts";

/**
 * Uploads and the upstream timeout: the wait for response headers starts once
 * the body has been sent (nginx's proxy_read_timeout), and a client that
 * breaks off its own upload is the client's doing, not the upstream's.
 */
const redis = routesClient();
/** UPSTREAM_TIMEOUT_MS=400, shared down marks on. */
let router: RouterUnderTest;
/** Two upstreams that read the whole body, then answer with its length. */
let counting: TestUpstream[];

function countingUpstream(): Promise<TestUpstream> {
  return startHttpUpstream((request, response) => {
    let length = 0;
    request.on("data", (chunk: Buffer) => (length += chunk.length));
    request.on("end", () => response.end(`received ${length}`));
  });
}

beforeAll(async () => {
  let first: TestUpstream;
  let second: TestUpstream;
  [router, first, second] = await Promise.all([
    startRouter({ UPSTREAM_TIMEOUT_MS: "400", SHARED_DOWN_MARKS: "true" }),
    countingUpstream(),
    countingUpstream(),
  ]);
  counting = [first, second];
});
afterAll(async () => {
  await Promise.all([router.dispose(), ...counting.map((upstream) => upstream.close())]);
});

interface LogLine {
  host: string;
  status: number;
  error: string | null;
  upstream: string | null;
}

function logLines(host: string): LogLine[] {
  return router.logs
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => line.host === host);
}

/** A route with two backends, so a down mark would steer requests: the proof that none was set. */
async function twoBackendRoute(label: string): Promise<string> {
  const host = uniqueHost(label);
  await redis.set(host, JSON.stringify({ backends: counting.map((upstream) => upstream.address) }));
  return host;
}

/** A POST whose body the client writes in `chunks` pieces, `pauseMs` apart; resolves with status and body. */
function slowUpload(host: string, chunks: number, pauseMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: router.port,
        method: "POST",
        path: "/",
        headers: { host, "content-length": String(chunks * 1000) },
        agent: false,
      },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    let sent = 0;
    const next = () => {
      req.write(Buffer.alloc(1000, 97));
      if (++sent < chunks) setTimeout(next, pauseMs);
      else req.end();
    };
    next();
  });
}

describe("the upstream timeout counts from the end of the upload", () => {
  it("lets a client upload for longer than UPSTREAM_TIMEOUT_MS, and marks nothing down", async () => {
    const host = await twoBackendRoute("slowup");
    // 5 chunks 200 ms apart: the body takes 800 ms to arrive, twice the 400 ms timeout.
    const reply = await slowUpload(host, 5, 200);
    expect(reply).toEqual({ status: 200, text: "received 5000" });
    expect(router.logs.join("\n")).not.toContain(`of ${host} failed`);
  });

  it("still answers 504 when the upstream takes the whole body but sends no headers in time", async () => {
    const silent = await startHttpUpstream((request) => request.resume());
    try {
      const host = uniqueHost("bodythensilence");
      await redis.set(host, silent.address);
      const reply = await send(router.url, { host, method: "POST", body: "x".repeat(10_000) });
      expect(reply.status).toBe(504);
    } finally {
      await silent.close();
    }
  });

  it("answers 504 when the upstream stops reading the body (nginx's proxy_send_timeout), not a hang", async () => {
    const stalled = await startHttpUpstream((request) => request.pause());
    try {
      const host = uniqueHost("stalled");
      await redis.set(host, stalled.address);
      // More than the socket buffers between us and a server that reads nothing.
      const reply = await within(
        send(router.url, { host, method: "PUT", body: Buffer.alloc(32 * 1024 * 1024, 97), timeoutMs: 15_000 }),
        15_000,
        "the upload to an upstream that reads nothing hung",
      );
      expect(reply.status).toBe(504);
    } finally {
      await stalled.close();
    }
  });
});

describe("a client that aborts its own upload", () => {
  it("is logged as 499 client_closed; the backend is neither marked down nor shared as dead", async () => {
    const host = await twoBackendRoute("abortup");
    const req = httpRequest({
      host: "127.0.0.1",
      port: router.port,
      method: "POST",
      path: "/",
      headers: { host, "content-length": "100000" },
      agent: false,
    });
    req.on("error", () => undefined);
    req.write(Buffer.alloc(1000, 97));
    await new Promise((resolve) => setTimeout(resolve, 200));
    req.destroy();

    await eventually(() => logLines(host).length > 0, 5000, "no access log line for the aborted upload");
    expect(logLines(host)).toMatchObject([{ status: 499, error: "client_closed" }]);
    expect(router.logs.join("\n")).not.toContain(`of ${host} failed`);
    expect(await redis.exists(`dead:${host}`)).toBe(0);
    // The backend still serves.
    expect((await send(router.url, { host, method: "POST", body: "ok" })).text).toBe("received 2");
  });
});
