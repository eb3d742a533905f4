import type { RouteCacheStats } from "../cache/index.ts";
import type { RouterConfig } from "../config.ts";
import { isolateTraffic, type TrafficCounters } from "./counters.ts";
import { countsOf, emptyCounts, noRequests, subtractCounts, type FleetCounts } from "./fleet-counts.ts";
import { encodeEntry, fleetKey, fleetWriteFor, type FleetWrite } from "./fleet-store.ts";

/*
 * Writes the isolate's counts to the fleet hash (fleet-store.ts) at most once
 * per FLEET_STATS_INTERVAL_MS, from a request's waitUntil (Workers have no
 * timers outside a request): the request path only asks `due(now)`, one
 * comparison. Each write is one HSET of the isolate's whole counts since its
 * field began, so:
 *
 * - exact: a write that is retried, or lands twice, sets the same field to the
 *   same or a larger value; nothing is ever added twice. An isolate evicted
 *   loses only what it counted since its last write.
 * - monotonic: a field only grows while its isolate writes it; a reader folds
 *   a field that stopped changing into `_retired` atomically (fleet-fold.ts),
 *   so the sum never goes down.
 * - ordered: one write at a time per isolate. After a write whose outcome is
 *   unknown (a timeout: it may still land), or after the isolate was quiet
 *   for half the fold age (its field may have been folded), the isolate moves
 *   to a new field holding only what it counted since: the old field is
 *   never written again, so a late write cannot make it go backwards and a
 *   folded field is never counted again. What that timed-out write carried
 *   is taken as written: if it never landed, up to one interval is lost.
 */

/** What the flush reads besides the traffic counters, for the bindings of the request that triggers it. */
export interface FleetSource {
  readonly config: RouterConfig;
  readonly cacheStats: RouteCacheStats | null;
  readonly dashboardCommands: () => number;
}

/** How a write ended: landed, surely not landed (the store answered with an error, or refused the connection), or unknown. */
export type WriteOutcome = "written" | "not-written" | "unknown";

/** One write ready to send: the caller sends it (alone, or in the dashboard's pipeline) and says how it went. */
export interface PendingWrite {
  readonly key: string;
  readonly field: string;
  readonly value: string;
  settle(outcome: WriteOutcome): void;
}

export interface FleetFlusher {
  /** Whether the interval has passed: the only call on the request path. */
  due(now: number): boolean;
  /** Nothing is to be written for these bindings (FLEET_STATS_INTERVAL_MS=0): ask again in a minute, not per request. */
  rest(now: number): void;
  /** The write to send now, or null (one is in flight, or nothing changed since the last). */
  prepare(source: FleetSource, now: number): PendingWrite | null;
  /** prepare + HSET + settle: what waitUntil runs. Never rejects. */
  flush(source: FleetSource, now: number, write?: FleetWrite): Promise<void>;
  /** HSETs this isolate sent (each is one command Upstash bills). */
  readonly commands: number;
}

export interface FleetFlusherOptions {
  readonly counters?: TrafficCounters;
  /** A new field's name; random, so two isolates never share one. */
  readonly newField?: () => string;
}

/**
 * How long a field may go unwritten before a reader folds it into `_retired`:
 * ten intervals, and at least ten minutes. A live isolate that was quiet for
 * half of it starts a new field, so clocks may differ by up to half of it.
 */
export function foldAfterMs(intervalMs: number): number {
  return Math.max(10 * intervalMs, 600_000);
}

/** An isolate's first write, after its first request: then every interval. */
const FIRST_WRITE_AFTER_MS = 1000;

export function createFleetFlusher(options: FleetFlusherOptions = {}): FleetFlusher {
  const counters = options.counters ?? isolateTraffic;
  const newField = options.newField ?? (() => crypto.randomUUID());
  let field = "";
  /** Counted before this field began (written to earlier fields). */
  let base: FleetCounts = emptyCounts();
  /** The isolate's totals in the last write to this field that landed or may have. */
  let landed: FleetCounts | null = null;
  let lastSuccessAt = 0;
  let unknown = false;
  let lastSent = "";
  let inFlight = false;
  let nextAt = 0;
  let commands = 0;

  function startField(from: FleetCounts): void {
    field = newField();
    base = from;
    landed = null;
    lastSuccessAt = 0;
    unknown = false;
    lastSent = "";
  }

  const flusher: FleetFlusher = {
    due(now) {
      if (nextAt === 0) nextAt = now + FIRST_WRITE_AFTER_MS;
      return now >= nextAt;
    },
    rest(now) {
      nextAt = now + 60_000;
    },
    prepare(source, now) {
      const { fleetStatsIntervalMs: interval } = source.config;
      // Set first: requests during a write in flight do not ask again.
      nextAt = now + interval;
      if (inFlight) return null;
      const totals = countsOf(
        counters,
        {
          cacheStats: source.cacheStats,
          dashboardCommands: source.dashboardCommands(),
          // This write included: what the field says is what was sent.
          statsCommands: commands + 1,
        },
        now,
      );
      const quiet = lastSuccessAt > 0 && now - lastSuccessAt >= foldAfterMs(interval) / 2;
      if (field === "") startField(emptyCounts());
      else if (unknown || quiet) startField(landed ?? base);
      const counts = subtractCounts(totals, base);
      // Minutes age out by themselves: only a new count is worth a command.
      const changed = JSON.stringify([counts.hosts, counts.latency, counts.cache, counts.store.slice(0, -1)]);
      if (changed === lastSent || (lastSent === "" && landed === null && noRequests(counts))) {
        return null;
      }
      inFlight = true;
      return {
        key: fleetKey(source.config),
        field,
        value: encodeEntry({ at: now, counts }),
        settle(outcome) {
          inFlight = false;
          commands++;
          if (outcome === "not-written") return;
          landed = totals;
          if (outcome === "unknown") {
            unknown = true;
            return;
          }
          lastSuccessAt = now;
          lastSent = changed;
        },
      };
    },
    async flush(source, now, write) {
      const pending = flusher.prepare(source, now);
      if (!pending) return;
      try {
        await (write ?? fleetWriteFor(source.config))(pending.key, pending.field, pending.value);
        pending.settle("written");
      } catch (error) {
        pending.settle(outcomeOf(error));
      }
    },
    get commands() {
      return commands;
    },
  };
  return flusher;
}

/**
 * Whether a failed write may still have landed. The store answering with an
 * error (UpstashError) or a refused connection means it did not; a timeout
 * or a connection lost midway leaves it unknown.
 */
export function outcomeOf(error: unknown): WriteOutcome {
  if (!(error instanceof Error)) return "unknown";
  if (error.name === "UpstashError") return "not-written";
  const cause: unknown = error.cause;
  if (cause instanceof Error && "code" in cause && cause.code === "ECONNREFUSED") return "not-written";
  return "unknown";
}

/** The isolate's flusher, shared by every request it serves. */
export const isolateFleet: FleetFlusher = createFleetFlusher();
