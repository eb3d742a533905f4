import { ConfigError } from "./errors.ts";
import type { EncodedCharacterPolicy } from "./receive/index.ts";
import { parseClientAddressing, type ClientAddressing } from "./receive/index.ts";
import {
  DEFAULT_PRIVATE_RANGES,
  parsePrivateRanges,
  type FetchFunction,
  type Network,
  type NetworkSetup,
} from "./route-value/index.ts";
import { parseUpstreamAs, type Upstream } from "./route-value/index.ts";

/** Everything the worker reads from its environment, parsed once. */
export interface RouterConfig {
  readonly redisUrl: string;
  readonly redisToken: string;
  readonly keyPrefix: string;
  readonly lookupTimeoutMs: number;
  readonly upstreamTimeoutMs: number;
  readonly noRouteStatus: number;
  /** Where a host with no route is sent instead of answering noRouteStatus. */
  readonly fallbackUpstream: Upstream | null;
  /** How many routers a request may have passed before it is a loop (508). */
  readonly maxHops: number;
  /** Share of requests written to the access log: 1 all, 0 none. */
  readonly accessLogSampleRate: number;
  /** Debug: name the chosen upstream in an `X-Upstream` response header. */
  readonly exposeUpstream: boolean;
  /** Add the route lookup as a Server-Timing metric (costs a copy of each response). */
  readonly serverTiming: boolean;
  /** How many backends one request may try before it fails (failover). */
  readonly upstreamTries: number;
  /** How long a backend that refused or timed out is skipped while another is up. */
  readonly backendDownMs: number;
  /** Also read Hipache's `frontend:<host>` lists (one more command per candidate pattern); off by default. */
  readonly hipacheRoutes: boolean;
  /** Also record down marks in Redis (Hipache's `dead:<pattern>` sets) so other isolates learn of them. */
  readonly sharedDownMarks: boolean;
  /** The route cache (src/cache/route-cache.ts); 0 entries turns it off. */
  readonly routeCacheSize: number;
  readonly routeCacheTtlMs: number;
  readonly routeCacheNegativeTtlMs: number;
  readonly routeCacheStaleWhileRevalidateMs: number;
  readonly routeCacheMaxStaleMs: number;
  readonly routeStoreErrorLogIntervalMs: number;
  /** "No route" and invalid values kept apart from routes (the miss set). */
  readonly missCacheSize: number;
  /** Cold lookups per second and per isolate; 0 = no budget. */
  readonly lookupBudgetPerSecond: number;
  readonly lookupBudgetBurst: number;
  /** How long a cold lookup waits for others to share its round trip. */
  readonly coldLookupBatchWindowMs: number;
  /** Hosts per round trip at most (refresh or cold batch). */
  readonly routeRefreshBatchSize: number;
  /** A route unused for this long is no longer refreshed. */
  readonly routeRefreshIdleMs: number;
  /** Where the real client address comes from (CLIENT_ADDRESS, TRUSTED_PROXIES). */
  readonly clientAddress: ClientAddressing;
  /** How often each isolate writes its counts for the fleet's figures (src/metrics/fleet-flush.ts). */
  readonly fleetStatsIntervalMs: number;
  /** Encoded characters a request path may carry (ALLOW_ENCODED_*); all refused by default. */
  readonly encodedCharacters: EncodedCharacterPolicy;
  /** A rate limit counts an IPv6 client by its network of this many bits (RATE_LIMIT_IPV6_PREFIX). */
  readonly rateLimitIpv6Prefix: number;
  /** Keys the sticky cookies' HMAC: STICKY_SECRET, else the store token (dispatch/sticky.ts says why). */
  readonly stickySecret: string;
  /**
   * PRIVATE_NETWORK_RANGES and the worker's bindings that have a fetch()
   * (a `[[vpc_networks]]` binding, a service binding): which way each
   * backend goes (route-value/network.ts, lookup/bind-networks.ts).
   */
  readonly networks: NetworkSetup;
}

/** The bindings, read by name: vars are strings, anything else is ignored. */
type Bindings = Readonly<Partial<Record<string, unknown>>>;

const parsed = new WeakMap<object, RouterConfig>();

/**
 * Reads and validates the configuration. Secrets that are missing fail every
 * request with a message that says which one, rather than an opaque fetch error.
 */
export function readConfig(bindings: object): RouterConfig {
  const cached = parsed.get(bindings);
  if (cached) return cached;
  const env = bindings as Bindings;
  const config: RouterConfig = {
    redisUrl: required(env, "UPSTASH_REDIS_REST_URL"),
    redisToken: required(env, "UPSTASH_REDIS_REST_TOKEN"),
    keyPrefix: text(env, "ROUTE_KEY_PREFIX", ""),
    lookupTimeoutMs: integer(env, "LOOKUP_TIMEOUT_MS", 1000, 1, 60_000),
    upstreamTimeoutMs: integer(env, "UPSTREAM_TIMEOUT_MS", 30_000, 1, 600_000),
    noRouteStatus: integer(env, "NO_ROUTE_STATUS", 403, 400, 599),
    fallbackUpstream: upstream(env, "FALLBACK_UPSTREAM"),
    maxHops: integer(env, "MAX_HOPS", 5, 0, 100),
    accessLogSampleRate: fraction(env, "ACCESS_LOG_SAMPLE_RATE", 0.01),
    exposeUpstream: boolean(env, "DEBUG_EXPOSE_UPSTREAM", false),
    serverTiming: boolean(env, "SERVER_TIMING", false),
    upstreamTries: integer(env, "UPSTREAM_TRIES", 3, 1, 10),
    backendDownMs: integer(env, "BACKEND_DOWN_MS", 30_000, 1, 3_600_000),
    sharedDownMarks: boolean(env, "SHARED_DOWN_MARKS", false),
    routeCacheSize: integer(env, "ROUTE_CACHE_SIZE", 10_000, 0, 1_000_000),
    routeCacheTtlMs: integer(env, "ROUTE_CACHE_TTL_MS", 5_000, 1, 86_400_000),
    routeCacheNegativeTtlMs: integer(env, "ROUTE_CACHE_NEGATIVE_TTL_MS", 1_000, 1, 86_400_000),
    routeCacheStaleWhileRevalidateMs: integer(env, "ROUTE_CACHE_STALE_WHILE_REVALIDATE_MS", 1_000, 0, 86_400_000),
    routeCacheMaxStaleMs: integer(env, "ROUTE_CACHE_MAX_STALE_MS", 3_600_000, 0, 604_800_000),
    routeStoreErrorLogIntervalMs: integer(env, "ROUTE_STORE_ERROR_LOG_INTERVAL_MS", 10_000, 0, 86_400_000),
    hipacheRoutes: boolean(env, "HIPACHE_ROUTES", false),
    missCacheSize: integer(env, "MISS_CACHE_SIZE", 10_000, 1, 1_000_000),
    lookupBudgetPerSecond: integer(env, "LOOKUP_BUDGET_PER_SECOND", 50, 0, 100_000),
    lookupBudgetBurst: integer(env, "LOOKUP_BUDGET_BURST", 1_000, 1, 100_000),
    coldLookupBatchWindowMs: integer(env, "COLD_LOOKUP_BATCH_WINDOW_MS", 10, 0, 1_000),
    routeRefreshBatchSize: integer(env, "ROUTE_REFRESH_BATCH_SIZE", 2_000, 1, 10_000),
    routeRefreshIdleMs: integer(env, "ROUTE_REFRESH_IDLE_MS", 300_000, 0, 86_400_000),
    clientAddress: parseClientAddressing(text(env, "CLIENT_ADDRESS", ""), text(env, "TRUSTED_PROXIES", "")),
    fleetStatsIntervalMs: integer(env, "FLEET_STATS_INTERVAL_MS", 60_000, 0, 3_600_000),
    encodedCharacters: {
      allowEncodedSlash: boolean(env, "ALLOW_ENCODED_SLASH", false),
      allowEncodedBackSlash: boolean(env, "ALLOW_ENCODED_BACK_SLASH", false),
      allowEncodedNullCharacter: boolean(env, "ALLOW_ENCODED_NULL_CHARACTER", false),
      allowEncodedSemicolon: boolean(env, "ALLOW_ENCODED_SEMICOLON", false),
      allowEncodedPercent: boolean(env, "ALLOW_ENCODED_PERCENT", false),
      allowEncodedQuestionMark: boolean(env, "ALLOW_ENCODED_QUESTION_MARK", false),
      allowEncodedHash: boolean(env, "ALLOW_ENCODED_HASH", false),
    },
    rateLimitIpv6Prefix: integer(env, "RATE_LIMIT_IPV6_PREFIX", 64, 1, 128),
    stickySecret: text(env, "STICKY_SECRET", "").trim() || required(env, "UPSTASH_REDIS_REST_TOKEN"),
    networks: { privateRanges: privateRanges(env), bindings: fetchBindings(env) },
  };
  parsed.set(bindings, config);
  return config;
}

function text(env: Bindings, name: string, fallback: string): string {
  const value = env[name];
  return typeof value === "string" ? value : fallback;
}

function required(env: Bindings, name: string): string {
  const value = text(env, name, "").trim();
  if (value === "") {
    throw new ConfigError(
      name,
      "missing",
      `${name} is not set: run \`wrangler secret put ${name}\` (locally: put it in .dev.vars).`,
    );
  }
  return value;
}

function boolean(env: Bindings, name: string, fallback: boolean): boolean {
  const raw = text(env, name, "").trim().toLowerCase();
  if (raw === "") return fallback;
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw new ConfigError(name, "invalid", `${name} must be "true" or "false", not "${raw}".`);
}

function integer(env: Bindings, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name, "").trim();
  if (raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, "invalid", `${name} must be an integer from ${min} to ${max}, not "${raw}".`);
  }
  return value;
}

function fraction(env: Bindings, name: string, fallback: number): number {
  const raw = text(env, name, "").trim();
  if (raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new ConfigError(name, "invalid", `${name} must be a number from 0 to 1, not "${raw}".`);
  }
  return value;
}

/** An upstream in the route-value syntax; "" means none. */
function upstream(env: Bindings, name: string): Upstream | null {
  const raw = text(env, name, "").trim();
  if (raw === "") return null;
  return parseUpstreamAs(
    raw,
    (reason) => new ConfigError(name, "invalid", `${name} is not a valid upstream: ${reason}.`),
  );
}

function privateRanges(env: Bindings): NetworkSetup["privateRanges"] {
  const name = "PRIVATE_NETWORK_RANGES";
  const ranges = parsePrivateRanges(text(env, name, DEFAULT_PRIVATE_RANGES));
  if (typeof ranges === "string") {
    throw new ConfigError(name, "invalid", `${name} must list CIDR blocks: ${ranges}.`);
  }
  return ranges;
}

/**
 * Every binding with a fetch() (a Workers VPC Network is a Fetcher, as
 * `wrangler types` says), by name. Each is wrapped once here, so a request
 * calls it with no lookup: `env.NAME.fetch` needs its binding as `this`.
 */
function fetchBindings(env: Bindings): ReadonlyMap<string, Network> {
  const bindings = new Map<string, Network>();
  for (const [name, value] of Object.entries(env)) {
    const binding = value as { fetch?: unknown } | null | undefined;
    if (typeof binding?.fetch !== "function") continue;
    const fetcher = binding as { fetch: FetchFunction };
    bindings.set(name, { name, fetch: (url, init) => fetcher.fetch(url, init) });
  }
  return bindings;
}
