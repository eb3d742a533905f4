import type { BatchAnswers, HostAnswer } from "../lookup/index.ts";
import { RouteStoreError } from "../errors.ts";

/** Reads the routes of several hosts in one round trip (lookup/lookup.ts `lookupRoutes`). */
export type BatchLoader = (hosts: readonly string[]) => Promise<BatchAnswers>;

export interface ColdBatchOptions {
  /** How long the first host of a batch waits for others to join it. */
  readonly windowMs: number;
  /**
   * Batches leave at least this far apart (default 5 windows): under a burst
   * of new hosts the round trips stay few (at most 20 a second by default)
   * and each carries more hosts; a lone cold lookup still waits one window.
   */
  readonly minGapMs?: number;
  /** A batch that reaches this many hosts leaves at once. */
  readonly maxHosts: number;
  readonly load: BatchLoader;
  readonly now?: () => number;
  /** Called once per round trip, with its hosts and the commands it cost. */
  readonly onRoundTrip: (hosts: number, commands: number) => void;
}

/** A host's answer, and when the round trip that read it started (what its age counts from). */
export interface BatchedAnswer {
  readonly answer: HostAnswer;
  readonly startedAt: number;
}

export interface ColdBatch {
  /** The host's answer from the next batch; rejects when that batch's round trip fails. */
  request(host: string): Promise<BatchedAnswer>;
}

interface Waiter {
  readonly host: string;
  resolve(answer: BatchedAnswer): void;
  reject(error: unknown): void;
}

/**
 * Cold lookups that arrive together share one round trip: the first host to
 * miss opens a batch and every host that misses within `windowMs` joins it,
 * so a burst of new hosts (a flood, an isolate that has just started) costs
 * one command per batch, not one per host. The cost is `windowMs` more for
 * the first request of a batch (up to `minGapMs` during a burst). The caller keeps one request per
 * host (single flight): a host is never twice in a batch.
 */
export function createColdBatch(options: ColdBatchOptions): ColdBatch {
  let queue: Waiter[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let flushedAt = Number.NEGATIVE_INFINITY;
  const minGapMs = options.minGapMs ?? options.windowMs * 5;
  const now = options.now ?? Date.now;

  function flush(): void {
    const startedAt = now();
    flushedAt = startedAt;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const waiters = queue;
    queue = [];
    if (waiters.length === 0) return;
    options.load(waiters.map((waiter) => waiter.host)).then(
      ({ answers, commands }) => {
        options.onRoundTrip(waiters.length, commands);
        waiters.forEach((waiter, i) =>
          waiter.resolve({ answer: answers[i] ?? { error: new RouteStoreError("no answer") }, startedAt }),
        );
      },
      (error: unknown) => {
        options.onRoundTrip(waiters.length, 0);
        for (const waiter of waiters) waiter.reject(error);
      },
    );
  }

  return {
    request(host) {
      return new Promise<BatchedAnswer>((resolve, reject) => {
        queue.push({ host, resolve, reject });
        if (queue.length >= options.maxHosts) flush();
        else timer ??= setTimeout(flush, Math.max(options.windowMs, flushedAt + minGapMs - now()));
      });
    },
  };
}
