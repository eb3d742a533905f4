import { clip } from "../lib/clip.ts";
import type { RouterConfig } from "../config.ts";
import { isolateTraffic } from "../metrics/index.ts";
import { isolateDownMarks } from "../dispatch/index.ts";
import { DEAD_PREFIX } from "../lookup/index.ts";
import { escapeGlob, scanStep, type AdminStore } from "./store.ts";

export interface HealthReport {
  /** A PING from this isolate, now. */
  readonly store: { readonly reachable: boolean; readonly ms: number | null; readonly error: string | null };
  /** The last route-store failure a request of this isolate ran into. */
  readonly lastFailure: { readonly at: string; readonly detail: string } | null;
  /** Requests of this isolate that failed on the store (503). */
  readonly storeErrors: number;
  /** Backends this isolate skips while another is up (refused or timed out lately). */
  readonly isolateMarks: readonly { readonly origin: string; readonly until: string }[];
  readonly sharedDownMarks: boolean;
  /** Hipache's `dead:<pattern>` sets: what every isolate reads (SHARED_DOWN_MARKS). */
  readonly deadSets: readonly {
    readonly key: string;
    readonly members: readonly string[];
    readonly ttl: number | null;
  }[];
  /** True when there were more sets than shown. */
  readonly deadSetsCut: boolean;
  readonly commands: number;
}

const MAX_SETS = 100;
const MAX_STEPS = 10;

export async function healthReport(store: AdminStore, config: RouterConfig): Promise<HealthReport> {
  const now = Date.now();
  let commands = 1;
  const ping = await pingStore(store);
  const failure = isolateTraffic.lastStoreFailure;
  const base = {
    store: ping,
    lastFailure: failure && { at: new Date(failure.at).toISOString(), detail: failure.detail },
    storeErrors: isolateTraffic.storeErrors,
    isolateMarks: isolateDownMarks
      .list(now)
      .map(({ origin, until }) => ({ origin, until: new Date(until).toISOString() })),
    sharedDownMarks: config.sharedDownMarks,
  };
  if (!ping.reachable) return { ...base, deadSets: [], deadSetsCut: false, commands };
  const keys: string[] = [];
  let cursor = "0";
  for (let step = 0; step < MAX_STEPS && keys.length < MAX_SETS; step++) {
    const found = await scanStep(store, cursor, `${escapeGlob(config.keyPrefix)}${DEAD_PREFIX}*`, 200);
    commands++;
    keys.push(...found.keys);
    cursor = found.next;
    if (cursor === "0") break;
  }
  const shown = keys.slice(0, MAX_SETS).sort();
  if (shown.length === 0) return { ...base, deadSets: [], deadSetsCut: false, commands };
  const pipeline = store.redis.pipeline();
  for (const key of shown) pipeline.smembers(key).pttl(key);
  store.count(shown.length * 2);
  commands += shown.length * 2;
  const replies = (await pipeline.exec({ keepErrors: true })) as { result?: unknown }[];
  const deadSets = shown.map((key, i) => {
    const members = replies[i * 2]?.result;
    const pttl = Number(replies[i * 2 + 1]?.result);
    return {
      key,
      members: Array.isArray(members) ? members.map(String).sort() : [],
      ttl: pttl > 0 ? Math.ceil(pttl / 1000) : null,
    };
  });
  return { ...base, deadSets, deadSetsCut: cursor !== "0" || keys.length > MAX_SETS, commands };
}

async function pingStore(store: AdminStore): Promise<HealthReport["store"]> {
  const started = Date.now();
  store.count(1);
  try {
    await store.redis.ping();
    return { reachable: true, ms: Date.now() - started, error: null };
  } catch (error) {
    return { reachable: false, ms: null, error: clip(error instanceof Error ? error.message : String(error), 300) };
  }
}
