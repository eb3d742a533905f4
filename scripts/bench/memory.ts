import { rssKiB } from "./processes.ts";
import { runDistinct, runSpread, type LoadOptions } from "./wrk.ts";

/** RSS of one workerd process as it looks up ever more distinct hosts: [hosts seen, KiB] samples. */
export interface MemoryRun {
  readonly samples: ReadonlyArray<readonly [number, number]>;
  readonly hostsSeen: number;
}

/**
 * Warms the router on the routed hosts, then sends distinct random hosts
 * until `total` have been seen, sampling RSS at the start, half-way and at
 * the end: the route cache and miss set are bounded, so RSS must level off.
 */
export async function rssOverDistinctHosts(
  load: Omit<LoadOptions, "durationS">,
  pid: number,
  routedHosts: readonly string[],
  total: number,
): Promise<MemoryRun> {
  await runSpread({ ...load, durationS: 1 }, routedHosts);
  const samples: Array<[number, number]> = [[0, await rssKiB(pid)]];
  let seen = 0;
  for (let chunk = 0; seen < total; chunk++) {
    const run = await runDistinct({ ...load, durationS: 3 }, "mem.test", chunk);
    const before = seen;
    seen += run.requests;
    if (before < total / 2 && seen >= total / 2 && seen < total) samples.push([seen, await rssKiB(pid)]);
  }
  samples.push([seen, await rssKiB(pid)]);
  return { samples, hostsSeen: seen };
}
