/**
 * `npm run serve` as issue 20 asks of it: the dashboard usable self-hosted
 * (ADMIN_TOKEN from the environment reaches the worker), and a health
 * listener that costs the store about one command a second however often it
 * is probed (counted by Redis itself, INFO commandstats).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/ports.ts";
import { startRedisServer, type RunningRedisServer } from "../../scripts/lib/redis-server.ts";
import { RespConnection } from "../../scripts/lib/resp.ts";
import { send } from "../support/http.ts";
import { startServe, type ServeUnderTest } from "./harness.ts";

const ADMIN_HOST = "router.test";
const ADMIN_TOKEN = randomBytes(24).toString("hex");

let redis: RunningRedisServer;
let serve: ServeUnderTest;
let url: string;
let healthUrl: string;

beforeAll(async () => {
  redis = await startRedisServer();
  const [port, health] = [await freePort(), await freePort()];
  healthUrl = `http://127.0.0.1:${health}/`;
  serve = await startServe(
    [
      ...["--redis", `redis://127.0.0.1:${redis.port}`, "--listen", `127.0.0.1:${port}`, "--workers", "1"],
      ...["--health", `127.0.0.1:${health}`],
    ],
    { ADMIN_HOST, ADMIN_TOKEN },
  );
  url = serve.urls[0] ?? "";
}, 120_000);

afterAll(async () => {
  await serve?.kill();
  await redis?.stop();
});

describe("npm run serve passes the dashboard's secrets", () => {
  it("serves the dashboard with ADMIN_TOKEN from the environment: 200 with the bearer token, 401 without", async () => {
    const api = (headers: Record<string, string>) =>
      send(url, { host: ADMIN_HOST, path: "/api/routes", headers: { accept: "application/json", ...headers } });
    const allowed = await api({ authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(allowed.status, allowed.text.slice(0, 200)).toBe(200);
    expect((await api({})).status).toBe(401);
    expect((await api({ authorization: "Bearer not-the-token-at-all" })).status).toBe(401);
    // The token is nowhere in what npm run serve prints.
    expect(serve.output()).not.toContain(ADMIN_TOKEN);
  });
});

describe("the health listener", () => {
  it("costs the store about one command a second: 50 probes, at most one PING per second begun", async () => {
    const admin = new RespConnection({ port: redis.port });
    const pings = async () => {
      const info = String(await admin.send(["INFO", "commandstats"]));
      return Number(/^cmdstat_ping:calls=(\d+)/m.exec(info)?.[1] ?? 0);
    };
    try {
      const before = await pings();
      const started = performance.now();
      for (let probe = 0; probe < 50; probe++) {
        expect((await send(healthUrl, { host: "health" })).status).toBe(200);
      }
      const seconds = (performance.now() - started) / 1000;
      const used = (await pings()) - before;
      console.log(`health: 50 probes in ${seconds.toFixed(2)} s cost ${used} PINGs`);
      expect(used).toBeGreaterThanOrEqual(1);
      expect(used).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    } finally {
      admin.close();
    }
  });
});
