/**
 * Lua through the bridge, as the read-only cost lookup and @upstash/ratelimit
 * use it: EVAL_RO, EVALSHA_RO, EVAL, EVALSHA, SCRIPT LOAD, SCRIPT EXISTS (and
 * FCALL/FCALL_RO) are let through, their keys (`numkeys` then the keys) are
 * recorded in stats.keysRead, and only the writing ones move the sync token.
 */
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startHarness, TOKEN, type Harness } from "./harness.ts";

let h: Harness;
let redis: Redis;
beforeAll(async () => {
  h = await startHarness();
  redis = new Redis({ url: h.bridge.url, token: TOKEN, enableTelemetry: false, retry: false });
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => h.bridge.resetStats());

const READ = "return redis.call('MGET', unpack(KEYS))";
const WRITE = "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCR', KEYS[2])";

describe("Lua through the command policy", () => {
  it("runs EVAL_RO, EVALSHA_RO, EVAL, EVALSHA, SCRIPT LOAD and SCRIPT EXISTS with the unmodified client", async () => {
    await redis.mset({ "lua:a": "1", "lua:b": "2" });
    expect(await redis.evalRo(READ, ["lua:a", "lua:b"], [])).toEqual([1, 2]);
    const readSha = await redis.scriptLoad(READ);
    expect(readSha).toMatch(/^[0-9a-f]{40}$/);
    expect(await redis.evalshaRo(readSha, ["lua:b"], [])).toEqual([2]);
    expect(await redis.eval(WRITE, ["lua:c", "lua:n"], ["x"])).toBe(1);
    const writeSha = await redis.scriptLoad(WRITE);
    expect(await redis.evalsha(writeSha, ["lua:c", "lua:n"], ["y"])).toBe(2);
    expect(await redis.get("lua:c")).toBe("y");
    expect(await redis.scriptExists(readSha, "0".repeat(40), writeSha)).toEqual([1, 0, 1]);
    const refused = await h.call("/", ["EVAL_RO", WRITE, "2", "lua:c", "lua:n", "z"]);
    expect(refused.status).toBe(400);
    expect((refused.json as { error: string }).error).toMatch(/write command|Write commands/i);
  });

  it("runs FCALL and FCALL_RO", async () => {
    const library = [
      "#!lua name=bridgetest",
      "redis.register_function{function_name='first', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}",
    ].join("\n");
    expect((await h.call("/", ["FUNCTION", "LOAD", "REPLACE", library])).json).toEqual({ result: "bridgetest" });
    await redis.set("fn:k", "v");
    expect((await h.call("/", ["FCALL_RO", "first", "1", "fn:k"])).json).toEqual({ result: "v" });
    expect((await h.call("/", ["FCALL", "first", "1", "fn:k"])).json).toEqual({ result: "v" });
  });
});

describe("keys read by scripts", () => {
  it("records the numkeys keys of EVAL, EVAL_RO, EVALSHA, EVALSHA_RO, FCALL and FCALL_RO", async () => {
    const sha = "0".repeat(40);
    await h.call("/pipeline", [
      ["EVAL_RO", "return 1", "2", "k:1", "k:2", "arg:not-a-key"],
      ["EVALSHA_RO", sha, "1", "k:3", "arg"],
      ["EVAL", "return 1", "0", "arg:only"],
      ["EVALSHA", sha, "1", "k:4"],
      ["FCALL", "nope", "1", "k:5", "arg"],
      ["FCALL_RO", "nope", "2", "k:6", "k:7"],
    ]);
    await h.call("/eval_ro/return%201/1/k:8/arg");
    expect(h.bridge.stats.keysRead).toEqual(["k:1", "k:2", "k:3", "k:4", "k:5", "k:6", "k:7", "k:8"]);
  });

  it("records nothing for a numkeys Redis refuses", async () => {
    for (const numkeys of ["-1", "x", "3", "99999999999"]) {
      const r = await h.call("/", ["EVAL_RO", "return 1", numkeys, "k:1", "k:2"]);
      expect(r.status, numkeys).toBe(400);
    }
    expect(h.bridge.stats.keysRead).toEqual([]);
    expect(h.bridge.stats.commandNames).toEqual({ EVAL_RO: 4 });
  });
});

describe("sync token and scripts", () => {
  it("read-only scripts leave the token, writing ones move it", async () => {
    const token = async (command: string[]) => {
      const response = await fetch(`${h.bridge.url}/`, {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(command),
      });
      await response.text();
      return Number(response.headers.get("upstash-sync-token"));
    };
    const start = await token(["EVAL_RO", READ, "1", "lua:a"]);
    expect(await token(["SCRIPT", "EXISTS", "0".repeat(40)])).toBe(start);
    expect(await token(["FCALL_RO", "first", "1", "fn:k"])).toBe(start);
    expect(await token(["EVAL", WRITE, "2", "lua:c", "lua:n", "w"])).toBe(start + 1);
    expect(await token(["SCRIPT", "LOAD", "return 2"])).toBe(start + 2);
  });
});
