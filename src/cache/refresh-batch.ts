export interface RefreshScheduleOptions {
  /** At most one refresh round trip per interval (the route TTL). */
  readonly intervalMs: number;
  /**
   * A route used since it was read is refreshed once it is this old. Chosen so
   * that a route not due at one refresh is refreshed at the next, before it is
   * TTL + stale-while-revalidate old (route-cache.ts).
   */
  readonly dueAgeMs: number;
  /** A route not used for this long is no longer refreshed; it expires, and its next use looks it up. */
  readonly idleMs: number;
  /** Hosts per refresh round trip at most; the others wait for the next one. */
  readonly maxHosts: number;
}

/** What the schedule needs to know of a cached host. */
export interface RefreshCandidate {
  /** When the cached route was read; undefined when the host has no route cached any more. */
  readonly fetchedAt: number | undefined;
  /** A read of this host is under way. */
  readonly inFlight: boolean;
}

/** Which cached routes to read again, and when: the batched refresh. */
export interface RefreshSchedule {
  /** Records a use of a cached route: it stays refreshed while it is used. */
  used(host: string, now: number): void;
  /**
   * The hosts to refresh now, in one round trip; [] when none is due or the
   * last refresh was less than an interval ago. `force` scans even when the
   * last scan found nothing due soon (a request met an expired route).
   */
  due(now: number, lookup: (host: string) => RefreshCandidate, force: boolean): string[];
}

/**
 * Every isolate used to re-read each host it served once per TTL, one lookup
 * per host: 200 busy hosts were 40 commands a second per isolate. Here the
 * routes in use are revalidated together, in one round trip per interval
 * whatever their number (one MGET carries them all). Refreshes are started by
 * requests (a Worker runs no code between them): the first request after the
 * interval scans the hosts used since, and a scan that finds nothing due
 * says when to look again, so a request costs a scan at most once in a while.
 */
export function createRefreshSchedule(options: RefreshScheduleOptions): RefreshSchedule {
  /** Hosts with a cached route, by when they were last used; in the order they were last refreshed. */
  const inUse = new Map<string, number>();
  let lastRefreshAt = Number.NEGATIVE_INFINITY;
  let nextScanAt = Number.NEGATIVE_INFINITY;

  return {
    used(host, now) {
      inUse.set(host, now);
    },
    due(now, lookup, force) {
      if (now - lastRefreshAt < options.intervalMs) return [];
      if (!force && now < nextScanAt) return [];
      const hosts: string[] = [];
      let soonest = Number.POSITIVE_INFINITY;
      for (const [host, usedAt] of inUse) {
        const { fetchedAt, inFlight } = lookup(host);
        if (fetchedAt === undefined || now - usedAt > options.idleMs) {
          inUse.delete(host);
          continue;
        }
        if (inFlight) continue;
        const dueAt = fetchedAt + options.dueAgeMs;
        if (dueAt > now) {
          soonest = Math.min(soonest, dueAt);
          continue;
        }
        hosts.push(host);
        if (hosts.length >= options.maxHosts) break;
      }
      if (hosts.length > 0) {
        // To the back of the line: past maxHosts, those left out go first next time.
        for (const host of hosts) {
          const usedAt = inUse.get(host) ?? now;
          inUse.delete(host);
          inUse.set(host, usedAt);
        }
        lastRefreshAt = now;
        nextScanAt = now + options.intervalMs;
      } else {
        nextScanAt = Math.min(soonest, now + options.intervalMs);
      }
      return hosts;
    },
  };
}
