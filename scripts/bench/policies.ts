/**
 * What each policy costs per request, measured on the production bundle in
 * workerd: the CPU time of the workerd process (Linux /proc, user + system)
 * over N requests per scenario, and the Redis commands the bridge received.
 * Run: bash scripts/run.sh node scripts/bench/policies.ts [requests per row]
 *
 * CPU rows are compared with the no-policy row of the same run, so a loaded
 * machine moves them together; a row's own cost is its difference.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "@upstash/redis";
import { hashPassword } from "../../src/lib/password-hash.ts";
import { startBridge } from "../bridge/server.ts";
import { startDemoApp } from "../lib/demo-app.ts";
import { startRedisServer } from "../lib/redis-server.ts";
import { buildWorkerBundle } from "../lib/worker-bundle.ts";
import { cpuSeconds } from "./processes.ts";
import { startWorkerd } from "./workerd.ts";

const N = Number(process.argv[2] ?? 300);
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

let counter = 0;
function get(url: string, host: string, headers: Record<string, string>): Promise<number> {
  // A wrong password never seen before: a cold verify every time.
  if (headers["authorization"] === "fresh") headers = { ...headers, authorization: basic("alice", `nope${counter++}`) };
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request(
      { host: target.hostname, port: target.port, path: "/", agent, headers: { ...headers, host } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const workDir = mkdtempSync(join(tmpdir(), "bench-policies-"));
const redisServer = await startRedisServer();
const token = `bench-${Math.random().toString(36).slice(2)}`;
const bridge = await startBridge({ redisPort: redisServer.port, token });
const app = await startDemoApp({ name: "bench" });
try {
  const bundle = buildWorkerBundle(join(workDir, "bundle"));
  const workerd = await startWorkerd(
    {
      scriptPath: bundle.scriptPath,
      compatibilityDate: bundle.compatibilityDate,
      compatibilityFlags: bundle.compatibilityFlags,
      bindings: { ...bundle.vars, UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: token },
    },
    "policies",
  );
  const redis = new Redis({ url: bridge.url, token, automaticDeserialization: false, enableTelemetry: false });
  const client = { "cf-connecting-ip": "192.0.2.7" };
  const rows: { name: string; route: object; headers: Record<string, string> }[] = [
    { name: "no policy", route: {}, headers: client },
    { name: "maintenance (503)", route: { maintenance: true }, headers: client },
    {
      name: "ipAllowList, 3 ranges, inside",
      route: { ipAllowList: { sourceRange: ["10.0.0.0/8", "2001:db8::/32", "192.0.2.0/24"] } },
      headers: client,
    },
    {
      name: "rateLimit, under the limit",
      route: { rateLimit: { average: 1_000_000, period: "1s", burst: 1_000_000 } },
      headers: client,
    },
    {
      name: "rateLimit, refused from memory",
      route: { rateLimit: { average: 1, period: "1h", burst: 1 } },
      headers: client,
    },
  ];
  for (const iterations of [10_000, 20_000, 100_000]) {
    const users = [`alice:${await hashPassword("wonderland", iterations)}`];
    rows.push(
      {
        name: `basicAuth i=${iterations}, cached`,
        route: { basicAuth: { users } },
        headers: { ...client, authorization: basic("alice", "wonderland") },
      },
      {
        name: `basicAuth i=${iterations}, new wrong password (cold)`,
        route: { basicAuth: { users } },
        headers: { ...client, authorization: "fresh" },
      },
      {
        name: `basicAuth i=${iterations}, same wrong password`,
        route: { basicAuth: { users } },
        headers: { ...client, authorization: basic("alice", "nope") },
      },
    );
  }
  // Guessing past the limit: the rate limit is taken before the hash, so these 429s cost no PBKDF2.
  rows.push({
    name: "basicAuth i=100000 + rateLimit, guesses past it",
    route: {
      basicAuth: { users: [`alice:${await hashPassword("wonderland", 100_000)}`] },
      rateLimit: { average: 1, period: "1h", burst: 1 },
    },
    headers: { ...client, authorization: "fresh" },
  });
  console.log(`${N} requests per row, 4 at a time; CPU of the workerd process (this machine may be loaded)`);
  console.log("row                                             status  CPU µs/req  vs none  Redis commands/req");
  let baseline = 0;
  for (const [i, row] of rows.entries()) {
    const host = `p${i}.bench.example`;
    await redis.set(host, JSON.stringify({ backends: app.address, ...row.route }));
    for (let w = 0; w < 5; w++) await get(workerd.url, host, row.headers);
    const commandsBefore = bridge.stats.commands;
    const cpuBefore = await cpuSeconds([workerd.pid]);
    const statuses = new Map<number, number>();
    for (let sent = 0; sent < N; sent += 4) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(4, N - sent) }, () => get(workerd.url, host, row.headers)),
      );
      for (const status of batch) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const cpuUs = (((await cpuSeconds([workerd.pid])) - cpuBefore) * 1e6) / N;
    const commands = (bridge.stats.commands - commandsBefore) / N;
    if (i === 0) baseline = cpuUs;
    console.log(
      `${row.name.padEnd(48)}${[...statuses.keys()].join("/").padEnd(8)}${cpuUs.toFixed(0).padStart(10)}  ${(cpuUs / baseline).toFixed(2).padStart(7)}  ${commands.toFixed(2).padStart(18)}`,
    );
  }
  await workerd.stop();
} finally {
  agent.destroy();
  await app.close();
  await bridge.close();
  await redisServer.stop();
  rmSync(workDir, { recursive: true, force: true });
}
