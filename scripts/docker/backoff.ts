/**
 * Waits between retries: doubling from `minMs` up to `maxMs`, with ±20 %
 * jitter so agents restarted together do not retry in step. Reset after a success.
 */
export interface Backoff {
  /** The next delay, in ms (and the one after it doubles). */
  next(): number;
  reset(): void;
}

export function createBackoff({ minMs = 500, maxMs = 30_000 }: { minMs?: number; maxMs?: number } = {}): Backoff {
  let delay = minMs;
  return {
    next() {
      const current = delay;
      delay = Math.min(maxMs, delay * 2);
      return Math.min(maxMs, Math.round(current * (0.8 + Math.random() * 0.4)));
    },
    reset() {
      delay = minMs;
    },
  };
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
