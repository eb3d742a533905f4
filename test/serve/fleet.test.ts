import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/ports.ts";
import { startRedisServer, type RunningRedisServer } from "../../scripts/lib/redis-server.ts";
import { RespConnection } from "../../scripts/lib/resp.ts";
import { send } from "../support/http.ts";
import { startHttpUpstream, type TestUpstream } from "../support/upstream.ts";
import { eventually } from "../support/wait.ts";
import { startServe, type ServeUnderTest } from "./harness.ts";

/*
 * Issue 24's "Done when": `npm run serve -- --workers 2` with
 * FLEET_STATS_INTERVAL_MS=2000. 300 requests to a routed host, spread over
 * both processes; then every /metrics scrape, whichever process answers,
 * reports router_fleet_requests_total for that route grown by exactly 300,
 * and the exposition passes `promtool check metrics`.
 */
const ADMIN_HOST = "admin.fleet.test";
const token = randomBytes(24).toString("base64url");
const workDir = mkdtempSync(join(tmpdir(), "fleet-serve-"));
let redis: RunningRedisServer;
let upstream: TestUpstream;
let serve: ServeUnderTest;
let url: string;

beforeAll(async () => {
  redis = await startRedisServer();
  upstream = await startHttpUpstream((_request, response) => {
    response.writeHead(200, { "content-type": "text/plain" });
    response.end("ok");
  });
  // The dashboard's token is a secret: from the env file, as an operator would give it.
  const envFile = join(workDir, "serve.env");
  writeFileSync(envFile, `ADMIN_TOKEN=${token}\n`);
  const port = await freePort();
  serve = await startServe(
    [
      ...["--redis", `redis://127.0.0.1:${redis.port}`, "--listen", `127.0.0.1:${port}`, "--workers", "2"],
      ...["--env-file", envFile, "--drain-seconds", "1"],
    ],
    { FLEET_STATS_INTERVAL_MS: "2000", ADMIN_HOST, ACCESS_LOG_SAMPLE_RATE: "0" },
  );
  url = serve.urls[0] ?? "";
  const connection = new RespConnection({ port: redis.port });
  // The 300 go to a wildcard route: counted under its key, whatever subdomain is asked for.
  await connection.send(["SET", "*.fleet.test", upstream.address]);
  await connection.send(["SET", "warm.example.test", upstream.address]);
  connection.close();
  await eventually(
    async () => (await send(url, { host: "warm.example.test" }).catch(() => null))?.status === 200,
    10_000,
  );
}, 120_000);

afterAll(async () => {
  await serve?.kill();
  await upstream?.close();
  await redis?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

const metrics = async () => {
  const reply = await send(url, { host: ADMIN_HOST, path: "/metrics", headers: { authorization: `Bearer ${token}` } });
  if (reply.status !== 200) throw new Error(`/metrics: ${reply.status} ${reply.text.slice(0, 300)}`);
  return reply.text;
};
const sample = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
const FLEET = /^router_fleet_requests_total\{host="\*\.fleet\.test",class="2xx"\} (\d+)$/m;
const ISOLATE = /^router_requests_total\{host="\*\.fleet\.test",class="2xx"\} (\d+)$/m;
const ISOLATE_ID = /^router_isolate_info\{isolate="([^"]+)"\} 1$/m;

/** `promtool check metrics` on the text: its exit status and what it said. */
function promtool(text: string): { ok: boolean; output: string } {
  const binary = process.env.PROMTOOL_PATH || "promtool";
  try {
    const output = execFileSync(binary, ["check", "metrics"], { input: text, encoding: "utf8", stdio: "pipe" });
    return { ok: true, output };
  } catch (error) {
    const failed = error as { status?: number; stdout?: string; stderr?: string; message: string };
    if (failed.status === undefined || failed.status === null) {
      throw new Error(
        `promtool could not run (${failed.message}): install Debian's prometheus package, or run with NEEDS_PROMTOOL=1 bash scripts/run.sh (as npm test does), or set PROMTOOL_PATH`,
      );
    }
    return { ok: false, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

describe("fleet-wide traffic across npm run serve's processes", () => {
  it("every scrape, whichever process answers, counts exactly the 300 requests, and promtool accepts it", async () => {
    expect(sample(await metrics(), FLEET)).toBe(0);
    let next = 0;
    let failed = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < 300) {
          const i = next++;
          const reply = await send(url, { host: `n${i % 10}.fleet.test`, timeoutMs: 10_000 });
          if (reply.status !== 200) failed++;
        }
      }),
    );
    expect(failed).toBe(0);
    // Each process writes after its next request once the interval has passed, and a scrape sends
    // its own process's pending write with its read: a few scrapes bring both up to date.
    let last = 0;
    await eventually(
      async () => {
        last = sample(await metrics(), FLEET);
        expect(last).toBeLessThanOrEqual(300); // never counted twice, even on the way
        return last === 300;
      },
      20_000,
      "the fleet count did not reach 300",
    );
    const isolates = new Map<string, number>();
    for (let scrape = 0; scrape < 40 && (scrape < 8 || isolates.size < 2); scrape++) {
      const text = await metrics();
      expect(sample(text, FLEET), `scrape ${scrape}`).toBe(300);
      isolates.set(ISOLATE_ID.exec(text)?.[1] ?? "?", sample(text, ISOLATE));
      const check = promtool(text);
      expect(check.ok, check.output).toBe(true);
    }
    console.log(`fleet: 300 on every scrape; per process (isolate: its own count) ${JSON.stringify([...isolates])}`);
    // Both processes answered scrapes, and the requests were spread over both.
    expect(isolates.size).toBe(2);
    expect([...isolates.values()].every((count) => count > 0 && count < 300)).toBe(true);
    expect([...isolates.values()].reduce((a, b) => a + b, 0)).toBe(300);
  }, 90_000);
});
