/**
 * The unmodified @upstash/redis client against the bridge: every combination
 * of auto-pipelining and base64 response encoding, then a conformance group
 * with the client's default settings.
 */
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, TOKEN, type Harness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** Strings a sloppy bridge would mangle: base64-looking, number-looking, status-looking, unicode. */
const TRICKY = [
  "aGVsbG8=",
  "YQ==",
  "abcd",
  "123",
  "1e3",
  "007",
  "-0",
  "1.50",
  "OK",
  "PONG",
  "QUEUED",
  "true",
  "null",
  '"quoted"',
  "",
  " padded ",
  "line\nbreak\r\n",
  "tab\tand\\backslash",
  "nul\u0000byte",
  "😀🎉 emoji",
  "中文字符 日本語 한국어",
  "é ü ß",
];

const cells = [
  { autoPipelining: false, base64: false },
  { autoPipelining: false, base64: true },
  { autoPipelining: true, base64: false },
  { autoPipelining: true, base64: true },
] as const;

describe.each(cells)(
  "@upstash/redis, auto-pipelining $autoPipelining, base64 $base64",
  ({ autoPipelining, base64 }) => {
    const prefix = `cell:${autoPipelining ? "ap" : "np"}:${base64 ? "b64" : "utf8"}:`;
    const k = (name: string) => prefix + name;
    /** Values come back exactly as stored. */
    let raw: Redis;
    /** The client's JSON (de)serialisation on. */
    let json: Redis;

    beforeAll(() => {
      const common = {
        url: h.bridge.url,
        token: TOKEN,
        enableAutoPipelining: autoPipelining,
        enableTelemetry: false,
        retry: false as const,
        ...(base64 ? {} : { responseEncoding: false as const }),
      };
      raw = new Redis({ ...common, automaticDeserialization: false });
      json = new Redis(common);
    });

    it("round-trips strings that look like base64, numbers, statuses, and unicode", async () => {
      await Promise.all(TRICKY.map((value, i) => raw.set(k(`tricky:${i}`), value)));
      const single = await Promise.all(TRICKY.map((_, i) => raw.get<string>(k(`tricky:${i}`))));
      expect(single).toEqual(TRICKY);
      const many = await raw.mget<string[]>(...TRICKY.map((_, i) => k(`tricky:${i}`)), k("tricky:missing"));
      expect(many).toEqual([...TRICKY, null]);
      expect(await raw.strlen(k("tricky:0"))).toBe(8);
      expect(await raw.strlen(k(`tricky:${TRICKY.indexOf("😀🎉 emoji")}`))).toBe(Buffer.byteLength("😀🎉 emoji"));
    });

    it("lets the client's JSON deserialisation behave as against Upstash", async () => {
      const object = { name: "web", backends: ["10.0.0.1:80", "10.0.0.2:80"], weight: 1.5, tls: true, extra: null };
      await json.set(k("obj"), object);
      expect(await raw.get(k("obj"))).toBe(JSON.stringify(object));
      expect(await json.get(k("obj"))).toEqual(object);
      await json.set(k("num"), "123");
      expect(await json.get(k("num"))).toBe(123);
      await json.set(k("exp"), "1e3");
      expect(await json.get(k("exp"))).toBe("1e3");
      await json.set(k("zeros"), "007");
      expect(await json.get(k("zeros"))).toBe("007");
      await json.set(k("b64"), "aGVsbG8=");
      expect(await json.get(k("b64"))).toBe("aGVsbG8=");
      await json.set(k("bool"), true);
      expect(await raw.get(k("bool"))).toBe("true");
      await json.set(k("float"), 0.1);
      expect(await raw.get(k("float"))).toBe("0.1");
    });

    it("stores and returns a 1 MB value", async () => {
      const ascii = "x".repeat(1024 * 1024);
      const multibyte = "é中😀".repeat(100_000); // 900 kB of multi-byte UTF-8
      await Promise.all([raw.set(k("big:ascii"), ascii), raw.set(k("big:mb"), multibyte)]);
      const [a, m] = await Promise.all([raw.get<string>(k("big:ascii")), raw.get<string>(k("big:mb"))]);
      expect(a?.length).toBe(ascii.length);
      expect(a === ascii).toBe(true);
      expect(m === multibyte).toBe(true);
    });

    it("handles lists, hashes and sets", async () => {
      expect(await raw.rpush(k("list"), "a", "b", "aGVsbG8=", "😀")).toBe(4);
      expect(await raw.lpush(k("list"), "z")).toBe(5);
      expect(await raw.lrange(k("list"), 0, -1)).toEqual(["z", "a", "b", "aGVsbG8=", "😀"]);
      expect(await raw.rpop(k("list"))).toBe("😀");
      expect(await raw.llen(k("list"))).toBe(4);

      expect(await json.hset(k("hash"), { host: "example.com", port: 8080, meta: { a: 1 } })).toBe(3);
      expect(await json.hget(k("hash"), "port")).toBe(8080);
      expect(await json.hgetall(k("hash"))).toEqual({ host: "example.com", port: 8080, meta: { a: 1 } });
      expect(await raw.hget(k("hash"), "meta")).toBe('{"a":1}');
      expect(await json.hgetall(k("nohash"))).toBeNull();

      expect(await raw.sadd(k("set"), "one", "two", "中文")).toBe(3);
      expect((await raw.smembers(k("set"))).sort()).toEqual(["one", "two", "中文"].sort());
      expect(await raw.sismember(k("set"), "中文")).toBe(1);
      expect(await raw.sismember(k("set"), "three")).toBe(0);
    });

    it("runs multi() as a transaction", async () => {
      const result = await raw.multi().set(k("tx"), "v").incr(k("tx:n")).get(k("tx")).type(k("tx")).ping().exec();
      expect(result).toEqual(["OK", 1, "v", "string", "PONG"]);
    });

    it("reports the failing command of a pipeline and keeps the others", async () => {
      await raw.set(k("str"), "not a number");
      const failing = raw.pipeline().set(k("p1"), "a").incr(k("str")).get(k("p1"));
      await expect(failing.exec()).rejects.toThrow(/Command 2 \[ incr \] failed: ERR value is not an integer/);
      expect(await raw.get(k("p1"))).toBe("a");
      const kept = await raw.pipeline().set(k("p2"), "b").incr(k("str")).get(k("p2")).exec({ keepErrors: true });
      expect(kept[0]).toEqual({ error: undefined, result: "OK" });
      expect(kept[1]?.error).toMatch(/^ERR value is not an integer/);
      expect(kept[2]).toEqual({ error: undefined, result: "b" });
    });

    it("rejects only the failing call among concurrent ones", async () => {
      await raw.set(k("c:str"), "text");
      const results = await Promise.allSettled([raw.set(k("c:a"), "1"), raw.incr(k("c:str")), raw.get(k("c:a"))]);
      expect(results[0]).toEqual({ status: "fulfilled", value: "OK" });
      expect(results[1]?.status).toBe("rejected");
      expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/not an integer/);
      expect(results[2]).toEqual({ status: "fulfilled", value: "1" });
    });

    it(`sends single commands ${autoPipelining ? "through /pipeline" : "to /"}`, async () => {
      h.bridge.resetStats();
      await Promise.all([raw.get(k("route:a")), raw.get(k("route:b"))]);
      if (autoPipelining) {
        expect(h.bridge.stats.byPath).toEqual({ "/pipeline": 1 });
      } else {
        expect(h.bridge.stats.byPath).toEqual({ "/": 2 });
      }
      expect(h.bridge.stats.keysRead).toEqual([k("route:a"), k("route:b")]);
    });
  },
);

describe("@upstash/redis conformance with default settings", () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis({ url: h.bridge.url, token: TOKEN });
    await redis.flushdb();
  });

  it("ping, echo, set/get with EX and NX, getdel, type, dbsize", async () => {
    expect(await redis.ping()).toBe("PONG");
    expect(await redis.echo("hello")).toBe("hello");
    expect(await redis.set("conf:a", "1", { ex: 100 })).toBe("OK");
    expect(await redis.ttl("conf:a")).toBeGreaterThan(90);
    expect(await redis.set("conf:a", "2", { nx: true })).toBeNull();
    expect(await redis.set("conf:b", "2", { nx: true })).toBe("OK");
    expect(await redis.get("conf:a")).toBe(1);
    expect(await redis.set("conf:a", "3", { get: true })).toBe(1);
    expect(await redis.getdel("conf:a")).toBe(3);
    expect(await redis.get("conf:a")).toBeNull();
    expect(await redis.type("conf:b")).toBe("string");
    expect(await redis.type("conf:none")).toBe("none");
    expect(await redis.dbsize()).toBe(1);
  });

  it("incr/decr/incrby/incrbyfloat and append/strlen", async () => {
    expect(await redis.incr("conf:n")).toBe(1);
    expect(await redis.incrby("conf:n", 41)).toBe(42);
    expect(await redis.decr("conf:n")).toBe(41);
    expect(await redis.decrby("conf:n", 40)).toBe(1);
    expect(await redis.incrbyfloat("conf:f", 1.5)).toBe(1.5);
    expect(await redis.append("conf:s", "ab")).toBe(2);
    expect(await redis.append("conf:s", "cd")).toBe(4);
    expect(await redis.strlen("conf:s")).toBe(4);
    expect(await redis.getrange("conf:s", 1, 2)).toBe("bc");
  });

  it("mset/mget with JSON values", async () => {
    const value = { list: [1, 2, 3], nested: { ok: true } };
    expect(await redis.mset({ "conf:m1": "x", "conf:m2": value, "conf:m3": 7 })).toBe("OK");
    expect(await redis.mget("conf:m1", "conf:m2", "conf:m3", "conf:missing")).toEqual(["x", value, 7, null]);
  });

  it("del/exists/expire/ttl/persist", async () => {
    await redis.set("conf:d1", "1");
    await redis.set("conf:d2", "2");
    expect(await redis.exists("conf:d1", "conf:d2", "conf:d3")).toBe(2);
    expect(await redis.expire("conf:d1", 50)).toBe(1);
    const ttl = await redis.ttl("conf:d1");
    expect(ttl).toBeGreaterThan(40);
    expect(ttl).toBeLessThanOrEqual(50);
    expect(await redis.persist("conf:d1")).toBe(1);
    expect(await redis.ttl("conf:d1")).toBe(-1);
    expect(await redis.ttl("conf:d3")).toBe(-2);
    expect(await redis.del("conf:d1", "conf:d2", "conf:d3")).toBe(2);
    expect(await redis.exists("conf:d1")).toBe(0);
  });

  it("lpush/lrange/rpop/lindex", async () => {
    expect(await redis.lpush("conf:l", "c", "b", "a")).toBe(3);
    expect(await redis.lrange("conf:l", 0, -1)).toEqual(["a", "b", "c"]);
    expect(await redis.lindex("conf:l", 1)).toBe("b");
    expect(await redis.rpop("conf:l")).toBe("c");
    expect(await redis.rpop("conf:l", 2)).toEqual(["b", "a"]);
    expect(await redis.rpop("conf:l")).toBeNull();
  });

  it("hset/hget/hgetall/hdel/hincrby", async () => {
    expect(await redis.hset("conf:h", { f1: "v1", f2: 2 })).toBe(2);
    expect(await redis.hget("conf:h", "f1")).toBe("v1");
    expect(await redis.hincrby("conf:h", "f2", 3)).toBe(5);
    expect(await redis.hgetall("conf:h")).toEqual({ f1: "v1", f2: 5 });
    expect(await redis.hdel("conf:h", "f1")).toBe(1);
    expect(await redis.hkeys("conf:h")).toEqual(["f2"]);
  });

  it("sadd/smembers/sismember/srem", async () => {
    expect(await redis.sadd("conf:s1", "a", "b", "c")).toBe(3);
    expect((await redis.smembers("conf:s1")).sort()).toEqual(["a", "b", "c"]);
    expect(await redis.sismember("conf:s1", "b")).toBe(1);
    expect(await redis.srem("conf:s1", "b")).toBe(1);
    expect(await redis.scard("conf:s1")).toBe(2);
  });

  it("zadd/zrange/zscore/zrank", async () => {
    expect(await redis.zadd("conf:z", { score: 2, member: "two" }, { score: 1, member: "one" })).toBe(2);
    expect(await redis.zrange("conf:z", 0, -1)).toEqual(["one", "two"]);
    expect(await redis.zrange("conf:z", 0, -1, { withScores: true })).toEqual(["one", 1, "two", 2]);
    expect(await redis.zscore("conf:z", "two")).toBe(2);
    expect(await redis.zrank("conf:z", "two")).toBe(1);
    expect(await redis.zincrby("conf:z", 0.5, "one")).toBe(1.5);
  });

  it("scan with match and count walks every key", async () => {
    await redis.mset(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`scan:${i}`, i])));
    const seen = new Set<string>();
    let cursor: string | number = "0";
    let rounds = 0;
    do {
      const [next, keys]: [string | number, string[]] = await redis.scan(cursor, { match: "scan:*", count: 5 });
      keys.forEach((key) => seen.add(key));
      cursor = next;
      rounds++;
    } while (String(cursor) !== "0" && rounds < 100);
    expect(seen.size).toBe(30);
    expect(rounds).toBeGreaterThan(1);
    const keys = await redis.keys("scan:1*");
    expect(keys.sort()).toEqual(["scan:1", ...Array.from({ length: 10 }, (_, i) => `scan:1${i}`)].sort());
  });

  it("eval and evalsha of a small script", async () => {
    const script =
      "redis.call('SET', KEYS[1], ARGV[1]); return {redis.call('GET', KEYS[1]), 42, redis.status_reply('OK')}";
    expect(await redis.eval(script, ["conf:eval"], ["from-lua"])).toEqual(["from-lua", 42, "OK"]);
    const sha = await redis.scriptLoad("return ARGV[1]");
    expect(await redis.evalsha(sha, [], ["😀 back"])).toBe("😀 back");
    await expect(redis.eval("return redis.error_reply('MYERR boom')", [], [])).rejects.toThrow(/MYERR boom/);
  });

  it("pipeline() and multi()", async () => {
    const p = await redis.pipeline().set("conf:p", { a: 1 }).get("conf:p").incr("conf:pn").del("conf:p").exec();
    expect(p).toEqual(["OK", { a: 1 }, 1, 1]);
    const m = await redis.multi().set("conf:m", "v").get("conf:m").incr("conf:mn").lpush("conf:ml", "x").exec();
    expect(m).toEqual(["OK", "v", 1, 1]);
  });

  it("a command error rejects with the redis message", async () => {
    await redis.lpush("conf:wrong", "x");
    await expect(redis.get("conf:wrong")).rejects.toThrow(/WRONGTYPE/);
    await expect(redis.incr("conf:s")).rejects.toThrow(/not an integer/);
  });
});
