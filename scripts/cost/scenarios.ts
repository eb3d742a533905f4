import { redisCommandCount } from "../bench/redis-stats.ts";
import { runDistinct } from "../bench/wrk.ts";
import type { RespConnection } from "../lib/resp.ts";
import type { CostStack } from "./stack.ts";
import { eachLimited, every, get, percentile, sleep } from "./http.ts";

const log = (line: string) => process.stderr.write(`[cost] ${line}\n`);

/** Commands redis-server ran while `work` ran (INFO commandstats, INFO itself not counted). */
export async function commandsDuring(stack: CostStack, work: () => Promise<void>): Promise<number> {
  const before = await redisCommandCount(stack.redis.port);
  await work();
  return (await redisCommandCount(stack.redis.port)) - before;
}

export async function setRoutes(admin: RespConnection, routes: ReadonlyArray<readonly [string, string]>) {
  await admin.pipeline(routes.map(([host, value]) => ["SET", host, value]));
}

/** Every isolate asks for every host once (a cold lookup each, batched), retrying any refusal. */
export async function warm(stack: CostStack, hosts: readonly string[]): Promise<void> {
  await Promise.all(
    stack.isolates.map((isolate) =>
      eachLimited(hosts, 32, async (host) => {
        for (let attempt = 0; attempt < 20; attempt++) {
          if ((await get(isolate.url, host)).status === 200) return;
          await sleep(200);
        }
        throw new Error(`${host} never answered 200 on ${isolate.url}`);
      }),
    ),
  );
}

export interface SteadyResult {
  readonly requests: number;
  readonly errors: number;
  readonly commands: number;
  readonly perIsolatePerMin: number;
}

/**
 * Skewed traffic (Zipf, s = 1: host i is asked for in proportion to 1/i) over
 * `hosts` on every isolate for `seconds`, at `rps` per isolate: the refresh
 * cost of routes in use, once every isolate has them cached.
 */
export async function steady(stack: CostStack, hosts: readonly string[], seconds: number, rps: number) {
  const weights = hosts.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((sum, w) => sum + w, 0);
  let acc = 0;
  const cdf = weights.map((w) => (acc += w / total));
  const pick = () => {
    const r = Math.random();
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] ?? 1) < r) lo = mid + 1;
      else hi = mid;
    }
    return hosts[lo] ?? "";
  };
  let requests = 0;
  let errors = 0;
  const started = performance.now();
  const commands = await commandsDuring(stack, () =>
    Promise.all(
      stack.isolates.map((isolate) =>
        every(1000 / rps, started + seconds * 1000, async () => {
          const answer = await get(isolate.url, pick());
          requests++;
          if (answer.status !== 200) errors++;
        }),
      ),
    ).then(() => undefined),
  );
  const minutes = (performance.now() - started) / 60_000;
  return { requests, errors, commands, perIsolatePerMin: commands / stack.isolates.length / minutes };
}

/**
 * A route changed every second for `seconds`; every isolate polled every
 * `pollMs`. For each change, the time until each isolate served it (or a
 * later one): the largest is the bound a user sees.
 */
export async function churn(stack: CostStack, host: string, seconds: number, pollMs = 50): Promise<number> {
  const setAt: number[] = [];
  const set = async (version: number) => {
    setAt[version] = performance.now();
    await stack.admin.send(["SET", host, `http://${stack.echo}/v${version}`]);
  };
  await set(0);
  await warm(stack, [host]);
  /** Per isolate, per version: when it was first seen served (that version or a later one). */
  const seenAt = stack.isolates.map(() => [] as number[]);
  let last = 0;
  const end = performance.now() + seconds * 1000;
  const setter = every(1000, end, async () => set(++last));
  const pollers = stack.isolates.map(async (isolate, i) => {
    const seen = seenAt[i] ?? [];
    const deadline = end + 20_000;
    while (performance.now() < deadline && (seen[last] === undefined || performance.now() < end)) {
      const answer = await get(isolate.url, host);
      const version = Number(/^\/v(\d+)/.exec(answer.body)?.[1] ?? -1);
      for (let v = 0; v <= version; v++) seen[v] ??= performance.now();
      await sleep(pollMs);
    }
  });
  await Promise.all([setter, ...pollers]);
  let worst = 0;
  for (let v = 1; v <= last; v++) {
    for (const seen of seenAt) worst = Math.max(worst, (seen[v] ?? Number.POSITIVE_INFINITY) - (setAt[v] ?? 0));
  }
  return worst;
}

export interface FloodPhase {
  readonly knownErrors: number;
  readonly knownP99Ms: number;
  readonly floodRequests: number;
  readonly floodRps: number;
  readonly commands: number;
}

/** The known host asked 5 times a second on `url` for `seconds`; `load` runs meanwhile (or nothing). */
export async function knownHostDuring(
  stack: CostStack,
  url: string,
  known: string,
  seconds: number,
  load: (() => Promise<{ requests: number; rps: number }>) | null,
): Promise<FloodPhase> {
  const latencies: number[] = [];
  let knownErrors = 0;
  let flood = { requests: 0, rps: 0 };
  const commands = await commandsDuring(stack, async () => {
    const probe = every(200, performance.now() + seconds * 1000, async () => {
      const answer = await get(url, known);
      latencies.push(answer.ms);
      if (answer.status !== 200) knownErrors++;
    });
    const [, result] = await Promise.all([probe, load ? load() : Promise.resolve(flood)]);
    flood = result;
  });
  return {
    knownErrors,
    knownP99Ms: percentile(latencies, 99),
    floodRequests: flood.requests,
    floodRps: flood.rps,
    commands,
  };
}

/** Random never-seen hosts at full speed (wrk) against one isolate. */
export function floodLoad(wrk: string, url: string, workDir: string, seconds: number) {
  return async () => {
    const result = await runDistinct(
      { wrk, url, threads: 1, connections: 64, durationS: seconds, workDir },
      "flood.cost.test",
      0,
    );
    log(`flood: ${result.requests} requests, ${result.rps.toFixed(0)}/s`);
    return { requests: result.requests, rps: result.rps };
  };
}

/** Hosts among `hosts` that are no longer cached on `url`: their request needed a store read. */
export async function evicted(url: string, hosts: readonly string[]): Promise<number> {
  let count = 0;
  await eachLimited(hosts, 16, async (host) => {
    const answer = await get(url, host);
    if (answer.status !== 200 || answer.lookup === "miss") count++;
  });
  return count;
}
