/**
 * `npm run soak`: the router under steady load while routes change.
 *
 * SOAK_SECONDS (default 60) at SOAK_CONNECTIONS (64) keep-alive connections
 * over SOAK_HOSTS (1,000) routed hosts, while a writer moves SOAK_UPDATES_PER_S
 * (10) routes a second to another upstream. Each update is then probed until a
 * request reaches the new upstream; one not seen within the route cache's
 * TTL + stale-while-revalidate + 1 s counts as lost. Traffic stays on loopback
 * and the run stops by itself.
 * Last line: `soak: N requests, N unexpected errors, N lost updates, rss +X%`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "@upstash/redis";
import { startBridge } from "./bridge/server.ts";
import { startDemoApp } from "./lib/demo-app.ts";
import { childPids, rssBytes } from "./lib/process-memory.ts";
import { startRedisServer } from "./lib/redis-server.ts";
import { startRuntime } from "./lib/runtime.ts";
import { buildWorkerBundle } from "./lib/worker-bundle.ts";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 64);
const HOSTS = Number(process.env.SOAK_HOSTS ?? 1000);
const UPDATES_PER_S = Number(process.env.SOAK_UPDATES_PER_S ?? 10);

const workDir = mkdtempSync(join(tmpdir(), "router-soak-"));
const bundle = buildWorkerBundle(join(workDir, "bundle"));
/**
 * The bound the route cache promises (docs/cache-and-cost.md): a change is
 * seen by every request that starts more than TTL + stale-while-revalidate
 * after it. The probe polls every 100 ms and allows 1 s more.
 */
const visibleWithinMs =
  Number(bundle.vars.ROUTE_CACHE_TTL_MS ?? 0) + Number(bundle.vars.ROUTE_CACHE_STALE_WHILE_REVALIDATE_MS ?? 0) + 1000;

const redisServer = await startRedisServer();
const token = "soak";
const bridge = await startBridge({ redisPort: redisServer.port, token });
const apps = await Promise.all(["a", "b", "c", "d"].map((name) => startDemoApp({ name })));
const runtime = await startRuntime({
  bundle,
  bindings: { UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: token, ACCESS_LOG_SAMPLE_RATE: "0" },
});
const redis = new Redis({ url: bridge.url, token, automaticDeserialization: false, enableTelemetry: false });

const hosts = Array.from({ length: HOSTS }, (_, i) => `soak-${i}.example`);
/** Which app each host routes to now, as last written. */
const current = new Map<string, number>();
const pipeline = redis.pipeline();
hosts.forEach((host, i) => {
  current.set(host, i % apps.length);
  pipeline.set(host, apps[i % apps.length]?.address ?? "");
});
await pipeline.exec();

const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS + 8 });
function get(host: string): Promise<{ status: number; app: string }> {
  return new Promise((resolve) => {
    const req = request(
      { host: "127.0.0.1", port: runtime.port, path: "/", headers: { host }, agent, timeout: 10_000 },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, app: String(res.headers["x-app"] ?? "") }));
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve({ status: 0, app: "" }));
    req.end();
  });
}

// Warm up, then take the starting memory.
await Promise.all(hosts.map((host) => get(host)));
const workerdPid = childPids("workerd")[0];
const rssStart = workerdPid ? rssBytes(workerdPid) : null;

const deadline = Date.now() + SECONDS * 1000;
let requests = 0;
let unexpected = 0;
let lost = 0;
let updates = 0;
const samples: string[] = [];

async function loadLoop(): Promise<void> {
  while (Date.now() < deadline) {
    const host = hosts[Math.floor(Math.random() * hosts.length)] ?? "";
    const reply = await get(host);
    requests++;
    if (reply.status !== 200) {
      unexpected++;
      if (samples.length < 5) samples.push(`${host}: status ${reply.status}`);
    }
  }
}

async function probe(host: string, app: string, writtenAt: number): Promise<void> {
  while (Date.now() - writtenAt <= visibleWithinMs) {
    if ((await get(host)).app === app) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  lost++;
  if (samples.length < 5) samples.push(`${host}: ${app} not seen within ${visibleWithinMs} ms`);
}

/**
 * Hosts whose last update is still being probed. The writer leaves them
 * alone: a second update before the first was seen would make the first
 * unobservable, and count it as lost when nothing was.
 */
const probing = new Set<string>();

async function writerLoop(): Promise<void> {
  const probes: Promise<void>[] = [];
  const interval = 1000 / UPDATES_PER_S;
  while (Date.now() < deadline - visibleWithinMs) {
    let host = "";
    while (host === "" || probing.has(host)) host = hosts[Math.floor(Math.random() * hosts.length)] ?? "";
    probing.add(host);
    const next = ((current.get(host) ?? 0) + 1) % apps.length;
    current.set(host, next);
    const app = apps[next];
    if (!app) continue;
    await redis.set(host, app.address);
    updates++;
    probes.push(probe(host, app.name, Date.now()).finally(() => probing.delete(host)));
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  await Promise.all(probes);
}

const mib = (bytes: number | null) => (bytes === null ? "n/a" : `${(bytes / 2 ** 20).toFixed(1)} MiB`);
/** The runtime's memory every 10 s, to tell growth that levels off from a leak. */
const rssSamples: (number | null)[] = [];
async function memoryLoop(): Promise<void> {
  for (;;) {
    const left = deadline - Date.now();
    if (left < 10_000) return;
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    rssSamples.push(workerdPid ? rssBytes(workerdPid) : null);
  }
}

console.log(
  `soak: ${SECONDS} s, ${CONNECTIONS} connections, ${HOSTS} hosts, ${UPDATES_PER_S} route updates/s, visible within ${visibleWithinMs} ms`,
);
await Promise.all([writerLoop(), memoryLoop(), ...Array.from({ length: CONNECTIONS }, () => loadLoop())]);
const rssEnd = workerdPid ? rssBytes(workerdPid) : null;

agent.destroy();
await runtime.dispose();
await Promise.all(apps.map((app) => app.close()));
await bridge.close();
await redisServer.stop();
rmSync(workDir, { recursive: true, force: true });

function change(from: number | null | undefined, to: number | null): string {
  if (!from || !to) return "n/a";
  return `${to >= from ? "+" : ""}${(((to - from) / from) * 100).toFixed(1)}%`;
}
console.log(`requests ${requests} (${(requests / SECONDS).toFixed(0)}/s), route updates ${updates}`);
console.log(
  `workerd rss: start ${mib(rssStart)}, every 10 s: ${rssSamples.map(mib).join(", ") || "-"}, end ${mib(rssEnd)}`,
);
// workerd's RSS grows with the requests it has served until it levels off,
// whatever the worker does (docs/benchmarks.md, "What bounds the router"): the second half shows a leak apart from that.
const halfway = rssSamples[Math.floor((rssSamples.length - 1) / 2)];
console.log(`workerd rss over the second half: ${mib(halfway ?? null)} -> ${mib(rssEnd)} (${change(halfway, rssEnd)})`);
for (const sample of samples) console.log(`  e.g. ${sample}`);
console.log(
  `soak: ${requests} requests, ${unexpected} unexpected errors, ${lost} lost updates, rss ${change(rssStart, rssEnd)}`,
);
process.exit(unexpected === 0 && lost === 0 ? 0 : 1);
