import { upstashClient } from "../lib/upstash-client.ts";
import type { RouterConfig } from "../config.ts";
import { emptyCounts, parseCounts, type FleetCounts } from "./fleet-counts.ts";

/*
 * Where the fleet's counts live: ONE Redis hash, `<ROUTE_KEY_PREFIX>fleet:stats`.
 * Each field is one isolate's counts since it started (a JSON value written
 * whole with HSET: one command, and idempotent), plus `_retired`, the sum of
 * isolates gone quiet, folded in by a reader (fleet-fold.ts) so the hash does
 * not grow with every isolate that ever ran. The fleet's figures are the sum
 * of every field: one HGETALL, whatever the number of isolates.
 */

/** The hash's name: under the route prefix, so routers sharing a database with other prefixes never mix. */
export function fleetKey(config: RouterConfig): string {
  return `${config.keyPrefix}fleet:stats`;
}

/** The field holding the isolates folded away. */
export const RETIRED_FIELD = "_retired";

/** One field's value: the counts and when they were written (the writer's clock, epoch ms). */
export interface FleetEntry {
  readonly at: number;
  readonly counts: FleetCounts;
}

export function encodeEntry(entry: FleetEntry): string {
  return JSON.stringify({ v: 1, at: entry.at, counts: entry.counts });
}

/** A field's value, or null when it is not one this version wrote. */
export function decodeEntry(raw: unknown): FleetEntry | null {
  if (typeof raw !== "string") return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { v, at, counts } = value as Record<string, unknown>;
  const parsed = parseCounts(counts);
  if (v !== 1 || typeof at !== "number" || parsed === null) return null;
  return { at, counts: parsed };
}

export const emptyEntry = (): FleetEntry => ({ at: 0, counts: emptyCounts() });

/** Writes one field; what fleet-flush.ts needs of the store (a test may pass its own). */
export type FleetWrite = (key: string, field: string, value: string) => Promise<void>;

const clients = new WeakMap<RouterConfig, FleetWrite>();

/**
 * HSET over the Upstash REST API, with the route store's settings: no
 * retries (a write that fails is sent again, whole, at the next interval),
 * raw strings, a timeout per request.
 */
export function fleetWriteFor(config: RouterConfig): FleetWrite {
  const existing = clients.get(config);
  if (existing) return existing;
  const redis = upstashClient({
    url: config.redisUrl,
    token: config.redisToken,
    timeoutMs: Math.max(config.lookupTimeoutMs, 5000),
  });
  const write: FleetWrite = async (key, field, value) => {
    await redis.hset(key, { [field]: value });
  };
  clients.set(config, write);
  return write;
}
