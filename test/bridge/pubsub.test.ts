/**
 * Pub/sub over server-sent events with the unmodified @upstash/redis client:
 * `redis.subscribe()` / `redis.psubscribe()` stream from the bridge, and
 * `redis.publish()` through the normal endpoint reaches them.
 */
import { Redis } from "@upstash/redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { STREAM_CLIENT_NAME } from "../../scripts/bridge/server.ts";
import { RespConnection } from "../../scripts/lib/resp.ts";
import { eventually, sleep } from "../support/wait.ts";
import { startHarness, TOKEN, type Harness } from "./harness.ts";

let h: Harness;
let redis: Redis;
let admin: RespConnection;
beforeAll(async () => {
  h = await startHarness();
  redis = new Redis({ url: h.bridge.url, token: TOKEN, enableTelemetry: false, retry: false });
  admin = new RespConnection({ port: h.redis.port });
});
afterAll(async () => {
  admin?.close();
  await h?.stop();
});

/** Redis connections the bridge holds for event streams, from CLIENT LIST. */
async function streamConnections(): Promise<number> {
  const list = String(await admin.send(["CLIENT", "LIST"]));
  return list.split("\n").filter((line) => line.includes(` name=${STREAM_CLIENT_NAME} `)).length;
}

// Every test ends its streams: none may leave a Redis connection behind.
afterEach(async () => {
  await eventually(async () => (await streamConnections()) === 0, 5_000, "stream connections left behind");
  expect(h.bridge.openStreams).toBe(0);
});

/** Subscribes and resolves once the bridge confirmed every subscription. */
async function subscribed<T>(channels: string[], pattern = false) {
  const subscriber = pattern ? redis.psubscribe<T>(channels) : redis.subscribe<T>(channels);
  const counts: number[] = [];
  subscriber.on(pattern ? "psubscribe" : "subscribe", (count) => counts.push(count));
  await eventually(() => counts.length === channels.length, 5_000, `no ${pattern ? "psubscribe" : "subscribe"} events`);
  return subscriber;
}

describe("subscribe", () => {
  it("a subscriber receives 100 messages in order", async () => {
    const subscriber = await subscribed<{ n: number }>(["orders"]);
    const received: number[] = [];
    subscriber.on("message", ({ channel, message }) => {
      expect(channel).toBe("orders");
      received.push(message.n);
    });
    for (let n = 0; n < 100; n++) expect(await redis.publish("orders", { n })).toBe(1);
    await eventually(() => received.length === 100, 5_000, `received ${received.length} of 100`);
    expect(received).toEqual(Array.from({ length: 100 }, (_, n) => n));
    await subscriber.unsubscribe();
  });

  it("two subscribers both receive every message, channel listeners included", async () => {
    const first = await subscribed<string>(["news"]);
    const second = await subscribed<string>(["news"]);
    const a: string[] = [];
    const b: string[] = [];
    first.on("message", ({ message }) => a.push(message));
    second.on("message:news", ({ message }) => b.push(message));
    const sent = ["first", "second, with a comma", "третий", '{"json":"text"}'];
    for (const message of sent) expect(await redis.publish("news", message)).toBe(2);
    await eventually(() => a.length === sent.length && b.length === sent.length);
    expect(a).toEqual(["first", "second, with a comma", "третий", { json: "text" }]);
    expect(b).toEqual(a);
    await Promise.all([first.unsubscribe(), second.unsubscribe()]);
  });

  it("psubscribe receives what matches the pattern, with pattern and channel", async () => {
    // The client JSON-parses pattern messages without a fallback: publish JSON.
    const subscriber = await subscribed<{ c: number }>(["sensor.*"], true);
    const received: Array<{ pattern: string; channel: string; message: { c: number } }> = [];
    subscriber.on("pmessage", (event) => received.push(event));
    await redis.publish("sensor.kitchen", { c: 21.5 });
    await redis.publish("other.kitchen", { c: 0 });
    await redis.publish("sensor.garden", { c: 14 });
    await eventually(() => received.length === 2);
    await sleep(50);
    expect(received).toEqual([
      { pattern: "sensor.*", channel: "sensor.kitchen", message: { c: 21.5 } },
      { pattern: "sensor.*", channel: "sensor.garden", message: { c: 14 } },
    ]);
    await subscriber.unsubscribe();
  });

  it("unsubscribe stops delivery and closes the stream's Redis connection", async () => {
    const before = await streamConnections();
    const subscriber = await subscribed<string>(["alerts", "digest"]);
    expect(await streamConnections()).toBe(before + 2);
    const received: string[] = [];
    subscriber.on("message", ({ channel, message }) => received.push(`${channel}:${message}`));
    await redis.publish("alerts", "one");
    await redis.publish("digest", "two");
    await eventually(() => received.length === 2);
    await subscriber.unsubscribe(["alerts"]);
    await eventually(async () => (await redis.publish("alerts", "probe")) === 0);
    expect(await redis.publish("digest", "three")).toBe(1);
    await eventually(() => received.length === 3);
    expect(received).toEqual(["alerts:one", "digest:two", "digest:three"]);
    await subscriber.unsubscribe();
    await eventually(async () => (await streamConnections()) === before, 5_000, "stream connections left behind");
    expect(await redis.publish("digest", "after")).toBe(0);
    await sleep(50);
    expect(received).toHaveLength(3);
  });

  it("a client that disconnects leaves no Redis connection behind", async () => {
    const before = await streamConnections();
    const aborts = Array.from({ length: 5 }, () => new AbortController());
    const responses = await Promise.all(
      aborts.map((abort, i) =>
        fetch(`${h.bridge.url}/subscribe/gone-${i}`, {
          method: "POST",
          headers: { Authorization: `Bearer ${TOKEN}`, Accept: "text/event-stream" },
          body: "[]",
          signal: abort.signal,
        }),
      ),
    );
    for (const response of responses) expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(await streamConnections()).toBe(before + 5);
    const open = h.bridge.openStreams;
    for (const abort of aborts) abort.abort();
    await eventually(async () => (await streamConnections()) === before, 5_000, "a stream's Redis connection leaked");
    await eventually(() => h.bridge.openStreams === open - 5);
    expect(await redis.publish("gone-0", "nobody")).toBe(0);
  });
});

describe("upstash-sync-token", () => {
  it("is on every response, grows after writes and stays put after reads", async () => {
    const client = new Redis({ url: h.bridge.url, token: TOKEN, enableTelemetry: false, retry: false });
    await client.get("sync:k");
    const start = client.readYourWritesSyncToken;
    expect(start).toMatch(/^\d+$/);
    await client.set("sync:k", "1");
    const afterSet = client.readYourWritesSyncToken;
    expect(Number(afterSet)).toBeGreaterThan(Number(start));
    await client.get("sync:k");
    await client.mget("sync:k", "sync:none");
    expect(client.readYourWritesSyncToken).toBe(afterSet);
    await client.pipeline().incr("sync:n").get("sync:n").exec();
    const afterPipeline = client.readYourWritesSyncToken;
    expect(Number(afterPipeline)).toBeGreaterThan(Number(afterSet));
    await client.multi().del("sync:n").exec();
    expect(Number(client.readYourWritesSyncToken)).toBeGreaterThan(Number(afterPipeline));
    // The client sends the token back; with one Redis there is nothing to wait for.
    expect(await client.get("sync:k")).toBe(1);
    for (const [path, init] of [
      ["/get/sync:k", {}],
      ["/", { method: "POST", body: "not json" }],
      ["/subscribe", { method: "POST" }],
    ] as const) {
      const response = await fetch(`${h.bridge.url}${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      expect(response.headers.get("upstash-sync-token"), path).toMatch(/^\d+$/);
      await response.text();
    }
    const unauthorised = await fetch(`${h.bridge.url}/get/sync:k`);
    expect([unauthorised.status, unauthorised.headers.get("upstash-sync-token")]).toEqual([
      401,
      expect.stringMatching(/^\d+$/),
    ]);
  });
});
