import { createThrottledLog, type ThrottledLogOptions } from "../lib/throttled-log.ts";

/** At most one "failing" line per interval, however many lookups fail. */
export type FailureLogOptions = ThrottledLogOptions;

/** Reports store failures once per interval, and the recovery once. */
export interface FailureLog {
  failure(detail: string): void;
  success(): void;
}

/**
 * During an outage every request whose route needs a lookup fails the same
 * way; a line per request would bury the log (and, at the edge, its quota).
 * So the first failure is logged, then one line per interval that says how
 * many failures it stands for, then one line when a lookup succeeds again.
 */
export function createFailureLog(options: FailureLogOptions): FailureLog {
  const throttled = createThrottledLog(options);
  let failingSince: number | undefined;
  let total = 0;
  return {
    failure(detail) {
      const at = options.now();
      failingSince ??= at;
      total++;
      throttled.event(({ skipped }) => {
        const more = skipped > 0 ? ` (and ${skipped} more since the last report)` : "";
        return `route store failing: ${detail}${more}`;
      }, at);
    },
    success() {
      if (failingSince === undefined) return;
      const seconds = ((options.now() - failingSince) / 1000).toFixed(1);
      options.log(`route store recovered after ${seconds} s and ${total} failed lookups`);
      failingSince = undefined;
      total = 0;
      throttled.settle();
    },
  };
}
