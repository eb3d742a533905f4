import type { Redis } from "@upstash/redis/cloudflare";
import { upstashClient } from "../lib/upstash-client.ts";
import type { RouterConfig } from "../config.ts";
import { createUpstashRouteStore, type RouteStore } from "../lookup/index.ts";

/**
 * The dashboard's own Redis client (SCAN, PTTL, SMEMBERS, PING: commands the
 * request path never sends), kept apart from the router's store so reading
 * the dashboard can never change how requests are routed. Every command it
 * sends is counted: that is the dashboard's cost, shown on its pages and in
 * /metrics.
 */
export interface AdminStore {
  readonly redis: Redis;
  /** The router's own store code, for the host tester (resolveRoute), counted too. */
  readonly routeStore: RouteStore;
  /** Adds `n` commands to the dashboard's count. */
  count(n: number): void;
}

/** Commands the dashboard sent from this isolate. */
export const adminCommands = { sent: 0 };

const stores = new WeakMap<RouterConfig, AdminStore>();

export function adminStoreFor(config: RouterConfig): AdminStore {
  const existing = stores.get(config);
  if (existing) return existing;
  const count = (n: number) => {
    adminCommands.sent += n;
  };
  // As the router's store: no retries (a page waits at most the timeout), raw strings.
  const redis = upstashClient({
    url: config.redisUrl,
    token: config.redisToken,
    timeoutMs: Math.max(config.lookupTimeoutMs, 5000),
  });
  const inner = createUpstashRouteStore({
    url: config.redisUrl,
    token: config.redisToken,
    timeoutMs: Math.max(config.lookupTimeoutMs, 5000),
  });
  const routeStore: RouteStore = {
    read(reads) {
      count(reads.length);
      return inner.read(reads);
    },
    // The dashboard is read-only: it never marks or clears anything.
    markDown: () => Promise.resolve(),
    clearDown: () => Promise.resolve(),
  };
  const store: AdminStore = { redis, routeStore, count };
  stores.set(config, store);
  return store;
}

/** A Redis glob that matches `text` literally. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

/** One SCAN step's keys and the cursor to go on from ("0": done). */
export async function scanStep(
  store: AdminStore,
  cursor: string,
  match: string,
  count: number,
): Promise<{ next: string; keys: string[] }> {
  store.count(1);
  const [next, keys] = (await store.redis.scan(cursor, { match, count })) as [string | number, string[]];
  return { next: String(next), keys };
}
