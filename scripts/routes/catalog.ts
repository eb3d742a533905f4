/**
 * Reads route keys for the CLI: what each one holds, parsed by the worker's
 * own parser, so `ls`, `get` and `export` show exactly what the router sees.
 */
import type { Redis } from "@upstash/redis";
import { DEAD_PREFIX, HIPACHE_PREFIX, parseHostPattern, type KeyFormat } from "../../src/lookup/patterns.ts";
import { type RouteSpec } from "../../src/route-value/route.ts";
import { RouteSyntaxError } from "../../src/route-value/route-syntax-error.ts";
import { parseHipacheList, parseRouteValue } from "../../src/route-value/value.ts";

export interface RouteKey {
  /** The host pattern, without prefix: `app.example.com`, `*.example.com`, `*`. */
  readonly host: string;
  readonly key: string;
  readonly format: KeyFormat;
}

export interface StoredRoute extends RouteKey {
  /** Redis TYPE: `string`, `list`, `hash`, … */
  readonly type: string;
  /** The string, or the list's elements; null when the key holds another type. */
  readonly raw: string | readonly string[] | null;
  /** Seconds left, or null when the key does not expire. */
  readonly ttl: number | null;
  readonly spec: RouteSpec | null;
  /** What the router would log for this key; null when it is a valid route. */
  readonly problem: string | null;
}

/** Keys per pipeline request, so a large database is read in bounded requests. */
const BATCH = 500;

/** The key a host's route of this format lives under. */
export function routeKey(host: string, prefix: string, format: KeyFormat): RouteKey {
  return { host, key: prefix + (format === "hipache" ? HIPACHE_PREFIX : "") + host, format };
}

/** Both keys that may hold a host's route, in precedence order. */
export function routeKeys(host: string, prefix: string): RouteKey[] {
  return [routeKey(host, prefix, "string"), routeKey(host, prefix, "hipache")];
}

/** What the keys hold (TYPE, value, PTTL in one pipeline per batch); keys that do not exist are left out. */
export async function readRoutes(redis: Redis, keys: readonly RouteKey[]): Promise<StoredRoute[]> {
  const routes: StoredRoute[] = [];
  for (let start = 0; start < keys.length; start += BATCH) {
    const batch = keys.slice(start, start + BATCH);
    const pipeline = redis.pipeline();
    for (const { key, format } of batch) {
      pipeline.type(key);
      if (format === "string") pipeline.get(key);
      else pipeline.lrange(key, 0, -1);
      pipeline.pttl(key);
    }
    const replies = await pipeline.exec({ keepErrors: true });
    batch.forEach((routeKey, i) => {
      const [type, value, pttl] = replies.slice(i * 3, i * 3 + 3);
      const typeName = String(type?.result ?? "none");
      if (typeName === "none") return;
      routes.push(classify(routeKey, typeName, value?.error ? null : (value?.result ?? null), Number(pttl?.result)));
    });
  }
  return routes;
}

function classify(routeKey: RouteKey, type: string, value: unknown, pttl: number): StoredRoute {
  const ttl = pttl > 0 ? Math.ceil(pttl / 1000) : null;
  const expected = routeKey.format === "string" ? "string" : "list";
  if (type !== expected) {
    const problem =
      routeKey.format === "hipache"
        ? `holds a Redis ${type}, not a list (Hipache's frontend:<host>): the router answers 502`
        : `holds a Redis ${type}, not a string: the router skips it, as if it did not exist`;
    return { ...routeKey, type, raw: null, ttl, spec: null, problem };
  }
  const raw = routeKey.format === "string" ? String(value ?? "") : (value as unknown[]).map(String);
  try {
    const spec = typeof raw === "string" ? parseRouteValue(raw) : parseHipacheList(raw);
    return { ...routeKey, type, raw, ttl, spec, problem: null };
  } catch (error) {
    if (!(error instanceof RouteSyntaxError)) throw error;
    return { ...routeKey, type, raw, ttl, spec: null, problem: error.message };
  }
}

/**
 * Every route key under the prefix whose host matches `pattern` (a Redis
 * glob), found with SCAN (never KEYS, which blocks the server), sorted by host.
 * Keys whose name is not a host pattern, and Hipache's `dead:` sets, are not routes.
 */
export async function scanRoutes(redis: Redis, prefix: string, pattern: string): Promise<StoredRoute[]> {
  const escaped = prefix.replace(/[*?[\]\\]/g, "\\$&");
  const keys = new Map<string, RouteKey>();
  for (const [match, format] of [
    [escaped + pattern, "string"],
    [escaped + HIPACHE_PREFIX + pattern, "hipache"],
  ] as const) {
    let cursor = "0";
    do {
      const [next, found] = (await redis.scan(cursor, { match, count: 1000 })) as [string | number, string[]];
      cursor = String(next);
      for (const key of found) {
        const host = hostOf(key.slice(prefix.length), format);
        if (host !== null && !keys.has(key)) keys.set(key, { host, key, format });
      }
    } while (cursor !== "0");
  }
  const routes = await readRoutes(redis, [...keys.values()]);
  return routes.sort((a, b) => a.host.localeCompare(b.host) || a.format.localeCompare(b.format));
}

function hostOf(name: string, format: KeyFormat): string | null {
  if (name.startsWith(DEAD_PREFIX)) return null;
  if (format === "string" && name.startsWith(HIPACHE_PREFIX)) return null;
  const host = format === "hipache" ? name.slice(HIPACHE_PREFIX.length) : name;
  try {
    return parseHostPattern(host) === host ? host : null;
  } catch {
    return null;
  }
}
