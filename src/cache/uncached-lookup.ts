import { RouteStoreError } from "../errors.ts";
import type { BatchLoader } from "./cold-batch.ts";
import { describe, isAnswer } from "./entries.ts";
import type { FailureLog } from "./failure-log.ts";
import type { CachedLookup } from "./types.ts";

export interface UncachedLookupOptions {
  readonly load: BatchLoader;
  readonly failures: FailureLog;
  /** Counts a round trip to the store and the commands it cost. */
  readonly onRoundTrip: (commands: number) => void;
}

/**
 * ROUTE_CACHE_SIZE=0: no cache at all, so every request asks the store and
 * waits for it, with no budget (there is nothing to protect the store from
 * that the operator did not choose). Answers and failures are reported as
 * the cache reports its own.
 */
export function createUncachedLookup(options: UncachedLookupOptions): (host: string) => Promise<CachedLookup> {
  const { load, failures, onRoundTrip } = options;
  return async (host) => {
    try {
      const { answers, commands } = await load([host]);
      onRoundTrip(commands);
      const answer = answers[0] ?? { error: new RouteStoreError("no answer") };
      if (!("route" in answer) && !isAnswer(answer.error)) throw answer.error;
      failures.success();
      if ("route" in answer) return { outcome: "miss", route: answer.route };
      return { outcome: "miss", error: answer.error };
    } catch (error) {
      failures.failure(describe(error));
      return { outcome: "error", error };
    }
  };
}
