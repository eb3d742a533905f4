/** The bridge over raw HTTP: status codes, encodings, path form, limits, stats. */
import { randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBridge } from "../../scripts/bridge/server.ts";
import { startHarness, TOKEN, type Harness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const auth = { Authorization: `Bearer ${TOKEN}` };
const b64 = { ...auth, "Upstash-Encoding": "base64" };

async function send(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<{ status: number; text: string; json: unknown; type: string | null }> {
  const response = await fetch(`${h.bridge.url}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: init.headers ?? auth,
    body: init.body,
  });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text), type: response.headers.get("content-type") };
}

/** A GET with the request target exactly as given. */
function rawGet(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: h.bridge.port, path, headers: auth }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve(text));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("authentication", () => {
  it("401 with a JSON body without a token", async () => {
    const r = await send("/get/x", { headers: {} });
    expect(r.status).toBe(401);
    expect(r.type).toMatch(/^application\/json/);
    expect(r.json).toEqual({ error: "Unauthorized" });
    expect((await send("/", { headers: {}, body: '["PING"]' })).status).toBe(401);
    expect((await send("/pipeline", { headers: {}, body: '[["PING"]]' })).status).toBe(401);
  });

  it("401 with a wrong token, a token of another length, or a different scheme", async () => {
    for (const header of [`Bearer ${TOKEN.slice(0, -1)}x`, `Bearer ${TOKEN}x`, "Bearer ", `Basic ${TOKEN}`, TOKEN]) {
      const r = await send("/get/x", { headers: { Authorization: header } });
      expect(r.status, header).toBe(401);
      expect(r.json).toEqual({ error: "Unauthorized" });
    }
    expect((await send(`/get/x?_token=wrong`, { headers: {} })).status).toBe(401);
  });

  it("accepts Bearer in any case and ?_token=", async () => {
    expect((await send("/set/auth/1", { headers: { Authorization: `bearer ${TOKEN}` } })).json).toEqual({
      result: "OK",
    });
    const r = await send(`/get/auth?_token=${encodeURIComponent(TOKEN)}`, { headers: {} });
    expect(r).toMatchObject({ status: 200, json: { result: "1" } });
    const posted = await send(`/?_token=${TOKEN}`, { headers: {}, body: '["GET","auth"]' });
    expect(posted).toMatchObject({ status: 200, json: { result: "1" } });
  });
});

describe("methods and paths", () => {
  it("405 with a JSON body for PUT, DELETE, PATCH", async () => {
    for (const method of ["PUT", "DELETE", "PATCH"]) {
      const r = await send("/set/m/v", { method, body: method === "DELETE" ? undefined : "[]" });
      expect(r.status, method).toBe(405);
      expect(r.type).toMatch(/^application\/json/);
      expect((r.json as { error: string }).error).toMatch(/Method Not Allowed/);
    }
    expect((await send("/get/m")).json).toEqual({ result: null });
  });

  it("405 for GET on /pipeline and /multi-exec; 400 for GET /", async () => {
    expect((await send("/pipeline")).status).toBe(405);
    expect((await send("/multi-exec")).status).toBe(405);
    const root = await send("/");
    expect(root.status).toBe(400);
    expect((root.json as { error: string }).error).toMatch(/^ERR/);
  });

  it("an unknown path is an unknown command: 400 with the redis error", async () => {
    const r = await send("/favicon.ico");
    expect(r.status).toBe(400);
    expect((r.json as { error: string }).error).toMatch(/^ERR unknown command 'favicon.ico'/);
  });
});

describe("POST / with a JSON command", () => {
  it("accepts application/json with and without charset, no content type, and text/plain", async () => {
    const types = [
      "application/json",
      "application/json; charset=utf-8",
      "application/json;charset=UTF-8",
      "text/plain",
    ];
    for (const type of types) {
      const r = await send("/", { headers: { ...auth, "Content-Type": type }, body: '["SET","ct","é"]' });
      expect(r, type).toMatchObject({ status: 200, json: { result: "OK" } });
    }
    const r = await fetch(`${h.bridge.url}/`, { method: "POST", headers: auth, body: new Blob(['["GET","ct"]']) });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ result: "é" });
  });

  it("400 with the redis error for a command error", async () => {
    await h.call("/", ["LPUSH", "list", "x"]);
    const wrongType = await send("/", { body: '["GET","list"]' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.type).toMatch(/^application\/json/);
    expect(wrongType.json).toEqual({
      error: "WRONGTYPE Operation against a key holding the wrong kind of value",
    });
    const unknown = await send("/", { body: '["NOSUCHCOMMAND","x"]' });
    expect(unknown.status).toBe(400);
    expect((unknown.json as { error: string }).error).toMatch(/^ERR unknown command 'NOSUCHCOMMAND'/);
    const arity = await send("/", { body: '["GET"]' });
    expect(arity.status).toBe(400);
    expect((arity.json as { error: string }).error).toMatch(/^ERR wrong number of arguments/);
  });

  it("400 with a JSON error for malformed or mistyped bodies", async () => {
    const bodies = [
      "",
      "{",
      '["GET",',
      '{"cmd":"GET"}',
      '"GET"',
      "[]",
      '["SET","k",null]',
      '["SET","k",{"a":1}]',
      '[["GET","k"]]',
    ];
    for (const body of bodies) {
      const r = await send("/", { body });
      expect(r.status, body).toBe(400);
      expect(typeof (r.json as { error: unknown }).error, body).toBe("string");
    }
  });

  it("converts numbers and booleans to their text", async () => {
    await h.call("/", ["MSET", "n:int", 42, "n:float", 1.5, "n:neg", -7, "n:exp", 1e21, "b:t", true, "b:f", false]);
    const r = await h.call("/", ["MGET", "n:int", "n:float", "n:neg", "n:exp", "b:t", "b:f"]);
    expect(r.json).toEqual({ result: ["42", "1.5", "-7", "1e+21", "true", "false"] });
    // JSON text the client did not produce keeps its spelling.
    await send("/", { body: '["SET","n:text",1.50]' });
    expect((await h.call("/get/n:text")).json).toEqual({ result: "1.50" });
    expect((await h.call("/", ["INCRBY", "n:int", 8])).json).toEqual({ result: 50 });
  });

  it("writes integers past 2^53 exactly", async () => {
    await h.call("/", ["SET", "big", "9007199254740993"]);
    const r = await send("/", { body: '["INCRBY","big",10]' });
    expect(r.text).toBe('{"result":9007199254741003}');
  });
});

describe("path form", () => {
  it("GET /set/key/value and GET /get/key", async () => {
    expect((await send("/set/path:k/hello")).json).toEqual({ result: "OK" });
    expect((await send("/get/path:k")).json).toEqual({ result: "hello" });
    expect((await send("/GET/path:k/")).json).toEqual({ result: "hello" });
    expect((await send("/get/path:missing")).json).toEqual({ result: null });
  });

  it("percent-decodes segments to bytes, slashes and dots included", async () => {
    expect((await send("/set/a%2Fb/%E2%9C%93%20ok")).status).toBe(200);
    expect((await send("/get/a%2Fb")).json).toEqual({ result: "✓ ok" });
    // fetch would resolve the dot segments; node:http sends the path as written.
    expect(await rawGet("/set/../%2e%2e")).toBe('{"result":"OK"}');
    expect((await h.call("/", ["GET", ".."])).json).toEqual({ result: ".." });
    expect((await send("/set/raw/%FF%00%FE")).status).toBe(200);
    expect((await send("/get/raw", { headers: b64 })).json).toEqual({ result: "/wD+" });
  });

  it("POST /set/key appends the body; query parameters follow it", async () => {
    const body = '{"upstream":"http://10.0.0.1:8080","note":"a/b?c"}';
    expect((await send("/set/post:k", { body })).json).toEqual({ result: "OK" });
    expect((await send("/get/post:k")).json).toEqual({ result: body });
    expect((await send("/set/post:ex?EX=100", { body: "v" })).json).toEqual({ result: "OK" });
    expect((await send("/ttl/post:ex")).json).toEqual({ result: 100 });
    expect((await send("/set/post:ex?NX", { body: "w" })).json).toEqual({ result: null });
  });

  it("a binary POST body survives and comes back as base64", async () => {
    const bytes = randomBytes(4096);
    expect((await send("/set/bin", { body: bytes })).json).toEqual({ result: "OK" });
    expect((await send("/get/bin", { headers: b64 })).json).toEqual({ result: bytes.toString("base64") });
    expect((await send("/strlen/bin")).json).toEqual({ result: 4096 });
  });
});

describe("Upstash-Encoding: base64", () => {
  it("encodes bulk and status strings, leaves a top-level OK, integers and nil alone", async () => {
    expect((await send("/", { headers: b64, body: '["SET","e:k","hello"]' })).json).toEqual({ result: "OK" });
    expect((await send("/", { headers: b64, body: '["GET","e:k"]' })).json).toEqual({ result: "aGVsbG8=" });
    expect((await send("/", { headers: b64, body: '["PING"]' })).json).toEqual({ result: "UE9ORw==" });
    expect((await send("/", { headers: b64, body: '["TYPE","e:k"]' })).json).toEqual({ result: "c3RyaW5n" });
    expect((await send("/", { headers: b64, body: '["STRLEN","e:k"]' })).json).toEqual({ result: 5 });
    expect((await send("/", { headers: b64, body: '["GET","e:none"]' })).json).toEqual({ result: null });
    const mget = await send("/", { headers: b64, body: '["MGET","e:k","e:none"]' });
    expect(mget.json).toEqual({ result: ["aGVsbG8=", null] });
    // An OK status inside an array is encoded: the client base64-decodes array items.
    const lua = await send("/", { headers: b64, body: `["EVAL","return {redis.status_reply('OK'), 1}","0"]` });
    expect(lua.json).toEqual({ result: ["T0s=", 1] });
    // Without the header the same replies are plain text.
    expect((await send("/", { body: '["PING"]' })).json).toEqual({ result: "PONG" });
    expect((await send("/", { headers: { ...auth, "upstash-encoding": "BASE64" }, body: '["PING"]' })).json).toEqual({
      result: "UE9ORw==",
    });
  });

  it("encodes inside pipeline and multi-exec results, errors stay plain", async () => {
    const body = JSON.stringify([
      ["SET", "e:p", "v"],
      ["GET", "e:p"],
      ["INCR", "e:p"],
      ["LRANGE", "e:none", 0, -1],
    ]);
    const expected = [
      { result: "OK" },
      { result: "dg==" },
      { error: "ERR value is not an integer or out of range" },
      { result: [] },
    ];
    expect(await send("/pipeline", { headers: b64, body })).toMatchObject({ status: 200, json: expected });
    expect(await send("/multi-exec", { headers: b64, body })).toMatchObject({ status: 200, json: expected });
  });
});

describe("/pipeline and /multi-exec", () => {
  it("a pipeline answers 200 with one entry per command", async () => {
    const r = await h.call("/pipeline", [["SET", "pl:s", "text"], ["INCR", "pl:s"], ["GET", "pl:s"], ["NOPE"]]);
    expect(r.status).toBe(200);
    const entries = r.json as Array<{ result?: unknown; error?: string }>;
    expect(entries).toHaveLength(4);
    expect(entries[0]).toEqual({ result: "OK" });
    expect(entries[1]?.error).toMatch(/not an integer/);
    expect(entries[2]).toEqual({ result: "text" });
    expect(entries[3]?.error).toMatch(/unknown command/);
  });

  it("a transaction with a runtime error still runs the rest; a queueing error aborts it", async () => {
    const ok = await h.call("/multi-exec", [
      ["SET", "tx:s", "a"],
      ["INCR", "tx:s"],
      ["APPEND", "tx:s", "b"],
    ]);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject([
      { result: "OK" },
      { error: expect.stringMatching(/not an integer/) },
      { result: 2 },
    ]);
    const aborted = await h.call("/multi-exec", [["SET", "tx:t", "a"], ["GET"], ["SET", "tx:u", "b"]]);
    expect(aborted.status).toBe(400);
    expect((aborted.json as { error: string }).error).toMatch(/^EXECABORT .*wrong number of arguments/);
    expect((await h.call("/", ["EXISTS", "tx:t", "tx:u"])).json).toEqual({ result: 0 });
  });

  it("400 for bodies that are not arrays of commands", async () => {
    for (const body of ["[]", '["GET","k"]', "[[]]", '[["GET",null]]', "{}", "nope"]) {
      expect((await send("/pipeline", { body })).status, body).toBe(400);
      expect((await send("/multi-exec", { body })).status, body).toBe(400);
    }
  });

  it("transactions do not interleave with concurrent traffic", async () => {
    await h.call("/", ["SET", "iso", "0"]);
    const tx = Array.from({ length: 20 }, () =>
      h.call("/multi-exec", [
        ["SET", "iso", "tx"],
        ["GET", "iso"],
        ["SET", "iso", "0"],
      ]),
    );
    const noise = Array.from({ length: 40 }, (_, i) => h.call("/", ["SET", "iso", `noise-${i}`]));
    const [txResults] = await Promise.all([Promise.all(tx), Promise.all(noise)]);
    for (const r of txResults) expect(r.json).toEqual([{ result: "OK" }, { result: "tx" }, { result: "OK" }]);
  });
});

describe("refused commands", () => {
  it("400 for commands that would break the request/response model or shared state", async () => {
    for (const command of [
      ["SUBSCRIBE", "ch"],
      ["MONITOR"],
      ["SHUTDOWN"],
      ["DEBUG", "SLEEP", "0"],
      ["SELECT", "1"],
      ["MULTI"],
      ["HELLO", "3"],
      ["CLIENT", "REPLY", "OFF"],
      ["CONFIG", "SET", "maxmemory", "1"],
    ]) {
      const r = await h.call("/", command);
      expect(r.status, command.join(" ")).toBe(400);
      expect((r.json as { error: string }).error).toMatch(/^ERR /);
    }
    // CLIENT and CONFIG describe the local redis-server, not a database: refused whole (test/bridge/allow-list.test.ts).
    expect((await h.call("/", ["CLIENT", "ID"])).status).toBe(400);
    expect((await h.call("/", ["CONFIG", "GET", "maxmemory"])).status).toBe(400);
    const pipeline = await h.call("/pipeline", [["SELECT", "2"], ["PING"]]);
    expect(pipeline.json).toEqual([{ error: expect.stringMatching(/SELECT/) }, { result: "PONG" }]);
    expect((await h.call("/multi-exec", [["PING"], ["WATCH", "k"]])).status).toBe(400);
    expect((await h.call("/", ["PING"])).json).toEqual({ result: "PONG" });
  });

  it("blocking commands get a connection of their own", async () => {
    const blocked = h.call("/", ["BLPOP", "queue", "5"]);
    const started = performance.now();
    expect((await h.call("/", ["GET", "anything"])).json).toEqual({ result: null });
    expect(performance.now() - started).toBeLessThan(1000);
    await h.call("/", ["RPUSH", "queue", "job"]);
    expect((await blocked).json).toEqual({ result: ["queue", "job"] });
    const timedOut = await h.call("/pipeline", [["BLPOP", "queue", "0.05"], ["PING"]]);
    expect(timedOut.json).toEqual([{ result: null }, { result: "PONG" }]);
  });
});

describe("large values", () => {
  it("1 MB in and out, through /, /pipeline and the path form", async () => {
    const value = "v".repeat(1024 * 1024);
    expect((await h.call("/", ["SET", "big:1", value])).json).toEqual({ result: "OK" });
    expect(((await h.call("/", ["GET", "big:1"])).json as { result: string }).result === value).toBe(true);
    const piped = await h.call("/pipeline", [
      ["GET", "big:1"],
      ["STRLEN", "big:1"],
    ]);
    expect((piped.json as Array<{ result: unknown }>)[1]).toEqual({ result: value.length });
    const bytes = randomBytes(1024 * 1024);
    expect((await send("/set/big:2", { body: bytes })).json).toEqual({ result: "OK" });
    const back = (await send("/get/big:2", { headers: b64 })).json as { result: string };
    expect(Buffer.from(back.result, "base64").equals(bytes)).toBe(true);
  });

  it("413 past maxBodyBytes", async () => {
    const small = await startBridge({ redisPort: h.redis.port, token: TOKEN, maxBodyBytes: 1000 });
    try {
      const r = await fetch(`${small.url}/`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify(["SET", "k", "x".repeat(2000)]),
      });
      expect(r.status).toBe(413);
      expect(((await r.json()) as { error: string }).error).toMatch(/larger than 1000 bytes/);
    } finally {
      await small.close();
    }
  });
});

describe("connections and stats", () => {
  it("reuses keep-alive connections", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const reused: boolean[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = request(`${h.bridge.url}/`, { method: "POST", agent, headers: auth }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          });
          req.on("error", reject);
          reused.push(req.reusedSocket);
          req.end('["PING"]');
        });
        expect(status).toBe(200);
      }
    } finally {
      agent.destroy();
    }
    expect(reused).toEqual([false, true, true, true, true]);
  });

  it("counts requests, routes, commands and the keys read", async () => {
    h.bridge.resetStats();
    await send("/get/x", { headers: {} }); // unauthorised: counted as a request only
    await h.call("/get/st:1");
    await h.call("/", ["MGET", "st:2", "st:3"]);
    await h.call("/pipeline", [
      ["SET", "st:4", "v"],
      ["HGETALL", "st:5"],
      ["EXISTS", "st:6", "st:7"],
    ]);
    await h.call("/multi-exec", [
      ["TTL", "st:8"],
      ["INCR", "st:n"],
    ]);
    const { stats } = h.bridge;
    expect(stats.requests).toBe(5);
    expect(stats.commands).toBe(7);
    expect(stats.byPath).toEqual({ "/get": 1, "/": 1, "/pipeline": 1, "/multi-exec": 1 });
    expect(stats.commandNames).toEqual({ GET: 1, MGET: 1, SET: 1, HGETALL: 1, EXISTS: 1, TTL: 1, INCR: 1 });
    expect(stats.keysRead).toEqual(["st:1", "st:2", "st:3", "st:5", "st:6", "st:7", "st:8"]);
    h.bridge.resetStats();
    expect(stats).toEqual({ requests: 0, commands: 0, byPath: {}, commandNames: {}, keysRead: [] });
  });

  it("keeps only the last 10,000 keys read", async () => {
    h.bridge.resetStats();
    const keys = Array.from({ length: 10_050 }, (_, i) => `cap:${i}`);
    await h.call("/", ["MGET", ...keys]);
    expect(h.bridge.stats.keysRead).toHaveLength(10_000);
    expect(h.bridge.stats.keysRead[0]).toBe("cap:50");
    expect(h.bridge.stats.keysRead.at(-1)).toBe("cap:10049");
  });
});
