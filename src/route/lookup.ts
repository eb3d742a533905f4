import { InvalidRouteError, NoRouteError, RouteStoreError } from "../errors.ts";
import { deadKeys, sharedDownMarks } from "./dead-set.ts";
import { candidateKeys, type Candidate } from "./patterns.ts";
import { RouteSyntaxError, type Route, type RouteSpec, type SharedDownMarks } from "./route.ts";
import type { RouteStore, StoreRead, StoreReply } from "./store.ts";
import { parseHipacheList, parseRouteValue } from "./value.ts";

export interface LookupOptions {
  /** Put in front of every key the router reads; "" keeps the seed's bare host. */
  readonly keyPrefix: string;
  readonly noRouteStatus: number;
  /** Also read Hipache's `dead:<pattern>` sets, for marks other isolates shared (SHARED_DOWN_MARKS). */
  readonly sharedDownMarks: boolean;
  /** How long a shared mark lasts at most (BACKEND_DOWN_MS). */
  readonly backendDownMs: number;
}

/** What one candidate key held, as far as the lookup looked. */
export interface CandidateOutcome extends Candidate {
  readonly outcome: "missing" | "route" | "invalid";
  /** For `invalid`: what is wrong with the value. */
  readonly problem: string | null;
}

/** The whole story of a lookup: `routes test` prints it, `lookupRoute` acts on it. */
export interface Resolution {
  /** Every key read, in precedence order, up to the one that decided. */
  readonly candidates: readonly CandidateOutcome[];
  /** The first key that exists decides: a Route, or an invalid value. */
  readonly decided: CandidateOutcome | null;
  readonly route: Route | null;
  /** Commands sent, all in one round trip. */
  readonly commands: number;
}

/**
 * Finds the route for a normalised host: 403 (NoRouteError) when none exists,
 * 502 (InvalidRouteError, for this host only) when the deciding key holds
 * something that is not a route.
 */
export async function lookupRoute(host: string, store: RouteStore, options: LookupOptions): Promise<Route> {
  const resolution = await resolveRoute(host, store, options);
  if (resolution.route) return resolution.route;
  const decided = resolution.decided;
  if (decided) throw new InvalidRouteError(host, `key "${decided.key}": ${decided.problem ?? "invalid"}`);
  throw new NoRouteError(host, options.noRouteStatus);
}

/**
 * Reads every candidate key (exact host, wildcards, catch-all; each as a
 * string and as a Hipache list) in ONE round trip, whatever the host's depth,
 * then lets the most specific key that exists decide.
 */
export async function resolveRoute(
  host: string,
  store: RouteStore,
  options: LookupOptions,
  now = Date.now(),
): Promise<Resolution> {
  const candidates = candidateKeys(host, options.keyPrefix);
  const reads: StoreRead[] = candidates.map(({ key, format }) => ({ op: format === "string" ? "get" : "lrange", key }));
  if (options.sharedDownMarks) {
    const [first, ...rest] = deadKeys(host, options.keyPrefix);
    if (first !== undefined) reads.push({ op: "sunion", keys: [first, ...rest] });
  }
  const replies = await store.read(reads);
  if (replies.length !== reads.length) {
    throw new RouteStoreError(`the store answered ${replies.length} of ${reads.length} reads`);
  }

  const outcomes: CandidateOutcome[] = [];
  for (const [i, candidate] of candidates.entries()) {
    const { spec, problem } = interpret(candidate, replies[i] ?? { value: null });
    if (spec === null && problem === null) {
      outcomes.push({ ...candidate, outcome: "missing", problem: null });
      continue;
    }
    const decided: CandidateOutcome = { ...candidate, outcome: spec ? "route" : "invalid", problem };
    outcomes.push(decided);
    const route: Route | null = spec && {
      ...spec,
      host,
      key: candidate.key,
      pattern: candidate.pattern,
      sharedDown: options.sharedDownMarks
        ? sharedMarks(spec, replies[candidates.length], now, options.backendDownMs)
        : null,
    };
    return { candidates: outcomes, decided, route, commands: reads.length };
  }
  return { candidates: outcomes, decided: null, route: null, commands: reads.length };
}

/** A key's reply as a route spec, a problem, or neither (the key does not exist). */
function interpret(
  candidate: Candidate,
  reply: StoreReply,
): { spec: RouteSpec; problem: null } | { spec: null; problem: string | null } {
  if ("error" in reply) {
    // One key of the wrong type spoils only the hosts it would route.
    if (reply.error.includes("WRONGTYPE")) {
      const expected = candidate.format === "string" ? "a string" : "a list (Hipache's frontend:<host>)";
      return { spec: null, problem: `holds another Redis type than ${expected}` };
    }
    throw new RouteStoreError(`reading ${candidate.key}: ${reply.error}`);
  }
  try {
    if (candidate.format === "string") {
      if (reply.value === null || reply.value === undefined) return { spec: null, problem: null };
      if (typeof reply.value !== "string") throw new RouteStoreError(`unexpected reply for ${candidate.key}`);
      return { spec: parseRouteValue(reply.value), problem: null };
    }
    if (!Array.isArray(reply.value)) throw new RouteStoreError(`unexpected reply for ${candidate.key}`);
    // LRANGE answers [] for a key that does not exist.
    if (reply.value.length === 0) return { spec: null, problem: null };
    return { spec: parseHipacheList(reply.value.map(String)), problem: null };
  } catch (error) {
    if (error instanceof RouteSyntaxError) return { spec: null, problem: error.message };
    throw error;
  }
}

/** The union of the candidate patterns' dead sets, as the route's shared marks. */
function sharedMarks(
  spec: RouteSpec,
  reply: StoreReply | undefined,
  now: number,
  downMs: number,
): SharedDownMarks | null {
  if (!reply || !("value" in reply) || !Array.isArray(reply.value)) return null;
  return sharedDownMarks(spec, reply.value, now, downMs);
}
