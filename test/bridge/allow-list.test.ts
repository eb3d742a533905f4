/**
 * The bridge offers only what Upstash offers (scripts/bridge/allow-list.ts):
 * administration of the local redis-server is refused before it reaches
 * Redis, in Upstash's error shape, on every endpoint; what the worker, the
 * routes CLI and @upstash/redis send still runs; blocking commands are capped.
 */
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RespConnection } from "../../scripts/lib/resp.ts";
import { eventually } from "../support/wait.ts";
import { startHarness, TOKEN, type Harness } from "./harness.ts";

let h: Harness;
let admin: RespConnection;
beforeAll(async () => {
  h = await startHarness({ maxBlocking: 2 });
  admin = new RespConnection({ port: h.redis.port });
});
afterAll(async () => {
  admin?.close();
  await h?.stop();
});

/** Calls of `name` Redis has counted (INFO commandstats), read past the bridge. */
async function callsInRedis(name: string): Promise<number> {
  const info = String(await admin.send(["INFO", "commandstats"]));
  return Number(new RegExp(`^cmdstat_${name.toLowerCase()}:calls=(\\d+)`, "m").exec(info)?.[1] ?? 0);
}

const ATTACKS: readonly string[][] = [
  ["MIGRATE", "127.0.0.1", "1", "k", "0", "10"],
  ["CONFIG", "GET", "*"],
  ["CONFIG", "SET", "dir", "/tmp"],
  ["SAVE"],
  ["BGSAVE"],
  ["SWAPDB", "0", "1"],
  ["CLIENT", "LIST"],
  ["CLIENT", "KILL", "TYPE", "normal"],
  ["DEBUG", "SLEEP", "0"],
  ["SHUTDOWN", "NOSAVE"],
  ["MODULE", "LIST"],
  ["REPLICAOF", "127.0.0.1", "1"],
  ["SLAVEOF", "127.0.0.1", "1"],
  ["ACL", "LIST"],
  ["INFO"],
  ["MONITOR"],
  ["SLOWLOG", "GET"],
  ["OBJECT", "ENCODING", "k"],
  ["MOVE", "k", "1"],
  ["RESTORE", "k", "0", "x"],
  ["FUNCTION", "DUMP"],
  ["SCRIPT", "DEBUG", "YES"],
  ["MEMORY", "DOCTOR"],
  ["LATENCY", "LATEST"],
  ["FAILOVER"],
];

describe("refused: what Upstash does not offer", () => {
  it("answers MIGRATE, CONFIG GET *, SAVE, SWAPDB, CLIENT LIST, DEBUG, SHUTDOWN, MODULE, REPLICAOF… with 400 {error: ERR …} and never runs them, while SET works", async () => {
    await h.call("/", ["SET", "allow:k", "v"]);
    for (const command of ATTACKS) {
      const name = command[0] ?? "";
      // Upstash's wording, or for CLIENT and MONITOR a reason of their own.
      const refusal = expect.stringMatching(new RegExp(`^ERR (Command is not available: '${name}|${name} )`));
      const before = await callsInRedis(name);
      const one = await h.call("/", command);
      expect(one.status, command.join(" ")).toBe(400);
      expect(one.json, command.join(" ")).toEqual({ error: refusal });
      // The same through the path form, a pipeline and a transaction.
      const path = await h.call(`/${command.map(encodeURIComponent).join("/")}`);
      expect(path.status, `path form ${name}`).toBe(400);
      const pipeline = await h.call("/pipeline", [command, ["GET", "allow:k"]]);
      expect(pipeline.json).toEqual([{ error: refusal }, { result: "v" }]);
      expect((await h.call("/multi-exec", [["GET", "allow:k"], command])).status).toBe(400);
      // Reading the counts is itself one INFO.
      expect(await callsInRedis(name), `${name} reached redis`).toBe(name === "INFO" ? before + 1 : before);
    }
    expect((await h.call("/", ["SET", "allow:k", "still"])).json).toEqual({ result: "OK" });
    expect((await h.call("/", ["GET", "allow:k"])).json).toEqual({ result: "still" });
  });

  it("calls a name Redis does not know an unknown command, as Redis does, without asking Redis", async () => {
    const r = await h.call("/", ["frobnicate", "x"]);
    expect(r.status).toBe(400);
    expect((r.json as { error: string }).error).toMatch(/^ERR unknown command 'frobnicate'/);
  });

  it("refuses from Lua what Redis refuses in scripts: SAVE, CONFIG, CLIENT, DEBUG, SHUTDOWN, MODULE, REPLICAOF, ACL", async () => {
    for (const call of [
      "'SAVE'",
      "'CONFIG','GET','*'",
      "'CLIENT','LIST'",
      "'DEBUG','SLEEP','0'",
      "'SHUTDOWN','NOSAVE'",
      "'MODULE','LIST'",
      "'REPLICAOF','NO','ONE'",
      "'ACL','LIST'",
    ]) {
      const r = await h.call("/", ["EVAL", `return redis.call(${call})`, "0"]);
      expect(r.status, call).toBe(400);
      expect((r.json as { error: string }).error, call).toMatch(/^ERR .*not allowed from script/);
    }
  });

  it("runs every command the worker, the routes CLI and the tests send through @upstash/redis", async () => {
    const redis = new Redis({ url: h.bridge.url, token: TOKEN, enableTelemetry: false, retry: false });
    const p = redis.pipeline();
    p.set("allow:s", "1");
    p.get("allow:s");
    p.mget("allow:s", "allow:none");
    p.incr("allow:n");
    p.incrby("allow:n", 2);
    p.exists("allow:s");
    p.expire("allow:s", 100);
    p.pexpire("allow:s", 100_000);
    p.ttl("allow:s");
    p.pttl("allow:s");
    p.persist("allow:s");
    p.type("allow:s");
    p.rpush("allow:l", "a", "b");
    p.lpush("allow:l", "z");
    p.lrange("allow:l", 0, -1);
    p.rpop("allow:l");
    p.sadd("allow:set", "a", "b");
    p.srem("allow:set", "b");
    p.smembers("allow:set");
    p.sunion("allow:set", "allow:none");
    p.scard("allow:set");
    p.sismember("allow:set", "a");
    p.hset("allow:h", { f: "v" });
    p.hgetall("allow:h");
    p.zadd("allow:z", { score: 1, member: "m" });
    p.zrange("allow:z", 0, -1);
    p.zscore("allow:z", "m");
    p.append("allow:s", "2");
    p.strlen("allow:s");
    p.scan(0, { match: "allow:*" });
    p.keys("allow:*");
    p.publish("allow:ch", "hi");
    p.eval("return redis.call('GET', KEYS[1])", ["allow:s"], []);
    p.evalRo("return redis.call('MGET', unpack(KEYS))", ["allow:s"], []);
    p.scriptLoad("return 1");
    p.ping();
    p.dbsize();
    p.del("allow:s", "allow:l", "allow:set", "allow:h", "allow:z", "allow:n");
    const results = await p.exec({ keepErrors: true });
    const errors = results.filter((entry) => entry.error !== undefined).map((entry) => entry.error);
    expect(errors).toEqual([]);
  });
});

describe("blocking commands are capped like the event streams", () => {
  it("lets maxBlocking BLPOPs wait, answers one more with 503 + Retry-After, and frees a slot when a client leaves", async () => {
    const aborts = [new AbortController(), new AbortController()];
    const waiting = aborts.map((abort) =>
      fetch(`${h.bridge.url}/`, {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(["BLPOP", "allow:queue", "20"]),
        signal: abort.signal,
      }).catch((error: Error) => error),
    );
    await eventually(() => h.bridge.waitingBlocking === 2, 5000, "two BLPOPs not waiting");
    for (const [path, body] of [
      ["/", ["BLPOP", "allow:queue", "1"]],
      ["/", ["XREAD", "BLOCK", "1000", "STREAMS", "allow:stream", "$"]],
      ["/pipeline", [["PING"], ["BRPOP", "allow:queue", "1"]]],
    ] as const) {
      const response = await fetch(`${h.bridge.url}${path}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(body),
      });
      expect(response.status, path).toBe(503);
      expect(response.headers.get("retry-after")).toBe("1");
      expect(await response.json()).toEqual({ error: "ERR too many blocking commands waiting (2); try again later" });
    }
    // Commands that do not block are not held back by the cap.
    expect((await h.call("/", ["PING"])).json).toEqual({ result: "PONG" });
    aborts[0]?.abort();
    await eventually(() => h.bridge.waitingBlocking === 1, 5000, "the slot of the client that left was not freed");
    expect((await h.call("/", ["BLPOP", "allow:queue", "0.05"])).json).toEqual({ result: null });
    await h.call("/", ["RPUSH", "allow:queue", "job"]);
    const served = (await waiting[1]) as Response;
    expect(await served.json()).toEqual({ result: ["allow:queue", "job"] });
    expect(h.bridge.waitingBlocking).toBe(0);
  });
});
