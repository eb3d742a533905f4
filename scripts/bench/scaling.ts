/**
 * Bench rows for scaling across cores: the self-hosted router (`npm run
 * serve`, scripts/serve.ts) with 1 and N workerd processes on one shared
 * socket, and the seed's nginx with N workers beside bench.ts's 1-worker
 * "seed" row, all under the same load in the same run. N is the number of
 * cores (BENCH_SCALE_PROCESSES to choose); BENCH_SCALING=0 skips these rows.
 * On a machine whose cores also run the load generator, N processes cannot
 * reach N times the rate: compare the ratios, not the absolute numbers.
 */
import { mkdirSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { freePort } from "../lib/ports.ts";
import { ROOT } from "../lib/worker-bundle.ts";
import { childPids, startChild } from "./processes.ts";
import { startSeed } from "./seed-nginx.ts";
import type { Row } from "./table.ts";

export interface ScalingServer {
  readonly name: string;
  readonly url: string;
  readonly note: string;
  readonly pids: number[];
  readonly missing?: string;
}

export interface ScalingContext {
  /** nginx with the Lua module, or why there is none. */
  readonly nginx: { path: string } | { missing: string };
  readonly workDir: string;
  readonly redisPort: number;
  readonly bridgeUrl: string;
  readonly token: string;
  /** Where each server's stop goes (bench.ts runs them at the end). */
  readonly stops: Array<() => Promise<void> | void>;
}

const PROCESSES = Number(process.env.BENCH_SCALE_PROCESSES ?? cpus().length);

/** The rows' servers, started; none when BENCH_SCALING=0. */
export async function startScalingServers(context: ScalingContext): Promise<ScalingServer[]> {
  if (process.env.BENCH_SCALING === "0") return [];
  const servers: ScalingServer[] = [];
  for (const count of [1, PROCESSES]) servers.push(await startSelfHosted(context, count));
  if ("missing" in context.nginx) {
    servers.push({ name: `seed, ${PROCESSES} workers`, url: "", note: "", pids: [], missing: context.nginx.missing });
  } else {
    const dir = join(context.workDir, `seed-${PROCESSES}`);
    mkdirSync(dir, { recursive: true });
    const seed = await startSeed(context.nginx.path, dir, context.redisPort, PROCESSES);
    context.stops.push(() => seed.stop());
    servers.push({
      name: `seed, ${PROCESSES} workers`,
      url: seed.url,
      note: `nginx + Lua, Redis GET per request, ${PROCESSES} workers`,
      pids: await childPids(seed.pid),
    });
  }
  return servers;
}

/** `npm run serve` itself, pointed at the bench's bridge. */
async function startSelfHosted(context: ScalingContext, count: number): Promise<ScalingServer> {
  const port = await freePort();
  const serve = await startChild(
    process.execPath,
    [join(ROOT, "scripts", "serve.ts"), "--listen", `127.0.0.1:${port}`, "--workers", String(count)],
    /serve: listening on (\S+)/,
    {
      env: { ...process.env, UPSTASH_REDIS_REST_URL: context.bridgeUrl, UPSTASH_REDIS_REST_TOKEN: context.token },
      timeoutMs: 180_000,
    },
  );
  context.stops.push(() => serve.stop());
  const supervisor = serve.process.pid ?? 0;
  return {
    name: `self-hosted, ${count} process${count === 1 ? "" : "es"}`,
    url: `http://127.0.0.1:${port}/`,
    note: `npm run serve --workers ${count} (cache on; CPU: workerd and the supervisor)`,
    pids: [supervisor, ...(await childPids(supervisor, "workerd"))],
  };
}

/** One line: how much each design gains from N processes, in this run. */
export function scalingSummary(rows: readonly Row[]): string {
  const rps = (name: string) => {
    const row = rows.find((candidate) => candidate.name === name);
    return row && "result" in row ? row.result.rps : Number.NaN;
  };
  const ratio = (n: number, one: number) => (Number.isFinite(n / one) ? (n / one).toFixed(2) : "n/a");
  const many = `${PROCESSES} process${PROCESSES === 1 ? "" : "es"}`;
  return `scaling (${PROCESSES} vs 1, ${cpus().length} cores, load generator on the same cores): self-hosted=${ratio(
    rps(`self-hosted, ${many}`),
    rps("self-hosted, 1 process"),
  )} seed=${ratio(rps(`seed, ${PROCESSES} workers`), rps("seed"))}`;
}
