import { InvalidRouteError, MissingNetworkError, NoRouteError, RouteStoreError } from "../errors.ts";
import type { NetworkSetup } from "../route-value/index.ts";
import { bindNetworks } from "./bind-networks.ts";
import { sharedDownMarks } from "./dead-set.ts";
import type { Candidate } from "./patterns.ts";
import { planReads, type HostReads, type ReadPlan } from "./read-plan.ts";
import type { Route, RouteSpec, SharedDownMarks } from "../route-value/index.ts";
import { isolateSpecCache, type SpecCache } from "./spec-cache.ts";
import type { RouteStore, StoreRead, StoreReply } from "./store.ts";

export interface LookupOptions {
  /** Put in front of every key the router reads; "" keeps the seed's bare host. */
  readonly keyPrefix: string;
  /** Also read Hipache's `frontend:` lists (HIPACHE_ROUTES): one LRANGE per candidate pattern. */
  readonly hipacheRoutes: boolean;
  readonly noRouteStatus: number;
  /** Also read Hipache's `dead:<pattern>` sets, for marks other isolates shared (SHARED_DOWN_MARKS). */
  readonly sharedDownMarks: boolean;
  /** How long a shared mark lasts at most (BACKEND_DOWN_MS). */
  readonly backendDownMs: number;
  /** Parsed values by raw text; default the isolate's. */
  readonly specCache?: SpecCache;
  /**
   * Binds each backend to the way it is fetched (bind-networks.ts); the
   * worker's configuration has it. Absent (the routes CLI): backends are
   * left unbound and a `"network"` name is not checked.
   */
  readonly networks?: NetworkSetup;
}

/** What one candidate key held, as far as the lookup looked. */
export interface CandidateOutcome extends Candidate {
  readonly outcome: "missing" | "route" | "invalid";
  /** For `invalid`: what is wrong with the value. */
  readonly problem: string | null;
  /** For `invalid`: the binding the value names and the worker lacks, when that is what is wrong. */
  readonly missingNetwork?: string;
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

/** One host's answer in a batch: its route, or why it has none (NoRouteError, InvalidRouteError, a store error for its keys alone). */
export type HostAnswer = { readonly route: Route } | { readonly error: unknown };

/** A batch's answers, in the order of its hosts, and the commands its one round trip cost. */
export interface BatchAnswers {
  readonly answers: readonly HostAnswer[];
  readonly commands: number;
}

/**
 * Finds the route for a normalised host: NoRouteError with the status
 * NO_ROUTE_STATUS names (403 unless set) when none exists,
 * 502 (InvalidRouteError, for this host only) when the deciding key holds
 * something that is not a route.
 */
export async function lookupRoute(host: string, store: RouteStore, options: LookupOptions): Promise<Route> {
  const { answers } = await lookupRoutes([host], store, options);
  const answer = answers[0];
  if (answer && "route" in answer) return answer.route;
  throw answer ? answer.error : new RouteStoreError("no answer");
}

/**
 * The routes of many hosts in ONE round trip (read-plan.ts). Rejects only
 * when the round trip fails as a whole (the store is unreachable, the MGET is
 * refused); a key that fails alone spoils only the hosts it would decide.
 */
export async function lookupRoutes(
  hosts: readonly string[],
  store: RouteStore,
  options: LookupOptions,
  now = Date.now(),
): Promise<BatchAnswers> {
  const plan = planReads(hosts, options);
  const replies = await store.read(plan.reads);
  const mget = replies[0];
  if (hosts.length > 1 && mget && "error" in mget) {
    // One denied key (a Redis ACL) fails the whole MGET: split the batch in
    // halves and ask again, so that the key spoils only the hosts it would
    // decide. Bisecting costs about 2 log2(n) round trips per bad key, not
    // one per host: a refresh batch of 2,000 hosts stays far below the
    // platform's subrequest limit. Rare, so the extra round trips are acceptable.
    const middle = Math.ceil(hosts.length / 2);
    const halves = await Promise.all(
      [hosts.slice(0, middle), hosts.slice(middle)].map((half) =>
        lookupRoutes(half, store, options, now).catch((error: unknown): BatchAnswers => ({
          answers: half.map(() => ({ error })),
          commands: 0,
        })),
      ),
    );
    return {
      answers: halves.flatMap((half) => half.answers),
      commands: plan.reads.length + halves.reduce((sum, half) => sum + half.commands, 0),
    };
  }
  const resolutions = resolvePlan(plan, replies, options, now);
  const answers = resolutions.map((resolution, i): HostAnswer => {
    if ("error" in resolution) return resolution;
    if (resolution.route) return { route: resolution.route };
    const host = hosts[i] ?? "";
    const decided = resolution.decided;
    if (decided) {
      const detail = `key "${decided.key}": ${decided.problem ?? "invalid"}`;
      return {
        error: decided.missingNetwork ? new MissingNetworkError(host, detail) : new InvalidRouteError(host, detail),
      };
    }
    return { error: new NoRouteError(host, options.noRouteStatus) };
  });
  return { answers, commands: plan.reads.length };
}

/** What one lookup sends, in one pipeline request. */
export interface LookupReads {
  /** Every key that may hold the route, most specific first (string before list per pattern). */
  readonly candidates: readonly Candidate[];
  /**
   * One MGET of the string keys (one command, however many keys), an LRANGE
   * per Hipache list (HIPACHE_ROUTES), one SUNION of the candidate patterns'
   * dead sets (SHARED_DOWN_MARKS).
   */
  readonly reads: readonly StoreRead[];
}

export function lookupReads(host: string, options: LookupOptions): LookupReads {
  const plan = planReads([host], options);
  return { candidates: plan.hosts[0]?.candidates ?? [], reads: plan.reads };
}

/** The keys one lookup names, in the order its commands name them (what the REST bridge records). */
export function lookupKeys(host: string, options: LookupOptions): string[] {
  return lookupReads(host, options).reads.flatMap((read) => ("keys" in read ? read.keys : [read.key]));
}

/**
 * Reads every candidate key (exact host, wildcards, catch-all; each as a
 * string and, with HIPACHE_ROUTES, as a Hipache list) in ONE round trip,
 * whatever the host's depth, then lets the most specific key that exists
 * decide.
 *
 * The string keys are read with MGET, which answers nil for a key that holds
 * another type (a hash, a list) instead of an error: such a key counts as
 * missing, and the next candidate decides. A `frontend:` key of another type
 * is still an error for that host (LRANGE says WRONGTYPE): 502.
 */
export async function resolveRoute(
  host: string,
  store: RouteStore,
  options: LookupOptions,
  now = Date.now(),
): Promise<Resolution> {
  const plan = planReads([host], options);
  const [resolution] = resolvePlan(plan, await store.read(plan.reads), options, now);
  if (!resolution) throw new RouteStoreError("no answer");
  if ("error" in resolution) throw resolution.error;
  return resolution;
}

/** Every host's resolution from the replies; a failure that concerns one host is that host's alone. */
function resolvePlan(
  plan: ReadPlan,
  replies: readonly StoreReply[],
  options: LookupOptions,
  now: number,
): Array<Resolution | { readonly error: unknown }> {
  if (replies.length !== plan.reads.length) {
    throw new RouteStoreError(`the store answered ${replies.length} of ${plan.reads.length} reads`);
  }
  const strings = mgetValues(replies[0], plan.reads[0]);
  const commands = plan.reads.length;
  return plan.hosts.map((host) => {
    try {
      return resolveHost(host, strings, replies, options, now, commands);
    } catch (error) {
      return { error };
    }
  });
}

function resolveHost(
  plan: HostReads,
  strings: readonly unknown[],
  replies: readonly StoreReply[],
  options: LookupOptions,
  now: number,
  commands: number,
): Resolution {
  const outcomes: CandidateOutcome[] = [];
  for (const [i, candidate] of plan.candidates.entries()) {
    const at = plan.at[i] ?? -1;
    const reply: StoreReply =
      candidate.format === "string" ? { value: strings[at] ?? null } : (replies[at] ?? { value: [] });
    const parsed = interpret(candidate, reply, options.specCache ?? isolateSpecCache);
    if (parsed.spec === null && parsed.problem === null) {
      outcomes.push({ ...candidate, outcome: "missing", problem: null });
      continue;
    }
    const bound = parsed.spec && options.networks ? bindNetworks(parsed.spec, options.networks) : parsed.spec;
    const spec = bound && "paths" in bound ? bound : null;
    const decided: CandidateOutcome =
      bound && !("paths" in bound)
        ? { ...candidate, outcome: "invalid", problem: bound.problem, missingNetwork: bound.network }
        : { ...candidate, outcome: spec ? "route" : "invalid", problem: parsed.problem };
    outcomes.push(decided);
    const route: Route | null = spec && {
      ...spec,
      host: plan.host,
      key: candidate.key,
      pattern: candidate.pattern,
      sharedDown: plan.deadAt >= 0 ? sharedMarks(spec, replies[plan.deadAt], now, options.backendDownMs) : null,
    };
    return { candidates: outcomes, decided, route, commands };
  }
  return { candidates: outcomes, decided: null, route: null, commands };
}

/** MGET's answer: one value per key, nil (null) for a key that is missing or not a string. */
function mgetValues(reply: StoreReply | undefined, read: StoreRead | undefined): readonly unknown[] {
  const count = read && "keys" in read ? read.keys.length : 0;
  if (!reply || "error" in reply) throw new RouteStoreError(`reading the route keys: ${reply?.error ?? "no reply"}`);
  if (!Array.isArray(reply.value) || reply.value.length !== count) {
    throw new RouteStoreError("unexpected reply to MGET");
  }
  return reply.value;
}

/** A key's reply as a route spec, a problem, or neither (the key does not exist). */
function interpret(
  candidate: Candidate,
  reply: StoreReply,
  cache: SpecCache,
): { spec: RouteSpec; problem: null } | { spec: null; problem: string | null } {
  if ("error" in reply) {
    // One list key of the wrong type spoils only the hosts it would route.
    if (reply.error.includes("WRONGTYPE")) {
      return { spec: null, problem: "holds another Redis type than a list (Hipache's frontend:<host>)" };
    }
    throw new RouteStoreError(`reading ${candidate.key}: ${reply.error}`);
  }
  if (candidate.format === "string") {
    if (reply.value === null || reply.value === undefined) return { spec: null, problem: null };
    if (typeof reply.value !== "string") throw new RouteStoreError(`unexpected reply for ${candidate.key}`);
    return cache.value(reply.value);
  }
  if (!Array.isArray(reply.value)) throw new RouteStoreError(`unexpected reply for ${candidate.key}`);
  // LRANGE answers [] for a key that does not exist.
  if (reply.value.length === 0) return { spec: null, problem: null };
  return cache.list(reply.value.map(String));
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
