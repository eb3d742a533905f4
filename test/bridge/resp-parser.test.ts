/**
 * The incremental RESP parser keeps half-built arrays between chunks: any
 * split of the wire gives the replies of the whole, and a subscribe-mode
 * connection hands on every pushed message in order.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RunningRedisServer } from "../../scripts/lib/redis-server.ts";
import {
  RespConnection,
  RespError,
  RespParser,
  RespStatus,
  RespSubscriber,
  type RespReply,
} from "../../scripts/lib/resp.ts";

/** RESP2 wire bytes of a reply (the parser's inverse). */
function wireOf(reply: RespReply): Buffer {
  if (reply === null) return Buffer.from("$-1\r\n");
  if (typeof reply === "number" || typeof reply === "bigint") return Buffer.from(`:${reply}\r\n`);
  if (Buffer.isBuffer(reply)) return Buffer.concat([Buffer.from(`$${reply.length}\r\n`), reply, Buffer.from("\r\n")]);
  if (reply instanceof RespStatus) return Buffer.from(`+${reply.value}\r\n`);
  if (reply instanceof RespError) return Buffer.from(`-${reply.message}\r\n`);
  return Buffer.concat([Buffer.from(`*${reply.length}\r\n`), ...reply.map(wireOf)]);
}

const line = fc.string({ unit: fc.constantFrom(..."abcXYZ 019:-*$+"), maxLength: 12 });
const { reply } = fc.letrec<{ reply: RespReply }>((tie) => ({
  reply: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.integer({ min: -1e6, max: 1e6 }),
    fc.bigInt({ min: 2n ** 60n, max: 2n ** 62n }),
    fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
    line.map((text) => new RespStatus(text)),
    line.map((text) => new RespError(text)),
    fc.array(tie("reply"), { maxLength: 6 }),
  ),
}));

function parseInChunks(wire: Buffer, cuts: number[]): RespReply[] {
  const parser = new RespParser();
  const out: RespReply[] = [];
  let at = 0;
  for (const cut of [...cuts.map((c) => c % (wire.length + 1)).sort((a, b) => a - b), wire.length]) {
    out.push(...parser.push(wire.subarray(at, Math.max(at, cut))));
    at = Math.max(at, cut);
  }
  return out;
}

describe("parser", () => {
  it("gives the same replies however the wire is cut", () => {
    fc.assert(
      fc.property(
        fc.array(reply, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (replies, cuts) => {
          const wire = Buffer.concat(replies.map(wireOf));
          expect(parseInChunks(wire, cuts)).toEqual(replies);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("parses a 100,000-element array arriving in small chunks, nested arrays included", () => {
    const big: RespReply[] = Array.from({ length: 100_000 }, (_, i) =>
      i % 1000 === 0 ? [i, [Buffer.from(`n${i}`)]] : Buffer.from(`member:${i}`),
    );
    const wire = Buffer.concat([wireOf(big), wireOf(new RespStatus("OK"))]);
    const cuts = Array.from({ length: Math.ceil(wire.length / 1500) }, (_, i) => i * 1500);
    const parsed = parseInChunks(wire, cuts);
    expect(parsed).toHaveLength(2);
    // Compared as wire bytes again: a deep equality over 100,000 Buffers is slow for nothing.
    expect(Buffer.concat(parsed.map(wireOf)).equals(wire)).toBe(true);
    expect((parsed[0] as RespReply[])[1000]).toEqual([1000, [Buffer.from("n1000")]]);
  });

  it("refuses a malformed length", () => {
    expect(() => new RespParser().push(Buffer.from("$x\r\n"))).toThrow(/bad length/);
    expect(() => new RespParser().push(Buffer.from("*\r\n"))).toThrow(/bad length/);
  });
});

describe("subscriber connection", () => {
  let redis: RunningRedisServer;
  let publisher: RespConnection;
  beforeAll(async () => {
    redis = await startRedisServer();
    publisher = new RespConnection({ port: redis.port });
  });
  afterAll(async () => {
    publisher?.close();
    await redis?.stop();
  });

  it("hands on confirmations and messages in order, named, and ends on close", async () => {
    const replies: RespReply[] = [];
    let closed: unknown = "open";
    const subscriber = new RespSubscriber({
      port: redis.port,
      name: "resp-test-sub",
      onReply: (r) => replies.push(r),
      onClose: (error) => (closed = error),
    });
    await subscriber.open([["SUBSCRIBE", "a", "b"]]);
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
    };
    await until(() => replies.length === 2);
    for (let i = 0; i < 50; i++) await publisher.send(["PUBLISH", i % 2 ? "a" : "b", `m${i}`]);
    await until(() => replies.length === 52);
    const text = (r: RespReply) => (Array.isArray(r) ? r.map((x) => String(x)) : String(r));
    expect(replies.slice(0, 2).map(text)).toEqual([
      ["subscribe", "a", "1"],
      ["subscribe", "b", "2"],
    ]);
    expect(replies.slice(2).map(text)).toEqual(
      Array.from({ length: 50 }, (_, i) => ["message", i % 2 ? "a" : "b", `m${i}`]),
    );
    expect(String(await publisher.send(["CLIENT", "LIST"]))).toMatch(/name=resp-test-sub/);
    subscriber.close();
    expect(closed).toBeNull();
    let list = "";
    for (let i = 0; i < 100 && (list === "" || /name=resp-test-sub/.test(list)); i++) {
      await new Promise((r) => setTimeout(r, 10));
      list = String(await publisher.send(["CLIENT", "LIST"]));
    }
    expect(list).not.toMatch(/name=resp-test-sub/);
  });

  it("rejects when redis cannot be reached, and reports a dropped connection", async () => {
    const nowhere = new RespSubscriber({ port: 1, onReply: () => undefined, onClose: () => undefined });
    await expect(nowhere.open([["SUBSCRIBE", "x"]])).rejects.toThrow(/redis unreachable/);
    let closed: unknown = "open";
    const subscriber = new RespSubscriber({
      port: redis.port,
      name: "resp-test-kill",
      onReply: () => undefined,
      onClose: (error) => (closed = error),
    });
    await subscriber.open([["SUBSCRIBE", "x"]]);
    await new Promise((r) => setTimeout(r, 50));
    expect(await publisher.send(["CLIENT", "KILL", "SKIPME", "yes", "TYPE", "pubsub"])).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 100 && closed === "open"; i++) await new Promise((r) => setTimeout(r, 10));
    expect(String(closed)).toMatch(/lost/);
  });
});
