/**
 * The event streams on the wire: exact event lines, several channels per
 * stream, auth, limits, slow and vanished clients, Redis going away, and
 * bridge shutdown.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBridge } from "../../scripts/bridge/server.ts";
import { freePort } from "../../scripts/lib/ports.ts";
import { RespConnection } from "../../scripts/lib/resp.ts";
import { eventually } from "../support/wait.ts";
import { startHarness, TOKEN, type Harness } from "./harness.ts";

let h: Harness;
let admin: RespConnection;
beforeAll(async () => {
  h = await startHarness({ maxStreams: 3, streamHeartbeatMs: 100, maxStreamBufferBytes: 64 * 1024 });
  admin = new RespConnection({ port: h.redis.port });
});
afterAll(async () => {
  admin?.close();
  await h?.stop();
});

const auth = { Authorization: `Bearer ${TOKEN}` };
const publish = (channel: string, message: string | Buffer) => admin.send(["PUBLISH", channel, message]);

interface OpenStream {
  readonly status: number;
  readonly headers: Headers;
  /** Everything received so far. */
  text(): string;
  readonly ended: Promise<void>;
  abort(): void;
}

async function openStream(url: string, init: RequestInit = {}): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await fetch(url, { method: "POST", headers: auth, body: "[]", ...init, signal: controller.signal });
  let received = "";
  const decoder = new TextDecoder();
  const reader = response.body?.getReader();
  const ended = (async () => {
    for (;;) {
      const chunk = await reader?.read().catch(() => ({ done: true as const, value: undefined }));
      if (!chunk || chunk.done) return;
      received += decoder.decode(chunk.value, { stream: true });
    }
  })();
  return {
    status: response.status,
    headers: response.headers,
    text: () => received,
    ended,
    abort: () => controller.abort(),
  };
}

/** The `data:` lines received, heartbeats left out. */
const dataLines = (stream: OpenStream) =>
  stream
    .text()
    .split("\n")
    .filter((line) => line.startsWith("data: "));

describe("event lines", () => {
  it("streams several channels per stream, in order, as Upstash's data lines", async () => {
    const stream = await openStream(`${h.bridge.url}/subscribe/a%2Cb/c`, {
      headers: { ...auth, Accept: "text/event-stream" },
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(stream.headers.get("cache-control")).toBe("no-cache");
    await eventually(() => dataLines(stream).length === 2);
    expect(await publish("c", "hello, world")).toBe(1);
    expect(await publish("a,b", "ü")).toBe(1);
    expect(await publish("c", "two\nlines")).toBe(1);
    await eventually(() => dataLines(stream).length === 6);
    expect(stream.text()).toContain("data: message,c,two\ndata: lines\n\n");
    expect(dataLines(stream)).toEqual([
      "data: subscribe,a,b,1",
      "data: subscribe,c,2",
      "data: message,c,hello, world",
      "data: message,a,b,ü",
      "data: message,c,two",
      "data: lines",
    ]);
    await eventually(() => stream.text().includes(": keep-alive\n\n"));
    stream.abort();
  });

  it("serves GET with ?_token= (an EventSource) and psubscribe with its pmessage lines", async () => {
    const stream = await openStream(`${h.bridge.url}/PSUBSCRIBE/log.*?_token=${TOKEN}`, {
      method: "GET",
      headers: {},
      body: null,
    });
    await eventually(() => dataLines(stream).length === 1);
    await publish("log.error", "disk full");
    await eventually(() => dataLines(stream).length === 2);
    expect(dataLines(stream)).toEqual(["data: psubscribe,log.*,1", "data: pmessage,log.*,log.error,disk full"]);
    stream.abort();
  });
});

describe("refusals", () => {
  it("asks for the token, a channel, and the stream endpoints, in JSON", async () => {
    const unauthorised = await fetch(`${h.bridge.url}/subscribe/x`, { method: "POST", body: "[]" });
    expect([unauthorised.status, await unauthorised.json()]).toEqual([401, { error: "Unauthorized" }]);
    const empty = await fetch(`${h.bridge.url}/subscribe/`, { method: "POST", headers: auth });
    expect([empty.status, await empty.json()]).toEqual([400, { error: expect.stringMatching(/needs a channel/) }]);
    const command = await h.call("/", ["SUBSCRIBE", "x"]);
    expect(command).toEqual({ status: 400, json: { error: expect.stringMatching(/\/subscribe\/<channel>/) } });
    const put = await fetch(`${h.bridge.url}/subscribe/x`, { method: "PUT", headers: auth });
    expect(put.status).toBe(405);
  });

  it("caps open streams with a 503, and a closed stream frees its place", async () => {
    const streams = await Promise.all([1, 2, 3].map((i) => openStream(`${h.bridge.url}/subscribe/cap-${i}`)));
    expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);
    const refused = await fetch(`${h.bridge.url}/subscribe/cap-4`, { method: "POST", headers: auth });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(await refused.json()).toEqual({ error: "ERR too many open streams (3); try again later" });
    streams[0]?.abort();
    await eventually(() => h.bridge.openStreams === 2);
    const again = await openStream(`${h.bridge.url}/subscribe/cap-5`);
    expect(again.status).toBe(200);
    for (const stream of [...streams, again]) stream.abort();
    await eventually(() => h.bridge.openStreams === 0);
  });

  it("answers 503 when Redis cannot be reached", async () => {
    const bridge = await startBridge({ redisPort: await freePort(), token: TOKEN, connectTimeoutMs: 300 });
    try {
      const response = await fetch(`${bridge.url}/subscribe/x`, { method: "POST", headers: auth });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: expect.stringMatching(/^ERR redis unreachable/) });
      expect(bridge.openStreams).toBe(0);
    } finally {
      await bridge.close();
    }
  });
});

describe("ends", () => {
  it("drops a client that stops reading once its buffer passes the limit", async () => {
    const paused = await new Promise<import("node:http").IncomingMessage>((resolve, reject) => {
      const req = request(`${h.bridge.url}/subscribe/slow`, { method: "POST", headers: auth }, resolve);
      req.once("error", reject);
      req.end("[]");
    });
    paused.pause();
    let closed = false;
    paused.once("close", () => (closed = true));
    paused.once("error", () => (closed = true));
    await eventually(async () => (await publish("slow", "x")) === 1);
    const big = Buffer.alloc(256 * 1024, 0x61);
    for (let i = 0; i < 64 && h.bridge.openStreams > 0; i++) await publish("slow", big);
    await eventually(() => h.bridge.openStreams === 0, 5_000, "the slow stream was not dropped");
    await eventually(async () => (await publish("slow", "x")) === 0);
    paused.destroy();
    await eventually(() => closed);
  });

  it("ends the stream when Redis drops its connection", async () => {
    const stream = await openStream(`${h.bridge.url}/subscribe/killed`);
    await eventually(() => dataLines(stream).length === 1);
    expect(await admin.send(["CLIENT", "KILL", "TYPE", "pubsub"])).toBe(1);
    await stream.ended;
    expect(stream.text()).toMatch(/: redis connection to 127\.0\.0\.1:\d+ lost: connection closed by redis\n\n$/);
    await eventually(() => h.bridge.openStreams === 0);
  });

  it("sends the unsubscribe events and ends every stream when the bridge closes", async () => {
    const bridge = await startBridge({ redisPort: h.redis.port, token: TOKEN });
    const one = await openStream(`${bridge.url}/subscribe/bye-a/bye-b`);
    const two = await openStream(`${bridge.url}/psubscribe/bye-*`);
    await eventually(() => dataLines(one).length === 2 && dataLines(two).length === 1);
    await bridge.close();
    await Promise.all([one.ended, two.ended]);
    // UNSUBSCRIBE with no channel names them in Redis's dictionary order.
    const unsubscribed = dataLines(one).slice(2);
    expect(unsubscribed.map((line) => line.replace(/,\d+$/, "")).sort()).toEqual([
      "data: unsubscribe,bye-a",
      "data: unsubscribe,bye-b",
    ]);
    expect(unsubscribed.map((line) => line.slice(-2))).toEqual([",1", ",0"]);
    expect(dataLines(two).slice(1)).toEqual(["data: punsubscribe,bye-*,0"]);
    expect(await publish("bye-a", "x")).toBe(0);
  });
});
