/** What a throttled line may say about the occurrences it stands for. */
export interface ThrottledSummary {
  /** Occurrences since the last line written (or the last settle()), this one excluded. */
  readonly skipped: number;
  /** Milliseconds since the last line written; null before the first. */
  readonly sinceMs: number | null;
}

export interface ThrottledLogOptions {
  /** At most one line per interval, however often the event happens. */
  readonly intervalMs: number;
  readonly log: (line: string) => void;
  readonly now: () => number;
}

export interface ThrottledLog {
  /** One occurrence (at `at`, default now): `line` is worded (and written) only when the interval allows a line. */
  event(line: (summary: ThrottledSummary) => string, at?: number): void;
  /** Forgets the skipped occurrences: another line (a recovery) has accounted for them. */
  settle(): void;
}

/**
 * A log for events that come in floods: a store outage fails every request,
 * a Host flood meets the lookup budget thousands of times a second. A line
 * per event would bury the log (and, at the edge, its quota), so the first
 * is written, then at most one line per interval saying how many it stands
 * for. The caller words the line; the throttle only decides when.
 */
export function createThrottledLog(options: ThrottledLogOptions): ThrottledLog {
  let lastWrittenAt = Number.NEGATIVE_INFINITY;
  let skipped = 0;
  return {
    event(line, at = options.now()) {
      if (at - lastWrittenAt < options.intervalMs) {
        skipped++;
        return;
      }
      options.log(line({ skipped, sinceMs: Number.isFinite(lastWrittenAt) ? at - lastWrittenAt : null }));
      lastWrittenAt = at;
      skipped = 0;
    },
    settle() {
      skipped = 0;
    },
  };
}
