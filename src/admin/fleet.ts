import type { RouterConfig } from "../config.ts";
import { addCounts, emptyCounts, HISTORY_MINUTES, type FleetCounts } from "../metrics/index.ts";
import { foldAfterMs, isolateFleet, outcomeOf, type FleetFlusher, type FleetSource } from "../metrics/index.ts";
import { decodeEntry, emptyEntry, fleetKey, RETIRED_FIELD } from "../metrics/index.ts";
import { foldStale, type StaleField } from "./fleet-fold.ts";
import type { AdminStore } from "./store.ts";

/** The fleet's counts as one read found them: the sum of every isolate's field and `_retired`. */
export interface FleetRead {
  /** null when the store could not be read (then `counts` is empty). */
  readonly problem: string | null;
  readonly counts: FleetCounts;
  /** Fields written within the last two intervals: isolates counting now. */
  readonly reporting: number;
  /** Isolate fields in the hash (live or not yet folded). */
  readonly fields: number;
  readonly intervalMs: number;
  /** Redis commands this read cost the dashboard (the isolate's own stats write is counted as a stats command). */
  readonly commands: number;
}

export interface ReadOptions {
  /** Runs the fold after the response (ctx.waitUntil). */
  readonly waitUntil: (promise: Promise<unknown>) => void;
  /** This isolate's own counts are written first, in the same round trip, so the answering isolate is never behind. */
  readonly source: FleetSource | null;
  readonly now?: number;
  readonly flusher?: FleetFlusher;
}

/**
 * One round trip: this isolate's pending HSET (if any) and one HGETALL of
 * the fleet hash, whatever the number of isolates. Stale fields found are
 * folded afterwards (fleet-fold.ts).
 */
export async function readFleet(store: AdminStore, config: RouterConfig, options: ReadOptions): Promise<FleetRead> {
  const { now = Date.now(), flusher = isolateFleet } = options;
  const key = fleetKey(config);
  const intervalMs = config.fleetStatsIntervalMs;
  const pending = options.source ? flusher.prepare(options.source, now) : null;
  const pipeline = store.redis.pipeline();
  if (pending) pipeline.hset(key, { [pending.field]: pending.value });
  pipeline.hgetall(key);
  store.count(1);
  let replies: { result?: unknown; error?: string | undefined }[];
  try {
    replies = await pipeline.exec({ keepErrors: true });
  } catch (error) {
    pending?.settle(outcomeOf(error));
    const problem = error instanceof Error ? error.message : String(error);
    return { problem, counts: emptyCounts(), reporting: 0, fields: 0, intervalMs, commands: 1 };
  }
  if (pending) pending.settle(replies[0]?.error ? "not-written" : "written");
  const reply = replies[pending ? 1 : 0];
  if (!reply || reply.error) {
    const problem = `HGETALL ${key}: ${reply?.error ?? "no reply"}`;
    return { problem, counts: emptyCounts(), reporting: 0, fields: 0, intervalMs, commands: 1 };
  }
  const sinceMinute = Math.floor(now / 60_000) - HISTORY_MINUTES + 1;
  const counts = emptyCounts();
  const staleBefore = now - foldAfterMs(intervalMs);
  const stale: StaleField[] = [];
  let retired = { raw: "", entry: emptyEntry() };
  let reporting = 0;
  let fields = 0;
  for (const [field, raw] of pairsOf(reply.result)) {
    const entry = decodeEntry(raw);
    if (entry === null) continue; // another version's value: left alone, never summed
    addCounts(counts, entry.counts, sinceMinute);
    if (field === RETIRED_FIELD) {
      retired = { raw, entry };
      continue;
    }
    fields++;
    if (entry.at >= now - 2 * intervalMs) reporting++;
    if (entry.at < staleBefore) stale.push({ field, raw, entry });
  }
  let commands = 1;
  if (stale.length > 0) {
    options.waitUntil(foldStale(store, key, retired, stale, now).catch(() => false));
    commands += 4;
  }
  return { problem: null, counts, reporting, fields, intervalMs, commands };
}

/** HGETALL's reply: a flat [field, value, …] array over REST, or an object. */
function pairsOf(result: unknown): [string, string][] {
  if (Array.isArray(result)) {
    const pairs: [string, string][] = [];
    for (let i = 0; i + 1 < result.length; i += 2) pairs.push([String(result[i]), String(result[i + 1])]);
    return pairs;
  }
  if (typeof result === "object" && result !== null) {
    return Object.entries(result).map(([field, value]) => [
      field,
      typeof value === "string" ? value : JSON.stringify(value),
    ]);
  }
  return [];
}
