/**
 * How far the bridge's token reaches: it refuses to listen beyond loopback
 * unless told `--allow-remote`, and `?_token=` never reaches a log line.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RemoteListenError } from "../../scripts/bridge/loopback.ts";
import { startBridge } from "../../scripts/bridge/server.ts";
import { startRedisServer, type RunningRedisServer } from "../../scripts/lib/redis-server.ts";
import { exitOf, firstLine, runBridgeCli } from "./cli.ts";

let redis: RunningRedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

describe("--host beyond loopback", () => {
  it.each(["0.0.0.0", "::", "192.0.2.10", "example.com"])(
    "refuses --host %s without --allow-remote: exit 2 and a message naming the flag",
    async (host) => {
      const child = runBridgeCli(["--redis-port", String(redis.port), "--port", "0", "--token", "t", "--host", host]);
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      expect(await exitOf(child)).toBe(2);
      expect(stderr).toMatch(new RegExp(`refusing to listen on ${host.replace(/\./g, "\\.")}: not a loopback address`));
      expect(stderr).toContain("--allow-remote");
    },
  );

  it("refuses it in startBridge too, and accepts loopback spellings", async () => {
    await expect(startBridge({ redisPort: redis.port, token: "t", host: "0.0.0.0" })).rejects.toThrow(
      RemoteListenError,
    );
    for (const host of ["127.0.0.1", "127.0.0.2", "::1", "localhost"]) {
      const bridge = await startBridge({ redisPort: redis.port, token: "t", host });
      await bridge.close();
    }
  });

  it("listens on 0.0.0.0 with --allow-remote", async () => {
    const child = runBridgeCli([
      ...["--redis-port", String(redis.port), "--port", "0", "--token", "t"],
      ...["--host", "0.0.0.0", "--allow-remote"],
    ]);
    const line = await firstLine(child);
    expect(line).toMatch(/^bridge listening on http:\/\/0\.0\.0\.0:\d+$/);
    // Traffic stays on loopback: the wildcard address includes it.
    const port = line.split(":").at(-1) ?? "";
    const reply = await fetch(`http://127.0.0.1:${port}/ping?_token=t`);
    expect(await reply.json()).toEqual({ result: "PONG" });
    child.kill("SIGTERM");
    expect(await exitOf(child)).toBe(0);
  });
});

describe("?_token= in logs", () => {
  it("never writes the token of ?_token= in a log line: commands, streams, refusals and wrong tokens alike", async () => {
    const token = "query-token-that-must-not-be-logged";
    const child = runBridgeCli(["--redis-port", String(redis.port), "--port", "0", "--token", token, "--verbose"]);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const url = (await firstLine(child)).replace("bridge listening on ", "");
    await (await fetch(`${url}/set/k/v?_token=${token}&EX=100`)).json();
    await (await fetch(`${url}/?_token=${token}`, { method: "POST", body: '["MIGRATE"]' })).json();
    await (await fetch(`${url}/get/k?_token=${token}x`)).json();
    const abort = new AbortController();
    const stream = await fetch(`${url}/subscribe/news?_token=${token}`, { signal: abort.signal });
    expect(stream.status).toBe(200);
    abort.abort();
    child.kill("SIGINT");
    expect(await exitOf(child)).toBe(0);
    expect(stderr).toMatch(/^GET \/set\/k\/v 200 /m);
    expect(stderr).toMatch(/^POST \/ 400 /m);
    expect(stderr).toMatch(/^GET \/get\/k 401 /m);
    expect(stderr).toMatch(/^GET \/subscribe\/news 200 stream opened/m);
    expect(stderr).not.toContain(token);
  });
});
