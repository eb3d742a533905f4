import type { CacheOutcome } from "./cache/index.ts";
import type { RequestTarget } from "./receive/index.ts";

/*
 * A request's state, in one typed place: set through Hono's context
 * (`c.set`/`c.get`), read by the access log, the counters and the handler.
 */

/** How the route lookup ended, for the access log. */
export type LookupOutcome =
  | "hit" // a route was found
  | "miss" // no route: answered with the no-route status
  | "fallback" // no route: sent to the fallback upstream
  | "invalid" // the stored value cannot be used
  | "error" // the route store failed or timed out
  | "skipped"; // refused before the lookup (bad Host, loop, configuration)

/** What the handler learns about a request as it goes; logged at the end. */
export interface RequestFacts {
  /** The normalised host, once the Host header has been read and found valid. */
  host: string | null;
  /**
   * The host pattern of the route key that matched (`app.example.com`,
   * `*.example.com`, `*`), once a route is found: what the counters label a
   * request with, so their labels follow the routes, not the names clients send.
   */
  routeKey: string | null;
  hops: number;
  lookup: LookupOutcome;
  /** How the route cache answered (hit, miss, stale, error, refused by the lookup budget); null before the lookup. */
  cache: CacheOutcome | null;
  /** The chosen upstream (`http://10.0.0.7:5000`), once there is one. */
  upstream: string | null;
  lookupMs: number | null;
  /** Until the upstream's response headers (the body may still be streaming). */
  upstreamMs: number | null;
  /** Debug setting: whether the upstream may be named in responses. */
  exposeUpstream: boolean;
  /** The real client address, once the handler has resolved it (undefined: not yet; null: none). */
  clientIp: string | null | undefined;
  /** The request is the dashboard's (ADMIN_HOST), never routed. */
  dashboard: boolean;
}

export function newRequestFacts(): RequestFacts {
  return {
    host: null,
    routeKey: null,
    hops: 0,
    lookup: "skipped",
    cache: null,
    upstream: null,
    lookupMs: null,
    upstreamMs: null,
    exposeUpstream: false,
    clientIp: undefined,
    dashboard: false,
  };
}

/** The context variables the middleware provides to the handler. */
export interface RequestVariables {
  /** Made on first use: most requests never show it (no error) nor log it (sampled out). */
  requestId: () => string;
  facts: RequestFacts;
  /**
   * The request URL split once (origin, path, query), for the log and the
   * handler alike; its path is made canonical by the request guards
   * (receive/canonical-path.ts), and the log keeps the path as received.
   */
  target: RequestTarget;
}
