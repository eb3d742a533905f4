export interface FailureLogOptions {
  /** At most one "failing" line per interval, however many lookups fail. */
  readonly intervalMs: number;
  readonly log: (line: string) => void;
  readonly now: () => number;
}

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
  let failingSince: number | undefined;
  let lastReportAt = Number.NEGATIVE_INFINITY;
  let unreported = 0;
  let total = 0;
  return {
    failure(detail) {
      const now = options.now();
      failingSince ??= now;
      total++;
      if (now - lastReportAt < options.intervalMs) {
        unreported++;
        return;
      }
      const more = unreported > 0 ? ` (and ${unreported} more since the last report)` : "";
      options.log(`route store failing: ${detail}${more}`);
      lastReportAt = now;
      unreported = 0;
    },
    success() {
      if (failingSince === undefined) return;
      const seconds = ((options.now() - failingSince) / 1000).toFixed(1);
      options.log(`route store recovered after ${seconds} s and ${total} failed lookups`);
      failingSince = undefined;
      unreported = 0;
      total = 0;
    },
  };
}
