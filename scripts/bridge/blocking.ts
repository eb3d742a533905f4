/**
 * The cap on blocking commands (BLPOP, BRPOP, BLMOVE, XREAD BLOCK…). Each one
 * holds a Redis connection of its own for as long as it waits, so, like the
 * event streams (stream.ts, `maxStreams`), only so many may wait at once; one
 * more gets 503 with Retry-After rather than another connection.
 */
import { HttpError } from "./errors.ts";

export interface BlockingGate {
  /** Runs `work` holding one of the slots, or throws a 503 HttpError when none is free. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Blocking commands waiting now. */
  readonly size: number;
}

export function createBlockingGate(max: number): BlockingGate {
  let open = 0;
  return {
    async run(work) {
      if (open >= max) {
        throw new HttpError(503, `ERR too many blocking commands waiting (${max}); try again later`, {
          "Retry-After": "1",
        });
      }
      open++;
      try {
        return await work();
      } finally {
        open--;
      }
    },
    get size() {
      return open;
    },
  };
}
