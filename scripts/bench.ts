/**
 * `npm run bench`: the router against the runtime floor and the seed's nginx
 * design, on loopback, with one load generator (wrk). Starts everything it
 * needs, prints a table and a last line such as
 *
 *   router/floor=0.97 router_cpu/floor_cpu=1.08 router/seed=1.21 redis_calls_per_request=0.0004 bundle_gzip_kib=41
 *
 * and stops by itself. Settings (environment):
 *   BENCH_ROUNDS=3  BENCH_DURATION_S=3 (per row and round)  BENCH_WARMUP_S=1
 *   BENCH_STEADY_S=10 (the hot router's Redis count; at least 2 TTLs)
 *   BENCH_CONNECTIONS=32  BENCH_THREADS=1  BENCH_HOSTS=100
 *   BENCH_MEMORY_HOSTS=100000  BENCH_MINIFLARE=1 (0 skips that row)
 *   BENCH_TIMEOUT_S=900 (the whole run is killed after this)
 *   BENCH_PAIR_ROUNDS=5 (router and floor loaded together: a cross-check of router_cpu/floor_cpu)
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { startRedisServer } from "./lib/redis-server.ts";
import { RespConnection, RespError } from "./lib/resp.ts";
import { runScript } from "./lib/script-run.ts";
import { buildWorkerBundle, ROOT } from "./lib/worker-bundle.ts";
import { startBridgeProcess } from "./bench/bridge.ts";
import { timeToNewUpstream } from "./bench/freshness.ts";
import { pairedCpuRatio } from "./bench/cpu-ratio.ts";
import { median } from "./bench/median.ts";
import { rssOverDistinctHosts } from "./bench/memory.ts";
import { cpuSeconds, startChild, stopChildren } from "./bench/processes.ts";
import { redisCommandCount } from "./bench/redis-stats.ts";
import { startRows } from "./bench/rows.ts";
import { scalingSummary } from "./bench/scaling.ts";
import { formatTable, type Row } from "./bench/table.ts";
import { machineLine } from "./bench/machine.ts";
import { ensureTools, requireWrk } from "./bench/tools.ts";
import { startBundleWorkerd } from "./bench/workerd.ts";
import { runSpread, type LoadOptions, type LoadResult } from "./bench/wrk.ts";

const setting = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
  return value;
};
const DURATION_S = setting("BENCH_DURATION_S", 3);
const ROUNDS = Math.max(1, setting("BENCH_ROUNDS", 3));
const STEADY_S = setting("BENCH_STEADY_S", 10);
const WARMUP_S = setting("BENCH_WARMUP_S", 1);
const CONNECTIONS = setting("BENCH_CONNECTIONS", 32);
const THREADS = setting("BENCH_THREADS", 1);
const HOST_COUNT = setting("BENCH_HOSTS", 100);
const MEMORY_HOSTS = setting("BENCH_MEMORY_HOSTS", 100_000);
const WITH_MINIFLARE = process.env.BENCH_MINIFLARE !== "0";
const TIMEOUT_S = setting("BENCH_TIMEOUT_S", 900);
const PAIR_ROUNDS = Math.max(1, setting("BENCH_PAIR_ROUNDS", 5));

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const workDir = mkdtempSync(join(tmpdir(), "router-bench-"));
const stops: Array<() => Promise<void> | void> = [];

async function cleanUp(): Promise<void> {
  for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
  await stopChildren();
  rmSync(workDir, { recursive: true, force: true });
}
await runScript(main, { log, timeoutS: TIMEOUT_S, cleanUp });

async function main(): Promise<void> {
  const machine = machineLine();
  const tools = ensureTools();
  const wrk = requireWrk(tools);

  log("building the production bundle (wrangler deploy --dry-run)");
  const bundle = buildWorkerBundle(join(workDir, "bundle"));
  const bundleDir = join(workDir, "bundle");
  const modules = readdirSync(bundleDir).filter((file) => /\.(m?js|wasm)$/.test(file));
  const bundleBytes = modules.reduce((sum, file) => sum + readFileSync(join(bundleDir, file)).length, 0);
  const bundleGzipBytes = modules.reduce((sum, file) => sum + gzipSync(readFileSync(join(bundleDir, file))).length, 0);

  log("starting redis-server, the Upstash REST bridge and the upstreams");
  const redis = await startRedisServer();
  stops.push(() => redis.stop());
  const bridge = await startBridgeProcess(redis.port, "bench");
  const upstreamScript = join(ROOT, "scripts", "bench", "upstream.ts");
  const startUpstream = async (name: string) => {
    const child = await startChild(process.execPath, [upstreamScript, "--name", name], /listening on (\S+)/);
    return { address: child.match?.[1] ?? "", pid: child.process.pid ?? 0 };
  };
  const upstreamChild = await startUpstream("upstream");
  const upstream = upstreamChild.address;
  const newUpstream = (await startUpstream("new-upstream")).address;

  const hosts = Array.from({ length: HOST_COUNT }, (_, i) => `h${i}.bench.test`);
  const redisConnection = new RespConnection({ port: redis.port });
  stops.push(() => redisConnection.close());
  const replies = await redisConnection.pipeline(hosts.map((host) => ["SET", host, upstream]));
  if (replies.some((reply) => reply instanceof RespError)) throw new Error("could not write the routes");

  const load: Omit<LoadOptions, "url" | "durationS"> = { wrk, threads: THREADS, connections: CONNECTIONS, workDir };
  const { servers, floorRuntime, hotRuntime } = await startRows({
    workDir,
    bundle,
    bridge,
    upstream: upstreamChild,
    tools,
    redisPort: redis.port,
    stops,
    hosts,
    load,
    warmupS: WARMUP_S,
    withMiniflare: WITH_MINIFLARE,
    log,
  });

  const runs = new Map<string, Array<{ result: LoadResult; commands: number; cpuUs: number }>>();
  for (let round = 1; round <= ROUNDS; round++) {
    log(`round ${round}/${ROUNDS}: ${DURATION_S} s per row`);
    for (const server of servers) {
      if (server.missing) continue;
      const before = await redisCommandCount(redis.port);
      const cpuBefore = await cpuSeconds(server.pids);
      const result = await runSpread({ ...load, url: server.url, durationS: DURATION_S }, hosts);
      const cpuUs = (((await cpuSeconds(server.pids)) - cpuBefore) * 1e6) / Math.max(1, result.requests);
      const commands = (await redisCommandCount(redis.port)) - before;
      runs.set(server.name, [...(runs.get(server.name) ?? []), { result, commands, cpuUs }]);
    }
  }

  log(`router, hot and floor loaded together: ${PAIR_ROUNDS} rounds of ${DURATION_S} s, CPU per request`);
  const cpu = await pairedCpuRatio(load, hosts, hotRuntime, floorRuntime, PAIR_ROUNDS, DURATION_S);

  // Steady state: the hot router under continuous load for at least two TTLs,
  // so every host's refresh is counted at its real rate.
  const ttl = Number(bundle.vars.ROUTE_CACHE_TTL_MS ?? Number.NaN);
  const steadyS = Math.max(STEADY_S, Math.ceil((2 * ttl) / 1000));
  log(`router, hot: ${steadyS} s continuous, counting Redis commands`);
  // Its entries aged while the other rows ran: refill them first.
  await runSpread({ ...load, url: hotRuntime.url, durationS: 1 }, hosts);
  const steadyBefore = await redisCommandCount(redis.port);
  const steady = await runSpread({ ...load, url: hotRuntime.url, durationS: steadyS }, hosts);
  const steadyPerRequest = ((await redisCommandCount(redis.port)) - steadyBefore) / Math.max(1, steady.requests);

  log("time from SET to the first request that reaches the new upstream (10 hosts, polled every 10 ms)");
  // Each SET at a random moment within one TTL, so the samples do not share a refresh cohort.
  const changed = hosts.slice(0, 10);
  const freshness = await timeToNewUpstream({
    routerUrl: hotRuntime.url,
    hosts: changed,
    newApp: "new-upstream",
    spreadMs: ttl,
    setRoute: async (host) => {
      await redisConnection.send(["SET", host, newUpstream]);
    },
  });
  await redisConnection.pipeline(changed.map((host) => ["SET", host, upstream]));

  const rows: Row[] = servers.map((server): Row => {
    const done = runs.get(server.name) ?? [];
    if (server.missing || done.length === 0)
      return { name: server.name, missing: server.missing ?? "no run", note: "" };
    const requests = done.reduce((sum, run) => sum + run.result.requests, 0);
    const commands = done.reduce((sum, run) => sum + run.commands, 0);
    const isHot = server.url === hotRuntime.url;
    return {
      name: server.name,
      result: {
        requests,
        rps: median(done.map((run) => run.result.rps)),
        p50Ms: median(done.map((run) => run.result.p50Ms)),
        p99Ms: median(done.map((run) => run.result.p99Ms)),
        errors: done.reduce((sum, run) => sum + run.result.errors, 0),
      },
      redisPerRequest: isHot ? steadyPerRequest : commands / Math.max(1, requests),
      cpuUs: server.pids.length > 0 ? median(done.map((run) => run.cpuUs)) : Number.NaN,
      note: isHot ? `${server.note}; Redis: ${steadyS} s steady run` : server.note,
    };
  });
  for (const stop of stops.splice(1)) await stop(); // all servers; redis stays for the memory run
  const hot = rows.find((row) => row.name === "router, hot");
  const floor = rows.find((row) => row.name === "floor");
  const wireFloor = rows.find((row) => row.name === "wire floor");
  const seed = rows.find((row) => row.name === "seed");

  log(`memory: ${MEMORY_HOSTS} distinct hosts looked up in a fresh router`);
  const memoryRuntime = await startBundleWorkerd(bundle, bridge, { name: "router-memory" });
  stops.push(() => memoryRuntime.stop());
  const started = performance.now();
  const { samples: memory, hostsSeen } = await rssOverDistinctHosts(
    { ...load, url: memoryRuntime.url },
    memoryRuntime.pid,
    hosts,
    MEMORY_HOSTS,
  );
  log(`  ${hostsSeen} distinct hosts in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const floorRps = floor && "result" in floor ? floor.result.rps : Number.NaN;
  process.stdout.write(`\n${formatTable(rows, floorRps)}\n\n`);
  const mib = (kib: number) => (kib / 1024).toFixed(1);
  const sorted = freshness.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  const cacheSize = bundle.vars.ROUTE_CACHE_SIZE ?? "?";
  const lines = [
    `machine: ${machine}`,
    `load: wrk -t${THREADS} -c${CONNECTIONS}, ${HOST_COUNT} routed hosts round-robin; ${WARMUP_S} s warm-up, then ${ROUNDS} rounds of ${DURATION_S} s per row, medians shown; router and floor in workerd serving the bundle of wrangler deploy --dry-run`,
    `bundle: ${(bundleBytes / 1024).toFixed(1)} KiB, gzip ${(bundleGzipBytes / 1024).toFixed(1)} KiB (target <= 64 KiB)`,
    `memory (workerd RSS, cache size ${cacheSize}): ${memory.map(([hostsSeen, kib]) => `${mib(kib)} MiB after ${hostsSeen} distinct hosts`).join(", ")}`,
    scalingSummary(rows),
    wireFloorLine(hot, floor, wireFloor),
    `cross-check, router hot and floor loaded at the same time: ${cpu.routerUs.toFixed(0)} vs ${cpu.floorUs.toFixed(0)} us CPU per request, ratio ${cpu.ratio.toFixed(2)} (median of ${cpu.rounds} rounds)`,
    `SET -> first request at the new upstream: median ${(sorted[Math.floor(sorted.length / 2)] ?? Number.NaN).toFixed(0)} ms, max ${(sorted.at(-1) ?? Number.NaN).toFixed(0)} ms over ${freshness.length} hosts (bound under traffic: TTL ${ttl} ms + one lookup)${sorted.length < freshness.length ? `; ${freshness.length - sorted.length} never switched` : ""}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n\n`);
  const ratio = (row: Row | undefined, base: Row | undefined) =>
    row && base && "result" in row && "result" in base ? (row.result.rps / base.result.rps).toFixed(2) : "n/a";
  const redisPerRequest = hot && "result" in hot ? hot.redisPerRequest.toFixed(4) : "n/a";
  // The issue's method: CPU of each workerd process from /proc over the
  // interleaved rounds, the ratio taken per round (router and floor ran
  // seconds apart, with nothing else of ours), then the median. The paired
  // run above is printed as a cross-check: it is steadier under drift, but
  // both servers then share the machine's two cores with two wrk.
  const hotRuns = runs.get("router, hot") ?? [];
  const floorRuns = runs.get("floor") ?? [];
  const cpuRatios = hotRuns.map((run, round) => run.cpuUs / (floorRuns[round]?.cpuUs ?? Number.NaN));
  const cpuRatio = cpuRatios.length > 0 ? median(cpuRatios).toFixed(2) : "n/a";
  process.stdout.write(
    `router/floor=${ratio(hot, floor)} router_cpu/floor_cpu=${cpuRatio} router/seed=${ratio(hot, seed)} redis_calls_per_request=${redisPerRequest} bundle_gzip_kib=${Math.round(bundleGzipBytes / 1024)}\n`,
  );
}

/** How much of the router's CPU over the floor its defaults' wire work explains (the wire floor row), and how much is its own logic. */
function wireFloorLine(hot: Row | undefined, floor: Row | undefined, wire: Row | undefined): string {
  const cpu = (row: Row | undefined) => (row && "result" in row ? row.cpuUs : Number.NaN);
  const [hotUs, floorUs, wireUs] = [cpu(hot), cpu(floor), cpu(wire)];
  return `wire floor (floor + the 6 headers and the header timeout the defaults add, no routing): ${wireUs.toFixed(0)} us CPU per request, ${(wireUs / floorUs).toFixed(2)} x floor; the router's own logic: ${(hotUs - wireUs).toFixed(0)} us (${(hotUs / wireUs).toFixed(2)} x wire floor)`;
}
