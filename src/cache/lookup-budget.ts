import { createThrottledLog } from "../lib/throttled-log.ts";

export interface LookupBudgetOptions {
  /** Cold lookups allowed per second, on average; 0 = no budget (every cold lookup is allowed). */
  readonly perSecond: number;
  /** How many may be spent at once after a quiet spell (the bucket's size). */
  readonly burst: number;
  /** At most one "refused" log line per interval, with the count it stands for. */
  readonly logIntervalMs: number;
  readonly log: (line: string) => void;
  readonly now: () => number;
}

/** A token bucket of cold lookups (store reads for hosts the isolate has no route for). */
export interface LookupBudget {
  /** Takes a token: true when the lookup may go to the store. */
  take(): boolean;
}

/**
 * Tokens come back in tenths of a second (perSecond / 10 at a time) rather
 * than one at a time: under a flood of unknown hosts the lookups a refill
 * allows arrive together, so the cold-lookup batch (cold-batch.ts) carries
 * them in one round trip — a few commands a second, not `perSecond`.
 */
const REFILL_STEP_MS = 100;

/**
 * The budget that keeps a flood of random Host names from running up the
 * store's bill or rate limit: past it, an uncached host is refused (503) with
 * no store call. Refusals are logged, one line per interval with their count.
 */
export function createLookupBudget(options: LookupBudgetOptions): LookupBudget {
  const { perSecond, burst, logIntervalMs, log, now } = options;
  const capacity = Math.max(1, burst);
  const perStep = (perSecond * REFILL_STEP_MS) / 1000;
  let tokens = capacity;
  let refilledAt = now();
  const refusals = createThrottledLog({ intervalMs: logIntervalMs, log, now });

  function refill(at: number): void {
    const steps = Math.floor((at - refilledAt) / REFILL_STEP_MS);
    if (steps <= 0) return;
    tokens = Math.min(capacity, tokens + steps * perStep);
    refilledAt += steps * REFILL_STEP_MS;
  }

  return {
    take() {
      if (perSecond <= 0) return true;
      const at = now();
      refill(at);
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      refusals.event(({ skipped, sinceMs }) => {
        const seconds = sinceMs === null ? "" : ` in the last ${(sinceMs / 1000).toFixed(1)} s`;
        return `route lookups refused: ${skipped + 1} for hosts not in the cache${seconds} (LOOKUP_BUDGET_PER_SECOND=${perSecond}, LOOKUP_BUDGET_BURST=${burst})`;
      }, at);
      return false;
    },
  };
}
