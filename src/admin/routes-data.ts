import { AGENT_MARKS_KEY, agentsOf, marksByHost } from "./agent-marks.ts";
import { DEAD_PREFIX, HIPACHE_PREFIX, parseHostPattern, type KeyFormat } from "../lookup/index.ts";
import type { RouteSpec } from "../route-value/index.ts";
import { parseHipacheList, parseRouteValue } from "../route-value/index.ts";
import { escapeGlob, scanStep, type AdminStore } from "./store.ts";

/** One route key as the router reads it. */
export interface RouteRow {
  /** The host pattern, without prefix: `app.example.com`, `*.example.com`, `*`. */
  readonly host: string;
  readonly key: string;
  readonly format: KeyFormat;
  /** Seconds left; null when the key does not expire. */
  readonly ttl: number | null;
  /** The stored string or list; null when the key holds another Redis type. */
  readonly raw: string | readonly string[] | null;
  readonly spec: RouteSpec | null;
  /** The validator's message (what the router logs with its 502); null for a valid route. */
  readonly problem: string | null;
  /** The container agents (`npm run docker`) that manage this route; null: none (agent-marks.ts). */
  readonly agents?: readonly string[] | null;
}

export interface RoutesPage {
  readonly routes: readonly RouteRow[];
  /** The SCAN cursor of the next page; null on the last. */
  readonly next: string | null;
  /** Redis commands this page cost. */
  readonly commands: number;
}

export interface PageOptions {
  readonly prefix: string;
  /** Text the key must contain; "" for every key. */
  readonly filter: string;
  readonly cursor: string;
  /** SCAN goes on until at least this many route keys are found (or the keyspace ends). */
  readonly pageSize?: number;
}

/** SCAN's COUNT: keys looked at per step. */
const SCAN_COUNT = 200;
/** A page with a rare filter stops after this many SCAN steps and offers the next. */
const MAX_STEPS = 25;
/** Longer Hipache lists are shown cut (the router reads them whole). */
const MAX_LIST = 1000;

/**
 * One page of route keys (SCAN, never KEYS, so a large database is read in
 * bounded steps), then their values and TTLs in one pipeline: SCAN steps
 * plus 2 commands per key, plus 1 HMGET: which of them a container agent manages.
 */
export async function routesPage(store: AdminStore, options: PageOptions): Promise<RoutesPage> {
  const { prefix, filter, pageSize = 50 } = options;
  const match = `${escapeGlob(prefix)}*${filter === "" ? "" : `${escapeGlob(filter)}*`}`;
  const found = new Map<string, { host: string; key: string; format: KeyFormat }>();
  let cursor = options.cursor;
  let commands = 0;
  for (let step = 0; step < MAX_STEPS && found.size < pageSize; step++) {
    const { next, keys } = await scanStep(store, cursor, match, SCAN_COUNT);
    commands++;
    for (const key of keys) {
      const route = routeKeyOf(key, prefix);
      if (route) found.set(key, route);
    }
    cursor = next;
    if (cursor === "0") break;
  }
  const keys = [...found.values()];
  const rows = keys.length === 0 ? [] : await readRows(store, keys, prefix);
  commands += keys.length === 0 ? 0 : keys.length * 2 + 1;
  rows.sort((a, b) => a.host.localeCompare(b.host) || a.format.localeCompare(b.format));
  return { routes: rows, next: cursor === "0" ? null : cursor, commands };
}

/** The host pattern and format a key holds a route for; null for keys that are not routes (`dead:` sets, …). */
function routeKeyOf(key: string, prefix: string): { host: string; key: string; format: KeyFormat } | null {
  if (!key.startsWith(prefix)) return null;
  const name = key.slice(prefix.length);
  if (name.startsWith(DEAD_PREFIX)) return null;
  const format: KeyFormat = name.startsWith(HIPACHE_PREFIX) ? "hipache" : "string";
  const host = format === "hipache" ? name.slice(HIPACHE_PREFIX.length) : name;
  try {
    return parseHostPattern(host) === host ? { host, key, format } : null;
  } catch {
    return null;
  }
}

type Reply = { result?: unknown; error?: string | undefined };

async function readRows(
  store: AdminStore,
  keys: readonly { host: string; key: string; format: KeyFormat }[],
  prefix: string,
) {
  const pipeline = store.redis.pipeline();
  for (const { key, format } of keys) {
    if (format === "string") pipeline.get(key);
    else pipeline.lrange(key, 0, MAX_LIST - 1);
    pipeline.pttl(key);
  }
  const hosts = keys.map((key) => key.host);
  pipeline.hmget(prefix + AGENT_MARKS_KEY, ...hosts);
  store.count(keys.length * 2 + 1);
  const replies = (await pipeline.exec({ keepErrors: true })) as Reply[];
  const marks = marksByHost(replies[keys.length * 2]?.result, hosts);
  const rows: RouteRow[] = [];
  keys.forEach((key, i) => {
    const value = replies[i * 2];
    const pttl = Number(replies[i * 2 + 1]?.result);
    const ttl = pttl > 0 ? Math.ceil(pttl / 1000) : null;
    const row = classify(key, value, ttl);
    if (row) rows.push({ ...row, agents: key.format === "string" ? agentsOf(marks.get(key.host), row.raw) : null });
  });
  return rows;
}

/** What the router makes of the key's value; null when it vanished since SCAN saw it. */
function classify(
  key: { host: string; key: string; format: KeyFormat },
  reply: Reply | undefined,
  ttl: number | null,
): RouteRow | null {
  const base = { ...key, ttl };
  if (reply?.error) {
    // As lookup.ts reads them: MGET skips a string key of another type, LRANGE fails the host.
    const problem =
      key.format === "string"
        ? "holds another Redis type than a string: the router skips it, as if it did not exist"
        : "holds another Redis type than a list (Hipache's frontend:<host>): the router answers 502";
    return { ...base, raw: null, spec: null, problem };
  }
  const value = reply?.result;
  if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) return null;
  const raw = Array.isArray(value) ? value.map(String) : String(value);
  try {
    const spec = typeof raw === "string" ? parseRouteValue(raw) : parseHipacheList(raw);
    return { ...base, raw, spec, problem: null };
  } catch (error) {
    return { ...base, raw, spec: null, problem: error instanceof Error ? error.message : String(error) };
  }
}

/** The kind as `routes ls` shows it: a JSON route that only redirects is called a redirect. */
export function kindOf(row: RouteRow): string {
  const spec = row.spec;
  if (!spec) return "invalid";
  if (spec.kind === "json" && spec.paths.length === 0 && spec.fallback?.type === "redirect") return "redirect";
  return spec.kind;
}
