import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/ports.ts";
import { startRedisServer, type RunningRedisServer } from "../../scripts/lib/redis-server.ts";
import { RespConnection } from "../../scripts/lib/resp.ts";
import { send } from "../support/http.ts";
import { startHttpUpstream, type TestUpstream } from "../support/upstream.ts";
import { eventually, sleep, until, within } from "../support/wait.ts";
import { startServe, type ServeUnderTest } from "./harness.ts";

/**
 * The "Done when", from a fresh clone: a plain redis-server, then
 * `npm run serve -- --redis redis://127.0.0.1:P --listen 127.0.0.1:Q --workers 2`.
 * The tests run in order on one instance; the last one stops it.
 */
let redis: RunningRedisServer;
let upstream: TestUpstream;
let serve: ServeUnderTest;
let url: string;
let healthUrl: string;

interface Echo {
  readonly headers: Record<string, string | undefined>;
}

beforeAll(async () => {
  redis = await startRedisServer();
  upstream = await startHttpUpstream((request, response) => {
    const ms = Number(new URL(request.url ?? "/", "http://x").searchParams.get("ms") ?? 0);
    setTimeout(() => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ headers: request.headers }));
    }, ms);
  });
  const [port, health] = [await freePort(), await freePort()];
  healthUrl = `http://127.0.0.1:${health}/`;
  serve = await startServe([
    ...["--redis", `redis://127.0.0.1:${redis.port}`, "--listen", `127.0.0.1:${port}`, "--workers", "2"],
    ...["--health", `127.0.0.1:${health}`, "--drain-seconds", "8"],
  ]);
  url = serve.urls[0] ?? "";
}, 120_000);

afterAll(async () => {
  await serve?.kill();
  await upstream?.close();
  await redis?.stop();
});

/** `redis-cli -p P SET key value`, as the issue writes it (a RESP client where redis-cli is missing). */
async function redisCliSet(key: string, value: string): Promise<void> {
  try {
    execFileSync("redis-cli", ["-p", String(redis.port), "SET", key, value], { stdio: "ignore" });
  } catch {
    const connection = new RespConnection({ port: redis.port });
    await connection.send(["SET", key, value]);
    connection.close();
  }
}

/** The pid of the supervisor (node): the parent of the workerd processes. */
function supervisorPid(): number {
  const workerd = serve.pidsNamed("workerd")[0] ?? 0;
  const stat = readFileSync(`/proc/${workerd}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

/** Why requests failed (a status or an error), printed with the figures. */
const failureReasons: string[] = [];

/** `count` requests, `concurrency` at a time, each on a fresh connection; how many did not get 200. */
async function failures(host: string, count: number, concurrency = 4): Promise<number> {
  let failed = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        const reply = await send(url, { host, timeoutMs: 5000 }).catch((error: Error) => error.message);
        if (typeof reply === "string" || reply.status !== 200) {
          failed++;
          failureReasons.push(typeof reply === "string" ? reply : `${reply.status} ${reply.text.slice(0, 200)}`);
        }
      }
    }),
  );
  return failed;
}

describe("npm run serve", () => {
  it("runs exactly two workerd processes on one shared listening socket", () => {
    expect(serve.pidsNamed("workerd")).toHaveLength(2);
    expect(serve.output()).toMatch(/serve: listening on http:\/\/127\.0\.0\.1:\d+ \(2 workerd processes/);
  });

  it("serves a route written with redis-cli within a few seconds", async () => {
    const started = Date.now();
    await redisCliSet("app.test", upstream.address);
    await eventually(async () => (await send(url, { host: "app.test" }).catch(() => null))?.status === 200, 5000);
    console.log(`route applied ${Date.now() - started} ms after SET`);
  });

  it("ends the upstream's X-Forwarded-For with the real client, whatever CF-Connecting-IP the client sent", async () => {
    const reply = await send(url, {
      host: "app.test",
      headers: { "cf-connecting-ip": "6.6.6.6", "x-forwarded-for": "6.6.6.6" },
    });
    expect(reply.status).toBe(200);
    const { headers } = reply.json<Echo>();
    expect(headers["x-forwarded-for"]?.split(", ").at(-1)).toBe("127.0.0.1");
    expect(headers["cf-connecting-ip"]).toBe("127.0.0.1");
    expect(headers["forwarded"]).toMatch(/for=127\.0\.0\.1;[^,]*$/);
  });

  it("keeps the loop protection: a route pointing at the router itself gets 508", async () => {
    // The upstream request carries Host 127.0.0.1:Q, whose route is the router again: a real loop.
    const self = new URL(url).host;
    await redisCliSet("loop.test", self);
    await redisCliSet("127.0.0.1", self);
    await eventually(async () => (await send(url, { host: "loop.test", timeoutMs: 15_000 })).status === 508, 10_000);
  });

  it("answers the health check on its own listener: 200, and 503 while the route store does not answer", async () => {
    const status = async () => (await send(healthUrl, { host: "health" })).status;
    expect(await status()).toBe(200);
    // An app's own /health path is still routed, never shadowed.
    expect((await send(url, { host: "app.test", path: "/health" })).status).toBe(200);
    redis.process.kill("SIGSTOP");
    try {
      // The store check is cached for about a second (scripts/serve/store-check.ts): 503 once it is older.
      await eventually(async () => (await status()) === 503, 5000, "no 503 while redis is stopped");
    } finally {
      redis.process.kill("SIGCONT");
    }
    await eventually(async () => (await status()) === 200, 5000);
  });

  it("reloads on SIGHUP with no refused connection", async () => {
    const before = serve.pidsNamed("workerd");
    let reloaded = false;
    const load = (async () => {
      let failed = 0;
      let sent = 0;
      // Two at a time with a pause: enough to see a refused connection, light on a shared machine.
      while (!reloaded) {
        failed += await failures("app.test", 2, 2);
        sent += 2;
        await sleep(10);
      }
      return { failed, sent };
    })();
    const mark = serve.output().length;
    process.kill(supervisorPid(), "SIGHUP");
    await eventually(() => serve.output().slice(mark).includes("reloaded:"), 60_000, "no reload");
    await eventually(() => serve.pidsNamed("workerd").every((pid) => !before.includes(pid)), 10_000);
    reloaded = true;
    const { failed, sent } = await load;
    console.log(`SIGHUP: ${sent} requests during the reload, ${failed} failed ${failureReasons.join("; ")}`);
    // The listening socket never closes, so nothing is refused. A connection an old process has
    // just accepted as it stops may, rarely, be dropped: seen once in about 10,000 requests here.
    expect(failureReasons.filter((reason) => reason.includes("ECONNREFUSED"))).toEqual([]);
    expect(failed).toBeLessThanOrEqual(1);
    expect(serve.pidsNamed("workerd")).toHaveLength(2);
  }, 90_000);

  it("restarts a workerd killed with SIGKILL: at most 1 failed of 200 requests right after, two processes within 5 s", async () => {
    const [victim, survivor] = serve.pidsNamed("workerd");
    const mark = serve.output().length;
    const killedAt = Date.now();
    process.kill(victim ?? 0, "SIGKILL");
    // Watched while the requests run: the time until a replacement listens.
    const backAgain = eventually(
      () => serve.output().slice(mark).includes("restarted") && serve.pidsNamed("workerd").length === 2,
      5000,
      "not two processes again within 5 s",
    ).then(() => Date.now() - killedAt);
    const failed = await failures("app.test", 200);
    const restartedMs = await backAgain;
    console.log(
      `kill -9: ${failed} of 200 failed; two processes again ${restartedMs} ms after the kill ${failureReasons.join("; ")}`,
    );
    expect(failed).toBeLessThanOrEqual(1);
    expect(serve.pidsNamed("workerd")).toContain(survivor);
    expect(serve.pidsNamed("workerd")).not.toContain(victim);
  }, 30_000);

  it("on SIGTERM to the whole process group, finishes a 3-second request with 200 and every process exits within 10 s", async () => {
    const slow = send(url, { host: "app.test", path: "/slow?ms=3000", timeoutMs: 15_000 });
    await sleep(500);
    const signalled = Date.now();
    process.kill(-serve.pgid, "SIGTERM");
    const reply = await slow;
    expect(reply.status).toBe(200);
    await within(
      until(() => serve.groupPids().length === 0, 10_000),
      11_000,
      "processes left after 10 s",
    );
    console.log(`SIGTERM: slow request done, every process gone ${Date.now() - signalled} ms after the signal`);
    // The processes are gone; their last lines may still be in the pipe until it closes.
    await within(serve.exited, 2_000, "npm run serve's output did not close");
    expect(serve.output()).toContain("serve: stopped");
    // No new connection is accepted once everything has stopped.
    await expect(send(url, { host: "app.test", timeoutMs: 2000 })).rejects.toThrow();
  }, 30_000);
});
