import { CACHE_OUTCOMES, STATUS_CLASSES } from "../metrics/index.ts";

/** Counts per status class (or cache outcome) by name, as /api/traffic gives them. */
export type ByClass = Record<(typeof STATUS_CLASSES)[number], number>;
export type ByOutcome = Record<(typeof CACHE_OUTCOMES)[number], number>;

export function byClass(counts: readonly number[]): ByClass {
  return Object.fromEntries(STATUS_CLASSES.map((name, i) => [name, counts[i] ?? 0])) as ByClass;
}

export function byOutcome(counts: readonly number[]): ByOutcome {
  return Object.fromEntries(CACHE_OUTCOMES.map((name, i) => [name, counts[i] ?? 0])) as ByOutcome;
}
