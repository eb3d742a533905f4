/**
 * Brings the store in line with the desired state, one host at a time: a
 * host is sent only when this agent's entries for it differ from what the
 * store last confirmed (so an event that changes nothing costs nothing), and
 * a host the store failed on stays pending for the next try.
 */
import type { Desired } from "./desired.ts";
import type { AgentStore } from "./store.ts";

export interface FlushResult {
  readonly hosts: number;
  readonly writes: number;
  /** The store's error when it failed; the hosts not done stay pending. */
  readonly error: Error | null;
}

export interface Syncer {
  /** These hosts may have changed; `force`: send them even if the store confirmed them before (a reconcile). */
  mark(hosts: Iterable<string>, force?: boolean): void;
  flush(): Promise<FlushResult>;
  readonly pending: number;
}

export function createSyncer(options: {
  readonly store: AgentStore;
  readonly desired: Desired;
  readonly log: (line: string) => void;
}): Syncer {
  const { store, desired, log } = options;
  const pending = new Set<string>();
  /** host → this agent's entries as the store last confirmed them. */
  const confirmed = new Map<string, string>();
  /** Hosts whose hand-written route this agent has already said it leaves alone. */
  const conflicts = new Set<string>();
  return {
    mark(hosts, force = false) {
      for (const host of hosts) {
        if (force) confirmed.delete(host);
        pending.add(host);
      }
    },
    get pending() {
      return pending.size;
    },
    async flush() {
      let hosts = 0;
      let writes = 0;
      for (const host of [...pending].sort()) {
        const entries = desired.entriesFor(host);
        const text = JSON.stringify([...entries].sort());
        if (confirmed.get(host) === text) {
          pending.delete(host);
          continue;
        }
        try {
          const result = await store.sync(host, entries);
          hosts++;
          writes += result.writes;
          if (result.outcome === "conflict" && entries.size > 0 && !conflicts.has(host)) {
            conflicts.add(host);
            log(
              `conflict: ${host} has a route this agent did not write (by hand?): left as it is; the containers claiming it get no route until it is removed`,
            );
          }
          if (result.outcome === "ok") conflicts.delete(host);
          // A conflicting host is asked again at its next change: the hand-written route may be gone by then.
          if (result.outcome === "ok") confirmed.set(host, text);
          else confirmed.delete(host);
          pending.delete(host);
        } catch (error) {
          return { hosts, writes, error: error instanceof Error ? error : new Error(String(error)) };
        }
      }
      return { hosts, writes, error: null };
    },
  };
}
