import type { ForwardAction } from "./route.ts";
import type { Upstream } from "./upstream.ts";

export interface BalanceOptions {
  /** Identifies the backend list for round robin (the route's key and path prefix). */
  readonly key: string;
  readonly now: number;
  /** When a backend's down mark expires, or 0 when it is up. */
  readonly downUntil: (origin: string) => number;
  /** [0, 1), as Math.random. */
  readonly random?: () => number;
  readonly counters?: RoundRobinCounters;
}

/** Round-robin positions, per backend list, for the isolate's life. */
export interface RoundRobinCounters {
  next(key: string): number;
}

/** Bounded: a key per route and path prefix the isolate has served. */
export function createRoundRobinCounters(maxEntries = 10_000): RoundRobinCounters {
  const counters = new Map<string, number>();
  return {
    next(key) {
      const value = counters.get(key) ?? 0;
      if (!counters.has(key) && counters.size >= maxEntries) counters.clear();
      counters.set(key, (value + 1) % Number.MAX_SAFE_INTEGER);
      return value;
    },
  };
}

const isolateCounters = createRoundRobinCounters();

/**
 * The order in which one request tries the backends: first those that are up,
 * in the strategy's order; then those marked down, the soonest to expire
 * first. Marks steer requests away from a dead backend but never make a route
 * unreachable by themselves: with every backend marked, they are still tried,
 * so a single-backend route behaves as in the seed. A backend listed twice
 * counts twice for the choice (a simple weight) and is tried once.
 */
export function orderBackends(action: ForwardAction, options: BalanceOptions): Upstream[] {
  const list = action.backends;
  let ordered: readonly Upstream[];
  if (list.length <= 1) {
    ordered = list;
  } else if (action.strategy === "round-robin") {
    const start = (options.counters ?? isolateCounters).next(options.key) % list.length;
    ordered = [...list.slice(start), ...list.slice(0, start)];
  } else {
    ordered = shuffle(list, options.random ?? Math.random);
  }
  const seen = new Set<string>();
  const up: Upstream[] = [];
  const down: { backend: Upstream; until: number }[] = [];
  for (const backend of ordered) {
    const id = backend.origin + backend.basePath;
    if (seen.has(id)) continue;
    seen.add(id);
    const until = options.downUntil(backend.origin);
    if (until > options.now) down.push({ backend, until });
    else up.push(backend);
  }
  down.sort((a, b) => a.until - b.until);
  return [...up, ...down.map(({ backend }) => backend)];
}

/** Fisher–Yates. */
function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
