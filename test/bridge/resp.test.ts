/** The RESP2 client under the bridge, against a real redis-server. */
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/ports.ts";
import { startRedisServer, type RunningRedisServer } from "../../scripts/lib/redis-server.ts";
import {
  encodeCommands,
  RedisConnectionError,
  RespClient,
  RespConnection,
  RespError,
  RespParser,
  RespStatus,
} from "../../scripts/lib/resp.ts";

let redis: RunningRedisServer;
let client: RespClient;
beforeAll(async () => {
  redis = await startRedisServer();
  client = new RespClient({ port: redis.port });
});
afterAll(async () => {
  client?.close();
  await redis?.stop();
});

describe("replies", () => {
  it("keeps status, bulk, error, integer, nil and nested arrays apart", async () => {
    expect(await client.send(["SET", "r:k", "OK"])).toEqual(new RespStatus("OK"));
    const bulk = await client.send(["GET", "r:k"]);
    expect(Buffer.isBuffer(bulk) && bulk.toString()).toBe("OK");
    expect(await client.send(["GET", "r:none"])).toBeNull();
    expect(await client.send(["INCR", "r:n"])).toBe(1);
    const error = await client.send(["INCR", "r:k"]);
    expect(error).toBeInstanceOf(RespError);
    expect((error as RespError).message).toBe("ERR value is not an integer or out of range");
    const nested = await client.send(["EVAL", "return {1, 'a', {2, {}, 'b'}, redis.status_reply('S')}", "0"]);
    expect(nested).toEqual([1, Buffer.from("a"), [2, [], Buffer.from("b")], new RespStatus("S")]);
    expect(await client.send(["EVAL", "return {}", "0"])).toEqual([]);
    expect(await client.send(["SET", "r:big", "9223372036854775806"])).toEqual(new RespStatus("OK"));
    expect(await client.send(["INCR", "r:big"])).toBe(9223372036854775807n);
    expect(await client.send(["DECRBY", "r:n", "11"])).toBe(-10);
  });

  it("is binary-safe in arguments and replies", async () => {
    const bytes = Buffer.from([0, 13, 10, 0xff, 0xfe, 36, 42, 13, 10]);
    expect(await client.send(["SET", bytes, bytes])).toEqual(new RespStatus("OK"));
    expect(await client.send(["GET", bytes])).toEqual(bytes);
    expect(await client.send(["SET", "r:empty", ""])).toEqual(new RespStatus("OK"));
    expect(await client.send(["GET", "r:empty"])).toEqual(Buffer.alloc(0));
    const big = Buffer.alloc(1024 * 1024 + 7, 0xab);
    await client.send(["SET", "r:1mb", big]);
    const back = await client.send(["GET", "r:1mb"]);
    expect(Buffer.isBuffer(back) && back.equals(big)).toBe(true);
  });
});

describe("pipelining", () => {
  it("answers a pipeline of many commands in order", async () => {
    const commands = Array.from({ length: 1000 }, () => ["INCR", "p:counter"]);
    const replies = await client.pipeline(commands);
    expect(replies).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  });

  it("keeps concurrent callers' replies apart", async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => client.send(["ECHO", `caller-${i}`]).then((r) => String(r))),
    );
    expect(results).toEqual(Array.from({ length: 200 }, (_, i) => `caller-${i}`));
  });

  it("carries an error among successes", async () => {
    const replies = await client.pipeline([
      ["SET", "p:s", "x"],
      ["INCR", "p:s"],
      ["GET", "p:s"],
    ]);
    expect(replies[0]).toEqual(new RespStatus("OK"));
    expect(replies[1]).toBeInstanceOf(RespError);
    expect(replies[2]).toEqual(Buffer.from("x"));
  });
});

describe("transactions", () => {
  it("runs MULTI/EXEC on a connection of its own", async () => {
    const { multi, queued, exec } = await client.transaction([
      ["SET", "t:k", "v"],
      ["INCR", "t:k"],
      ["GET", "t:k"],
    ]);
    expect(multi).toEqual(new RespStatus("OK"));
    expect(queued).toEqual([new RespStatus("QUEUED"), new RespStatus("QUEUED"), new RespStatus("QUEUED")]);
    expect(exec).toEqual([new RespStatus("OK"), expect.any(RespError), Buffer.from("v")]);
  });

  it("reports a queueing error with EXECABORT", async () => {
    const { queued, exec } = await client.transaction([["SET", "t:a", "1"], ["GET"]]);
    expect(queued[1]).toBeInstanceOf(RespError);
    expect((exec as RespError).message).toMatch(/^EXECABORT/);
    expect(await client.send(["EXISTS", "t:a"])).toBe(0);
  });
});

describe("parser", () => {
  it("parses replies fed one byte at a time", () => {
    const wire = Buffer.concat([
      Buffer.from("+OK\r\n-ERR bad\r\n:-42\r\n$-1\r\n*-1\r\n$5\r\nhe\r\no\r\n*2\r\n*1\r\n$0\r\n\r\n:7\r\n"),
    ]);
    const parser = new RespParser();
    const replies = [];
    for (const byte of wire) replies.push(...parser.push(Buffer.from([byte])));
    expect(replies).toEqual([
      new RespStatus("OK"),
      new RespError("ERR bad"),
      -42,
      null,
      null,
      Buffer.from("he\r\no"),
      [[Buffer.alloc(0)], 7],
    ]);
  });

  it("parses a large bulk reply arriving in chunks", () => {
    const value = Buffer.alloc(300_000, 0x61);
    const wire = Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from("\r\n:1\r\n")]);
    const parser = new RespParser();
    const replies = [];
    for (let i = 0; i < wire.length; i += 16_384) replies.push(...parser.push(wire.subarray(i, i + 16_384)));
    expect(replies).toHaveLength(2);
    expect(Buffer.isBuffer(replies[0]) && replies[0].equals(value)).toBe(true);
    expect(replies[1]).toBe(1);
  });

  it("encodes commands as arrays of bulk strings", () => {
    expect(encodeCommands([["SET", "k", 12], [Buffer.from("é")]]).toString()).toBe(
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n12\r\n*1\r\n$2\r\né\r\n",
    );
  });
});

describe("connection failures", () => {
  it("rejects quickly when nothing listens, and connects once redis is there", async () => {
    const port = await freePort();
    const connection = new RespConnection({ port });
    const started = performance.now();
    await expect(connection.pipeline([["PING"], ["PING"]])).rejects.toThrow(RedisConnectionError);
    await expect(connection.send(["PING"])).rejects.toThrow(/redis unreachable at 127.0.0.1:\d+/);
    expect(performance.now() - started).toBeLessThan(1000);
    const late = await startRedisServer({ port });
    try {
      expect(await connection.send(["PING"])).toEqual(new RespStatus("PONG"));
    } finally {
      connection.close();
      await late.stop();
    }
  });

  it("reconnects after the connection is killed", async () => {
    const connection = new RespConnection({ port: redis.port });
    try {
      const id = await connection.send(["CLIENT", "ID"]);
      expect(await client.send(["CLIENT", "KILL", "ID", String(id)])).toBe(1);
      for (let i = 0; i < 100 && connection.connected; i++) await new Promise((r) => setTimeout(r, 10));
      expect(connection.connected).toBe(false);
      expect(await connection.send(["PING"])).toEqual(new RespStatus("PONG"));
      expect(await connection.send(["CLIENT", "ID"])).not.toBe(id);
    } finally {
      connection.close();
    }
  });

  it("gives up on a server that accepts but never answers", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    const connection = new RespConnection({ port, commandTimeoutMs: 200 });
    try {
      const started = performance.now();
      await expect(connection.send(["PING"])).rejects.toThrow(/no reply from redis within 200 ms/);
      expect(performance.now() - started).toBeLessThan(1500);
    } finally {
      connection.close();
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("rejects pending commands on close and refuses new ones", async () => {
    const connection = new RespConnection({ port: redis.port });
    const pending = connection.send(["BLPOP", "never", "5"]);
    await new Promise((r) => setTimeout(r, 50));
    connection.close();
    await expect(pending).rejects.toThrow(RedisConnectionError);
    await expect(connection.send(["PING"])).rejects.toThrow(/closed/);
  });
});
