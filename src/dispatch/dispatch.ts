import type { RouterConfig } from "../config.ts";
import { enforcePolicies } from "../policy/index.ts";
import type { RateLimiter } from "../policy/index.ts";
import type { UpstreamCall } from "../proxy/index.ts";
import type { ClientInfo } from "../receive/index.ts";
import type { RequestTarget } from "../receive/index.ts";
import { isolateDownMarks, type DownMarks } from "./down-marks.ts";
import { NoPathRouteError } from "./dispatch-errors.ts";
import { forwardWithFailover, type Attempted } from "./failover.ts";
import { findPathRule, stripPrefix } from "../route-value/index.ts";
import { deadKey } from "../lookup/index.ts";
import { redirectResponse } from "./redirect.ts";
import type { Route } from "../route-value/index.ts";
import type { RouteStore } from "../lookup/index.ts";

/** The router settings a request needs once its route is known. */
type DispatchSettings = Pick<
  RouterConfig,
  | "keyPrefix"
  | "upstreamTimeoutMs"
  | "upstreamTries"
  | "backendDownMs"
  | "sharedDownMarks"
  | "exposeUpstream"
  // How many bits of an IPv6 client address a rate limit counts by (RATE_LIMIT_IPV6_PREFIX).
  | "rateLimitIpv6Prefix"
  // Keys the sticky cookies' HMAC (sticky.ts).
  | "stickySecret"
>;

export interface DispatchOptions {
  readonly settings: DispatchSettings;
  readonly client: ClientInfo;
  /** Routers the request passed before this one (its incoming hop count). */
  readonly hops: number;
  /** The caller adds headers to the response (Server-Timing): it must be one we may edit. */
  readonly editableResponse: boolean;
  /** Where shared down marks are written and cleared (SHARED_DOWN_MARKS), in the route pattern's `dead:` set. */
  readonly store: RouteStore;
  readonly waitUntil: (promise: Promise<unknown>) => void;
  /** The isolate's rate limiter (src/isolate.ts), asked for only by routes with a rateLimit. */
  readonly rateLimiter: () => RateLimiter;
  /** Default: the isolate's. */
  readonly marks?: DownMarks;
  /** Default: console.warn. */
  readonly log?: (line: string) => void;
}

/** What became of the request: forwarded (failover.ts), or answered here with a redirect (no backend). */
export type Dispatched = Attempted | { readonly response: Response; readonly backend: null; readonly startedAt: 0 };

/**
 * Everything that happens per request once the route is known, so a cached
 * Route still balances: pick the path rule (longest prefix), check its
 * policies (src/policy/; none: one property read), then redirect, or build
 * the one description of the upstream call and forward it with failover over
 * the backends in balance order. Refusals (a policy, no path rule) throw.
 */
export async function routeRequest(
  request: Request,
  target: RequestTarget,
  route: Route,
  options: DispatchOptions,
): Promise<Dispatched> {
  const { path, query } = target;
  const { settings } = options;
  const rule = findPathRule(route.paths, path);
  const action = rule ? rule.action : route.fallback;
  if (!action) throw new NoPathRouteError(route.host, path);
  if (action.policies) {
    await enforcePolicies(request, action.policies, {
      clientIp: options.client.clientIp,
      ipv6Prefix: settings.rateLimitIpv6Prefix,
      scope: `${route.key}|${rule?.prefix ?? ""}`,
      rateLimiter: options.rateLimiter,
    });
  }
  const targetPath = rule?.strip ? stripPrefix(rule.prefix, path) : path;
  if (action.type === "redirect") {
    return { response: redirectResponse(request, route.host, action, targetPath + query), backend: null, startedAt: 0 };
  }

  const call: UpstreamCall = {
    pathAndQuery: targetPath + query,
    // A redirect to the upstream maps back under what was stripped (`/app/` → `/app`).
    publicPrefix: rule?.strip ? rule.prefix.replace(/\/+$/, "") : "",
    requestHeaders: action.requestHeaders,
    responseHeaders: action.responseHeaders,
    timeoutMs: action.timeoutMs ?? settings.upstreamTimeoutMs,
    client: options.client,
    hops: options.hops,
    exposeUpstream: settings.exposeUpstream,
    editableResponse: options.editableResponse,
    body: null,
  };
  return forwardWithFailover(request, route, action, call, `${route.key}\n${rule?.prefix ?? ""}`, {
    tries: settings.upstreamTries,
    downMs: settings.backendDownMs,
    marks: options.marks ?? isolateDownMarks,
    shared: settings.sharedDownMarks
      ? { store: options.store, dead: deadKey(route.pattern, settings.keyPrefix) }
      : null,
    waitUntil: options.waitUntil,
    log: options.log ?? warn,
    stickySecret: settings.stickySecret,
  });
}

const warn = (line: string) => console.warn(line);
