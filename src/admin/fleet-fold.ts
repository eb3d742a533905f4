import { addCounts, HISTORY_MINUTES } from "../metrics/index.ts";
import { encodeEntry, RETIRED_FIELD, type FleetEntry } from "../metrics/index.ts";
import type { AdminStore } from "./store.ts";

/*
 * Folding: a field no isolate has written for foldAfterMs (its isolate was
 * evicted, or has moved to a new field) is added to `_retired` and deleted,
 * so the hash holds about one field per live isolate. The sum of the hash is
 * unchanged by a fold, so the fleet's counters never go down.
 *
 * The reader computes the new `_retired` and a small script swaps it in only
 * if `_retired` and every folded field still hold exactly what the reader
 * read: two readers folding at once, or an isolate writing meanwhile, make
 * the later fold a no-op instead of counting a field twice. The script needs
 * no JSON inside Redis (plain string comparison), so it runs the same on
 * Upstash and a local redis-server. Upstash bills it as 4 commands (EVAL,
 * HMGET, HSET, HDEL) and runs it under its global lock, briefly; it runs only
 * when a read finds stale fields, at most once per read.
 */
export const FOLD_SCRIPT = `
local fields = {'${RETIRED_FIELD}'}
local expected = {ARGV[2]}
for i = 3, #ARGV, 2 do
  fields[#fields + 1] = ARGV[i]
  expected[#expected + 1] = ARGV[i + 1]
end
local current = redis.call('HMGET', KEYS[1], unpack(fields))
for i = 1, #fields do
  local value = current[i]
  if value == false then value = '' end
  if value ~= expected[i] then return 0 end
end
redis.call('HSET', KEYS[1], '${RETIRED_FIELD}', ARGV[1])
redis.call('HDEL', KEYS[1], unpack(fields, 2))
return 1
`;

/** Commands Upstash bills for one fold: EVAL itself and the three inside. */
export const FOLD_COMMANDS = 4;
/** Fields folded at most per script run (the rest wait for the next read). */
const MAX_FOLDED = 100;

export interface StaleField {
  readonly field: string;
  /** The value as read, compared again inside the script. */
  readonly raw: string;
  readonly entry: FleetEntry;
}

/**
 * Folds `stale` into `_retired` (as read: `retiredRaw`, "" when absent).
 * Resolves true when the swap happened, false when something changed first.
 */
export async function foldStale(
  store: AdminStore,
  key: string,
  retired: { readonly raw: string; readonly entry: FleetEntry },
  stale: readonly StaleField[],
  now: number,
): Promise<boolean> {
  const batch = stale.slice(0, MAX_FOLDED);
  const sinceMinute = Math.floor(now / 60_000) - HISTORY_MINUTES + 1;
  const counts = structuredClone(retired.entry.counts);
  // addCounts also drops `_retired`'s minutes older than the last hour.
  for (const { entry } of batch) addCounts(counts, entry.counts, sinceMinute);
  const args = [encodeEntry({ at: now, counts }), retired.raw, ...batch.flatMap((s) => [s.field, s.raw])];
  store.count(FOLD_COMMANDS);
  const result = await store.redis.eval(FOLD_SCRIPT, [key], args);
  return Number(result) === 1;
}
