/** The bridge when redis goes away and comes back, and the bridge CLI. */
import { createServer, type Socket } from "node:net";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBridge, type RunningBridge } from "../../scripts/bridge/server.ts";
import { freePort } from "../../scripts/lib/ports.ts";
import { startRedisServer, type RunningRedisServer } from "../../scripts/lib/redis-server.ts";
import { exitOf as exit, firstLine, runBridgeCli as run } from "./cli.ts";
import { TOKEN } from "./harness.ts";

const auth = { Authorization: `Bearer ${TOKEN}` };

async function post(url: string, body: unknown): Promise<{ status: number; json: unknown; ms: number }> {
  const started = performance.now();
  const response = await fetch(url, { method: "POST", headers: auth, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json(), ms: performance.now() - started };
}

describe("redis stopped and restarted", () => {
  let redis: RunningRedisServer;
  let bridge: RunningBridge;
  let port: number;
  beforeAll(async () => {
    redis = await startRedisServer();
    port = redis.port;
    bridge = await startBridge({ redisPort: port, token: TOKEN });
  });
  afterAll(async () => {
    await bridge?.close();
    await redis?.stop();
  });

  it("answers a JSON 503 quickly while redis is down, then works again on restart", async () => {
    expect((await post(`${bridge.url}/`, ["SET", "k", "before"])).json).toEqual({ result: "OK" });
    await redis.stop();

    for (const [path, body] of [
      ["/", ["GET", "k"]],
      ["/pipeline", [["GET", "k"]]],
      ["/multi-exec", [["GET", "k"]]],
      ["/", ["BLPOP", "q", "1"]],
    ] as const) {
      const r = await post(`${bridge.url}${path}`, body);
      expect(r.status, path).toBe(503);
      expect((r.json as { error: string }).error).toMatch(/^ERR redis (unreachable|connection)/);
      expect(r.ms).toBeLessThan(1000);
    }
    const client = new Redis({ url: bridge.url, token: TOKEN, retry: false, enableAutoPipelining: false });
    await expect(client.get("k")).rejects.toThrow(/redis unreachable/);

    redis = await startRedisServer({ port });
    expect((await post(`${bridge.url}/`, ["SET", "k", "after"])).json).toEqual({ result: "OK" });
    expect(await client.get("k")).toBe("after");
    expect((await post(`${bridge.url}/multi-exec`, [["GET", "k"]])).json).toEqual([{ result: "after" }]);
  });

  it("fails in-flight commands with 503 when redis dies under them", async () => {
    const blocked = post(`${bridge.url}/`, ["BLPOP", "q", "5"]);
    await new Promise((r) => setTimeout(r, 100));
    await redis.stop();
    const r = await blocked;
    expect(r.status).toBe(503);
    expect((r.json as { error: string }).error).toMatch(/lost/);
    redis = await startRedisServer({ port });
    expect((await post(`${bridge.url}/`, ["PING"])).json).toEqual({ result: "PONG" });
  });
});

describe("redis that accepts connections but never answers", () => {
  it("answers 503 after commandTimeoutMs instead of hanging", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const bridge = await startBridge({
      redisPort: (silent.address() as { port: number }).port,
      token: TOKEN,
      commandTimeoutMs: 300,
    });
    try {
      const r = await post(`${bridge.url}/`, ["GET", "k"]);
      expect(r.status).toBe(503);
      expect((r.json as { error: string }).error).toMatch(/no reply from redis within 300 ms/);
      expect(r.ms).toBeLessThan(2000);
    } finally {
      await bridge.close();
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe("CLI", () => {
  let redis: RunningRedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("prints one line with the URL, serves, and exits cleanly on SIGTERM", async () => {
    const child = run(["--redis-port", String(redis.port), "--port", "0", "--token", "cli-token"]);
    let stdout = "";
    const line = await firstLine(child);
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const match = /^bridge listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
    expect(match, line).not.toBeNull();
    const url = match?.[1] ?? "";
    const ok = await fetch(`${url}/ping`, { headers: { Authorization: "Bearer cli-token" } });
    expect(await ok.json()).toEqual({ result: "PONG" });
    expect((await fetch(`${url}/ping`)).status).toBe(401);
    child.kill("SIGTERM");
    expect(await exit(child)).toBe(0);
    expect(stdout).toBe("");
  });

  it("takes the token from BRIDGE_TOKEN, a fixed port, and exits on SIGINT", async () => {
    const port = await freePort();
    const child = run(["--redis-port", String(redis.port), "--port", String(port), "--verbose"], {
      BRIDGE_TOKEN: "env-token",
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await firstLine(child)).toBe(`bridge listening on http://127.0.0.1:${port}`);
    const r = await fetch(`http://127.0.0.1:${port}/echo/hi?_token=env-token`);
    expect(await r.json()).toEqual({ result: "hi" });
    child.kill("SIGINT");
    expect(await exit(child)).toBe(0);
    expect(stderr).toMatch(/GET \/echo\/hi 200/);
    expect(stderr).not.toMatch(/env-token/);
  });

  it("caps event streams with --max-streams and ends them with their unsubscribe events on SIGTERM", async () => {
    const child = run(["--redis-port", String(redis.port), "--port", "0", "--token", "t", "--max-streams", "1"]);
    const url = (await firstLine(child)).replace("bridge listening on ", "");
    const stream = await fetch(`${url}/subscribe/cli?_token=t`);
    expect(stream.status).toBe(200);
    const body = stream.text();
    expect((await fetch(`${url}/subscribe/cli?_token=t`)).status).toBe(503);
    child.kill("SIGTERM");
    expect(await exit(child)).toBe(0);
    expect(await body).toBe("data: subscribe,cli,1\n\ndata: unsubscribe,cli,0\n\n");
  });

  it("refuses to start without a token", async () => {
    const child = run(["--redis-port", String(redis.port), "--port", "0"]);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await exit(child)).toBe(2);
    expect(stderr).toMatch(/no token/);
  });
});
