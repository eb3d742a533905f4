/**
 * Backends that recently refused a connection or timed out, by origin
 * (`http://10.0.0.1:8080`): a dead server is dead for every route that names
 * it. Kept in the isolate; marks expire by themselves.
 */
export interface DownMarks {
  /** When the mark on `origin` expires (epoch ms), or 0 when it has none in force. */
  until(origin: string, now: number): number;
  mark(origin: string, until: number): void;
  clear(origin: string): void;
  /** The marks in force, for the dashboard (at most maxEntries). */
  list(now: number): { readonly origin: string; readonly until: number }[];
}

/** Bounded so a flood of failing hosts cannot grow the isolate's memory without limit. */
export function createDownMarks(maxEntries = 10_000): DownMarks {
  const marks = new Map<string, number>();
  return {
    until(origin, now) {
      const until = marks.get(origin);
      if (until === undefined) return 0;
      if (until > now) return until;
      marks.delete(origin);
      return 0;
    },
    mark(origin, until) {
      marks.delete(origin);
      if (marks.size >= maxEntries) {
        // Maps iterate in insertion order: the oldest mark goes first.
        const oldest = marks.keys().next();
        if (!oldest.done) marks.delete(oldest.value);
      }
      marks.set(origin, until);
    },
    clear(origin) {
      marks.delete(origin);
    },
    list(now) {
      return [...marks].filter(([, until]) => until > now).map(([origin, until]) => ({ origin, until }));
    },
  };
}

/** The isolate's marks, shared by every request it serves. */
export const isolateDownMarks: DownMarks = createDownMarks();
