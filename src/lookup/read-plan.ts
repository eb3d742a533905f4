import { deadKeys } from "./dead-set.ts";
import { candidateKeys, type Candidate } from "./patterns.ts";
import type { StoreRead } from "./store.ts";

/** What a plan needs to know of the settings. */
export interface ReadPlanOptions {
  readonly keyPrefix: string;
  readonly hipacheRoutes: boolean;
  readonly sharedDownMarks: boolean;
}

/** One host's part of a plan: where the reply to each of its keys will be. */
export interface HostReads {
  readonly host: string;
  /** Every key that may hold the route, most specific first. */
  readonly candidates: readonly Candidate[];
  /** Per candidate: a string key's position in the MGET, or a list key's read (its LRANGE). */
  readonly at: readonly number[];
  /** The read (SUNION) of the host's dead sets; -1 without SHARED_DOWN_MARKS. */
  readonly deadAt: number;
}

/** The commands of one round trip, for one host or a batch of them. */
export interface ReadPlan {
  /** reads[0] is the MGET of every string key; then an LRANGE per list key, then a SUNION per host. */
  readonly reads: readonly StoreRead[];
  readonly hosts: readonly HostReads[];
}

/**
 * The reads that resolve every host in `hosts` in ONE round trip. Upstash
 * bills per command, and MGET is one command whatever the number of keys, so
 * every string key of every host goes in a single MGET; keys that hosts share
 * (`*.example.com`, `*`) are read once. Hipache lists have no multi-key read:
 * one LRANGE per distinct list key (HIPACHE_ROUTES only). The dead sets are
 * unioned per host (one SUNION each, SHARED_DOWN_MARKS only): a union across
 * hosts would mix the marks of patterns that do not route them.
 *
 * For one host the order is the one the bridge records: the MGET's keys in
 * precedence order, then the lists in that order, then the dead sets.
 */
export function planReads(hosts: readonly string[], options: ReadPlanOptions): ReadPlan {
  const stringAt = new Map<string, number>();
  const listAt = new Map<string, number>();
  const reads: StoreRead[] = [];
  const perHost = hosts.map((host) => {
    const candidates = candidateKeys(host, options.keyPrefix, options.hipacheRoutes);
    const at = candidates.map((candidate) => {
      if (candidate.format === "string") return positionOf(stringAt, candidate.key, stringAt.size);
      // Lists take read indexes from 1, after the MGET.
      return positionOf(listAt, candidate.key, listAt.size + 1);
    });
    return { host, candidates, at };
  });
  const [first, ...rest] = stringAt.keys();
  // Every host has at least its exact and the catch-all pattern.
  if (first === undefined) throw new Error("a lookup needs at least one key");
  reads.push({ op: "mget", keys: [first, ...rest] });
  for (const key of listAt.keys()) reads.push({ op: "lrange", key });
  const planned = perHost.map((host): HostReads => {
    if (!options.sharedDownMarks) return { ...host, deadAt: -1 };
    const [dead, ...moreDead] = deadKeys(host.host, options.keyPrefix);
    if (dead === undefined) return { ...host, deadAt: -1 };
    reads.push({ op: "sunion", keys: [dead, ...moreDead] });
    return { ...host, deadAt: reads.length - 1 };
  });
  return { reads, hosts: planned };
}

function positionOf(positions: Map<string, number>, key: string, next: number): number {
  const known = positions.get(key);
  if (known !== undefined) return known;
  positions.set(key, next);
  return next;
}
