/**
 * Compares workers' CPU per request against the floor, in one run:
 *
 *   npm run bench:compare -- [--sequential] [router] [wire-floor] [NAME=DIR/index.js[:bundle] ...]
 *
 * `router` is this tree's production bundle (wrangler deploy --dry-run);
 * `wire-floor` the floor plus the router's wire work (floor-workers.ts);
 * `NAME=PATH` any other worker, e.g. a bundle built from another commit, with
 * `:bundle` to give it wrangler.toml's [vars] and the bridge as the router
 * gets them. Every worker also gets UPSTREAM_URL. The floor is always there.
 *
 * By default all workers are loaded at the same time (one wrk each, 8
 * connections), so they share one state of the machine: measured so, two
 * identical floors came out 1.00 apart, where rows loaded seconds apart (as
 * `npm run bench` does, `--sequential` here) scattered by ±5 %. The ratio
 * is taken round by round, then the median. BENCH_ROUNDS (9), BENCH_DURATION_S (3).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRedisServer } from "../lib/redis-server.ts";
import { RespConnection } from "../lib/resp.ts";
import { runScript } from "../lib/script-run.ts";
import { buildWorkerBundle, readWranglerToml, ROOT } from "../lib/worker-bundle.ts";
import { startBridgeProcess } from "./bridge.ts";
import { writeFloorWorker } from "./floor-workers.ts";
import { median } from "./median.ts";
import { cpuSeconds, startChild, stopChildren } from "./processes.ts";
import { ensureTools, requireWrk } from "./tools.ts";
import { startWorkerd, type RunningWorkerd } from "./workerd.ts";
import { runSpread, type LoadResult } from "./wrk.ts";

const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 9));
const DURATION_S = Math.max(1, Number(process.env.BENCH_DURATION_S ?? 3));
const log = (line: string) => process.stderr.write(`[compare] ${line}\n`);
const workDir = mkdtempSync(join(tmpdir(), "router-compare-"));
const stops: Array<() => Promise<void> | void> = [];

await runScript(main, {
  log,
  timeoutS: 900,
  cleanUp: async () => {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
    await stopChildren();
    rmSync(workDir, { recursive: true, force: true });
  },
});

interface Candidate {
  readonly name: string;
  readonly scriptPath: string;
  readonly bundle: boolean;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const sequential = args.includes("--sequential");
  const candidates: Candidate[] = [{ name: "floor", scriptPath: writeFloorWorker(workDir, "floor"), bundle: false }];
  for (const arg of args.filter((value) => !value.startsWith("--"))) {
    if (arg === "wire-floor") candidates.push({ name: arg, scriptPath: writeFloorWorker(workDir, arg), bundle: false });
    else if (arg === "router") {
      log("building this tree's bundle (wrangler deploy --dry-run)");
      candidates.push({ name: arg, scriptPath: buildWorkerBundle(join(workDir, "router")).scriptPath, bundle: true });
    } else {
      const match = /^([\w.-]+)=(.+?)(:bundle)?$/.exec(arg);
      if (!match?.[1] || !match[2]) throw new Error(`"${arg}" is not router, wire-floor or NAME=PATH[:bundle]`);
      candidates.push({ name: match[1], scriptPath: match[2], bundle: match[3] !== undefined });
    }
  }
  const wrk = requireWrk(ensureTools());
  const toml = readWranglerToml(join(ROOT, "wrangler.toml"));
  const redis = await startRedisServer();
  stops.push(() => redis.stop());
  const bridge = await startBridgeProcess(redis.port, "compare");
  const upstream = await startChild(process.execPath, [join(ROOT, "scripts", "bench", "upstream.ts")], /on (\S+)/);
  const address = upstream.match?.[1] ?? "";
  const hosts = Array.from({ length: 100 }, (_, i) => `h${i}.bench.test`);
  const redisConnection = new RespConnection({ port: redis.port });
  stops.push(() => redisConnection.close());
  await redisConnection.pipeline(hosts.map((host) => ["SET", host, address]));

  const running: Array<{ name: string; server: RunningWorkerd }> = [];
  for (const candidate of candidates) {
    const routerBindings = { ...toml.vars, UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: bridge.token };
    const server = await startWorkerd(
      {
        scriptPath: candidate.scriptPath,
        compatibilityDate: toml.compatibilityDate,
        compatibilityFlags: toml.compatibilityFlags,
        bindings: { ...(candidate.bundle ? routerBindings : {}), UPSTREAM_URL: `http://${address}/` },
      },
      `compare-${candidate.name}`,
    );
    stops.push(() => server.stop());
    running.push({ name: candidate.name, server });
  }
  const load = (index: number, url: string) => {
    const dir = join(workDir, `load-${index}`);
    mkdirSync(dir, { recursive: true });
    return { wrk, threads: 1, connections: sequential ? 32 : 8, workDir: dir, url, durationS: DURATION_S };
  };
  log("warming up");
  for (const [index, { server }] of running.entries())
    await runSpread({ ...load(index, server.url), durationS: 2 }, hosts);

  const cpu = running.map((): number[] => []);
  const rps = running.map((): number[] => []);
  const record = (index: number, result: LoadResult, seconds: number) => {
    cpu[index]?.push((seconds * 1e6) / Math.max(1, result.requests));
    rps[index]?.push(result.rps);
  };
  for (let round = 1; round <= ROUNDS; round++) {
    log(`round ${round}/${ROUNDS}: ${DURATION_S} s, ${sequential ? "one worker at a time" : "all at once"}`);
    if (sequential) {
      for (const [index, { server }] of running.entries()) {
        const before = await cpuSeconds([server.pid]);
        const result = await runSpread(load(index, server.url), hosts);
        record(index, result, (await cpuSeconds([server.pid])) - before);
      }
      continue;
    }
    const before = await Promise.all(running.map(({ server }) => cpuSeconds([server.pid])));
    const results = await Promise.all(running.map(({ server }, index) => runSpread(load(index, server.url), hosts)));
    const after = await Promise.all(running.map(({ server }) => cpuSeconds([server.pid])));
    results.forEach((result, index) => record(index, result, (after[index] ?? 0) - (before[index] ?? 0)));
  }

  const perRound = (values: readonly number[], base: readonly number[]) =>
    median(values.map((value, round) => value / (base[round] ?? Number.NaN)));
  const lines = running.map(({ name }, index) => {
    const cpuUs = cpu[index] ?? [];
    const served = rps[index] ?? [];
    return `| ${name} | ${median(cpuUs).toFixed(0)} | ${perRound(cpuUs, cpu[0] ?? []).toFixed(2)} | ${median(served).toFixed(0)} | ${perRound(served, rps[0] ?? []).toFixed(2)} |`;
  });
  process.stdout.write(
    `\n| worker | CPU us/req | CPU / floor | req/s | req/s / floor |\n| --- | ---: | ---: | ---: | ---: |\n${lines.join("\n")}\n\n` +
      `${ROUNDS} rounds of ${DURATION_S} s, ${sequential ? "one worker at a time (wrk -c32)" : "all loaded at once (wrk -c8 each)"}; medians of per-round ratios\n`,
  );
}
