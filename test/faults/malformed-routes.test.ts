/**
 * Fault: a route value that is not a route (garbage, the wrong JSON shape,
 * empty, a megabyte, the router itself). Each must cost exactly one host a
 * defined error while every other host is served as before.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { send, type Reply } from "../support/http.ts";
import { routesClient, startRouter, uniqueHost, uniquePrefix, type RouterUnderTest } from "../support/stack.ts";

/** The self-loop case routes `127.0.0.1`, a key no other test file may see. */
const PREFIX = uniquePrefix("malformed");
const redis = routesClient();
let router: RouterUnderTest;
let app: RunningDemoApp;

beforeAll(async () => {
  [router, app] = await Promise.all([startRouter({ ROUTE_KEY_PREFIX: PREFIX }), startDemoApp({ name: "healthy" })]);
  await redis.set(`${PREFIX}127.0.0.1`, `127.0.0.1:${router.port}`);
});
afterAll(async () => {
  await Promise.all([router.dispose(), app.close()]);
});

const MB = 1024 * 1024;
/** Stands for the router's own address, known once it listens. */
const SELF = Symbol("the router's own address");
/** What a value is, the value, and the status and error code its host must get. */
interface Case {
  readonly what: string;
  readonly value: string | typeof SELF;
  readonly status: number;
  readonly code: string;
}
const CASES: readonly Case[] = (
  [
    ["garbage text", "¯\\_(ツ)_/¯ no route here", 502, "invalid_route"],
    ["control bytes", "\u0000\u0001\u0002\u007f", 502, "invalid_route"],
    ["a port out of range", "127.0.0.1:99999", 502, "invalid_route"],
    ["an unsupported scheme", "ftp://127.0.0.1/", 502, "invalid_route"],
    ["a header injection attempt", "127.0.0.1:80\r\nHost: evil.example", 502, "invalid_route"],
    ["a JSON array", '["127.0.0.1:80"]', 502, "invalid_route"],
    ["a JSON string", '"127.0.0.1:80"', 502, "invalid_route"],
    ["JSON with backends of the wrong type", '{"backends": 5}', 502, "invalid_route"],
    ["JSON with an empty backend list", '{"backends": []}', 502, "invalid_route"],
    ["a JSON object with no action", "{}", 502, "invalid_route"],
    ["truncated JSON", '{"backends": ["127.0.0.1:', 502, "invalid_route"],
    ["an empty string", "", 502, "invalid_route"],
    ["only whitespace", " \t ", 502, "invalid_route"],
    ["1 MB of garbage", "not a route ".repeat(MB / 12), 502, "invalid_route"],
    ["1 MB JSON, a bad backend at its end", `{"backends": ["${"a".repeat(MB)}:1:2"]}`, 502, "invalid_route"],
    ["a 1 MB host name (one label)", "a".repeat(MB), 502, "invalid_route"],
    ["a 300-character label", `${"b".repeat(300)}.example:80`, 502, "invalid_route"],
    ["a bare number (IPv4 shorthand)", "2130706433:80", 502, "invalid_route"],
    ["1 MB quoted in the refusal (a long scheme)", `${"c".repeat(MB)}://x`, 502, "invalid_route"],
    ["the router's own address", SELF, 508, "loop_detected"],
  ] as const
).map(([what, value, status, code]) => ({ what, value, status, code }));

/** One request for each of `hosts`, all at once, asking for a JSON error body. */
function getAll(hosts: readonly string[]): Promise<Reply[]> {
  return Promise.all(
    hosts.map((host) => send(router.url, { host, headers: { accept: "application/json" }, timeoutMs: 20_000 })),
  );
}

/** A defined error: its status and code, a short body that names the host, never the value, never a stack. */
function expectDefinedError(reply: Reply, host: string, value: string, status: number, code: string): void {
  expect(reply.status).toBe(status);
  expect(reply.json()).toMatchObject({ status, error: code });
  expect(reply.body.length).toBeLessThan(1024);
  expect(reply.text).not.toMatch(/\n\s+at /);
  if (code === "invalid_route") expect(reply.text).toContain(`The route for host ${host} is invalid.`);
  if (value.trim().length > 4) expect(reply.text).not.toContain(value.trim().slice(0, 12));
}

describe("malformed route values: a defined error for that host only", () => {
  it.each(CASES)("$what → $status, while other hosts keep 200", async ({ value, status, code }) => {
    const bad = uniqueHost("malformed");
    const good = uniqueHost("healthy");
    const stored = value === SELF ? `127.0.0.1:${router.port}` : value;
    await redis.set(PREFIX + bad, stored);
    await redis.set(PREFIX + good, app.address);
    const logsFrom = router.logs.length;
    for (let round = 0; round < 2; round++) {
      // The second round is answered from the route cache.
      const [badReply, ...goodReplies] = await getAll([bad, good, good, good]);
      expectDefinedError(badReply as Reply, bad, stored, status, code);
      for (const reply of goodReplies)
        expect([reply.status, reply.text]).toEqual([200, "Hello world! I am healthy.\n"]);
    }
    // The log tells the operator what is wrong, in lines of bounded size whatever the value's.
    const lines = router.logs.slice(logsFrom);
    expect(lines.length).toBeGreaterThan(0);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(4096);
  });

  it("all of them at once, interleaved with healthy hosts: every healthy request is served", async () => {
    const bad = CASES.map((entry) => ({ ...entry, host: uniqueHost("malformed-all") }));
    const good = Array.from({ length: 4 }, () => uniqueHost("healthy-all"));
    for (const { host, value } of bad)
      await redis.set(PREFIX + host, value === SELF ? `127.0.0.1:${router.port}` : value);
    for (const host of good) await redis.set(PREFIX + host, app.address);
    const before = app.requests;
    const hosts = [...bad.map((entry) => entry.host), ...good, ...good, ...good];
    const replies = await getAll(hosts);
    bad.forEach(({ status }, i) => expect(replies[i]?.status).toBe(status));
    expect(replies.slice(bad.length).map((reply) => reply.status)).toEqual(Array.from({ length: 12 }, () => 200));
    // Only the healthy hosts reached the app: nothing was sent anywhere for a malformed value.
    expect(app.requests - before).toBe(12);
  });
});
