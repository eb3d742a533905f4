import { median } from "./median.ts";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { cpuSeconds } from "./processes.ts";
import { runSpread, type LoadOptions } from "./wrk.ts";

export interface Server {
  readonly url: string;
  readonly pid: number;
}

export interface CpuRatio {
  /** Median over rounds of (router CPU per request ÷ floor CPU per request). */
  readonly ratio: number;
  /** Medians of each process's CPU per request, in µs. */
  readonly routerUs: number;
  readonly floorUs: number;
  readonly rounds: number;
}

/**
 * The router's CPU per request over the floor's, both loaded at the same
 * time (one wrk each) for `durationS`, `rounds` times. Measured side by side,
 * both see the same state of a shared machine (other work, CPU frequency,
 * caches), which rows measured seconds apart do not: the ratio then holds
 * even when the absolute figures swing.
 */
export async function pairedCpuRatio(
  load: Omit<LoadOptions, "url" | "durationS">,
  hosts: readonly string[],
  router: Server,
  floor: Server,
  rounds: number,
  durationS: number,
): Promise<CpuRatio> {
  // Two wrk at once: each its own script file, or one could read the other's half-written.
  const routerLoad = { ...load, workDir: join(load.workDir, "pair-router") };
  const floorLoad = { ...load, workDir: join(load.workDir, "pair-floor") };
  for (const { workDir } of [routerLoad, floorLoad]) mkdirSync(workDir, { recursive: true });
  const ratios: number[] = [];
  const routerUs: number[] = [];
  const floorUs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const before = await Promise.all([cpuSeconds([router.pid]), cpuSeconds([floor.pid])]);
    const [routerRun, floorRun] = await Promise.all([
      runSpread({ ...routerLoad, url: router.url, durationS }, hosts),
      runSpread({ ...floorLoad, url: floor.url, durationS }, hosts),
    ]);
    const after = await Promise.all([cpuSeconds([router.pid]), cpuSeconds([floor.pid])]);
    const routerPerRequest = (((after[0] ?? 0) - (before[0] ?? 0)) * 1e6) / Math.max(1, routerRun.requests);
    const floorPerRequest = (((after[1] ?? 0) - (before[1] ?? 0)) * 1e6) / Math.max(1, floorRun.requests);
    routerUs.push(routerPerRequest);
    floorUs.push(floorPerRequest);
    ratios.push(routerPerRequest / floorPerRequest);
  }
  return { ratio: median(ratios), routerUs: median(routerUs), floorUs: median(floorUs), rounds };
}
