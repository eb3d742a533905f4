import type { CacheOutcome } from "./types.ts";

/**
 * The route lookup as a Server-Timing metric (W3C Server Timing):
 * `route;desc=hit;dur=0.12`. Note that Workers only advance the clock on I/O
 * (a Spectre mitigation), so a lookup answered from memory reads `dur=0`.
 */
export function routeServerTiming(outcome: CacheOutcome, durationMs: number): string {
  return `route;desc=${outcome};dur=${Math.max(0, Math.round(durationMs * 100) / 100)}`;
}
