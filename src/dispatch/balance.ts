import type { ForwardAction } from "../route-value/index.ts";
import type { Upstream } from "../route-value/index.ts";

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
  if (action.weights) return orderWeighted(action, action.weights, options);
  const list = action.backends;
  // The common route, one backend: a mark could only move it within a list of one.
  if (list.length === 1) return [list[0] as Upstream];
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

/**
 * Smooth weighted round robin per backend list, as nginx does
 * (ngx_http_upstream_get_peer): every pick adds each candidate's weight to
 * its running score, takes the highest and subtracts the total from it, so
 * weights 5:1:1 give a a b a c a a rather than a a a a a b c. The scores live
 * per action object (one per parsed route value, shared by the hosts it
 * serves) and go with it; each isolate balances its own share.
 */
const smoothScores = new WeakMap<ForwardAction, number[]>();

/**
 * With weights: backends that are up and not drained (weight 0) first,
 * chosen by smooth weighted round robin ("round-robin") or at random in
 * proportion to the weights ("random"); then those marked down, soonest to
 * expire first. Drained backends take no new traffic (a sticky session may
 * still reach one: failover.ts). A backend listed twice adds its weights.
 */
function orderWeighted(action: ForwardAction, weights: readonly number[], options: BalanceOptions): Upstream[] {
  const ids: string[] = [];
  const pool: { backend: Upstream; weight: number; index: number }[] = [];
  action.backends.forEach((backend, index) => {
    const id = backend.origin + backend.basePath;
    const at = ids.indexOf(id);
    const weight = weights[index] ?? 1;
    if (at === -1) {
      ids.push(id);
      pool.push({ backend, weight, index });
    } else if (pool[at]) pool[at].weight += weight;
  });
  const up: typeof pool = [];
  const down: { backend: Upstream; until: number }[] = [];
  for (const entry of pool) {
    if (entry.weight <= 0) continue;
    const until = options.downUntil(entry.backend.origin);
    if (until > options.now) down.push({ backend: entry.backend, until });
    else up.push(entry);
  }
  down.sort((a, b) => a.until - b.until);
  const first =
    action.strategy === "round-robin" ? smoothPick(action, up) : randomPick(up, options.random ?? Math.random);
  const rest = up.filter((entry) => entry !== first).sort((a, b) => b.weight - a.weight);
  return [...(first ? [first.backend] : []), ...rest.map((entry) => entry.backend), ...down.map((d) => d.backend)];
}

function smoothPick<T extends { weight: number; index: number }>(
  action: ForwardAction,
  up: readonly T[],
): T | undefined {
  let scores = smoothScores.get(action);
  if (!scores) {
    scores = action.backends.map(() => 0);
    smoothScores.set(action, scores);
  }
  let total = 0;
  let best: T | undefined;
  for (const entry of up) {
    const score = (scores[entry.index] ?? 0) + entry.weight;
    scores[entry.index] = score;
    total += entry.weight;
    if (!best || score > (scores[best.index] ?? 0)) best = entry;
  }
  if (best) scores[best.index] = (scores[best.index] ?? 0) - total;
  return best;
}

function randomPick<T extends { weight: number }>(up: readonly T[], random: () => number): T | undefined {
  const total = up.reduce((sum, entry) => sum + entry.weight, 0);
  let point = random() * total;
  for (const entry of up) {
    point -= entry.weight;
    if (point < 0) return entry;
  }
  return up.at(-1);
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
