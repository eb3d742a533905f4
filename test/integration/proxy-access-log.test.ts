import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { freePort } from "../../scripts/lib/ports.ts";
import { send } from "../support/http.ts";
import { routesClient, startRouter, uniqueHost, type RouterUnderTest } from "../support/stack.ts";

const redis = routesClient();
let app: RunningDemoApp;
let router: RouterUnderTest;
/** ACCESS_LOG_SAMPLE_RATE=0: logging off. */
let silent: RouterUnderTest;
/** ACCESS_LOG_SAMPLE_RATE=0.000001: successes (almost) never logged, failures always. */
let sampled: RouterUnderTest;

beforeAll(async () => {
  [app, router, silent, sampled] = await Promise.all([
    startDemoApp({ name: "logged" }),
    startRouter(),
    startRouter({ ACCESS_LOG_SAMPLE_RATE: "0" }),
    startRouter({ ACCESS_LOG_SAMPLE_RATE: "0.000001" }),
  ]);
});
afterAll(async () => {
  await Promise.all([app.close(), router.dispose(), silent.dispose(), sampled.dispose()]);
});

type Line = Record<string, unknown>;

/** The JSON lines logged so far for `host`; waits briefly for the last to arrive. */
async function linesFor(on: RouterUnderTest, host: string, expected: number): Promise<Line[]> {
  const read = () =>
    on.logs
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Line)
      .filter((line) => line.host === host);
  for (let i = 0; i < 100 && read().length < expected; i++) await new Promise((r) => setTimeout(r, 10));
  return read();
}

describe("access log", () => {
  it("writes one JSON line per request, with id, host, method, path, status, upstream, lookup and durations", async () => {
    const host = uniqueHost("log");
    await redis.set(host, app.address);
    for (let i = 0; i < 3; i++) {
      expect((await send(router.url, { host, method: "POST", path: `/echo/${i}?q=%20`, body: "x" })).status).toBe(200);
    }
    const lines = await linesFor(router, host, 3);
    expect(lines).toHaveLength(3);
    expect(lines.map((line) => line.path).sort()).toEqual(["/echo/0?q=%20", "/echo/1?q=%20", "/echo/2?q=%20"]);
    const [line] = lines;
    expect(line).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      clientIp: "127.0.0.1",
      method: "POST",
      host,
      path: "/echo/0?q=%20",
      status: 200,
      upstream: `http://${app.address}`,
      lookup: "hit",
      cache: "miss",
      hops: 0,
      error: null,
      detail: null,
      lookupMs: expect.any(Number) as unknown,
      upstreamMs: expect.any(Number) as unknown,
      totalMs: expect.any(Number) as unknown,
    });
    expect(new Set(lines.map((l) => l.requestId)).size).toBe(3);
  });

  it("logs a failure with its error code, an operator-only detail and the id the client was shown", async () => {
    const host = uniqueHost("log-fail");
    await redis.set(host, `127.0.0.1:${await freePort()}`);
    const reply = await send(router.url, { host });
    expect(reply.status).toBe(502);
    const [line] = await linesFor(router, host, 1);
    expect(line).toMatchObject({
      requestId: reply.headers["x-request-id"],
      status: 502,
      error: "upstream_unreachable",
      lookup: "hit",
      detail: expect.any(String) as unknown,
    });
    expect(reply.text).toContain(String(reply.headers["x-request-id"]));
  });

  it("uses the edge's Ray ID as the request id when there is one", async () => {
    const host = uniqueHost("log-ray");
    const reply = await send(router.url, { host, headers: { "cf-ray": "8f1e2d3c4b5a6978-AMS" } });
    expect(reply.headers["x-request-id"]).toBe("8f1e2d3c4b5a6978-AMS");
    expect((await linesFor(router, host, 1))[0]).toMatchObject({ requestId: "8f1e2d3c4b5a6978-AMS", status: 403 });
  });

  it("writes nothing when ACCESS_LOG_SAMPLE_RATE is 0", async () => {
    const [ok, down] = [uniqueHost("off-ok"), uniqueHost("off-down")];
    await redis.set(ok, app.address);
    await redis.set(down, `127.0.0.1:${await freePort()}`);
    expect((await send(silent.url, { host: ok })).status).toBe(200);
    expect((await send(silent.url, { host: down })).status).toBe(502);
    await new Promise((r) => setTimeout(r, 100));
    expect(silent.logs.filter((line) => line.startsWith("{"))).toEqual([]);
  });

  it("samples successes at ACCESS_LOG_SAMPLE_RATE but always keeps server-side failures", async () => {
    const [ok, down] = [uniqueHost("smp-ok"), uniqueHost("smp-down")];
    await redis.set(ok, app.address);
    await redis.set(down, `127.0.0.1:${await freePort()}`);
    for (let i = 0; i < 5; i++) expect((await send(sampled.url, { host: ok })).status).toBe(200);
    expect((await send(sampled.url, { host: down })).status).toBe(502);
    expect(await linesFor(sampled, down, 1)).toHaveLength(1);
    expect(await linesFor(sampled, ok, 0)).toEqual([]);
  });
});
