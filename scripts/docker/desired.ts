/**
 * What this agent's engine asks for right now: each serving, labelled
 * container's claim, by container. The store is made to match it, host by host.
 */
import type { Claim } from "./labels.ts";

export interface Desired {
  /** The container's claim is now `claim` (null: it asks for nothing, or is gone); the hosts whose entries changed. */
  set(container: string, claim: Claim | null): string[];
  /** Every container's claim at once (a reconcile); every host named before or after. */
  replaceAll(claims: ReadonlyMap<string, Claim>): string[];
  /** This agent's entries for a host: container → entry. */
  entriesFor(host: string): Map<string, string>;
  hosts(): string[];
  readonly size: number;
}

export function createDesired(): Desired {
  const claims = new Map<string, Claim>();
  const hostsOf = (claim: Claim | undefined | null) => claim?.hosts ?? [];
  return {
    set(container, claim) {
      const before = claims.get(container);
      if (claim) claims.set(container, claim);
      else claims.delete(container);
      if (before?.entry === claim?.entry && same(hostsOf(before), hostsOf(claim))) return [];
      return [...new Set([...hostsOf(before), ...hostsOf(claim)])];
    },
    replaceAll(next) {
      const touched = new Set([...claims.values()].flatMap((claim) => claim.hosts));
      claims.clear();
      for (const [container, claim] of next) {
        claims.set(container, claim);
        for (const host of claim.hosts) touched.add(host);
      }
      return [...touched];
    },
    entriesFor(host) {
      const entries = new Map<string, string>();
      for (const [container, claim] of claims) if (claim.hosts.includes(host)) entries.set(container, claim.entry);
      return entries;
    },
    hosts() {
      return [...new Set([...claims.values()].flatMap((claim) => claim.hosts))];
    },
    get size() {
      return claims.size;
    },
  };
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}
