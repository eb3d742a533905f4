import { enforcePolicies } from "../policy/enforce.ts";
import type { RateLimiter } from "../policy/rate-limiter.ts";
import type { ForwardOptions } from "../proxy/forward.ts";
import type { RequestTarget } from "../receive/target.ts";
import { isolateDownMarks, type DownMarks } from "./down-marks.ts";
import { NoPathRouteError } from "./dispatch-errors.ts";
import { forwardWithFailover, type SharedMarkWriter } from "./failover.ts";
import { findPathRule, stripPrefix } from "../route-value/paths.ts";
import { deadKey } from "../lookup/dead-set.ts";
import { redirectResponse } from "./redirect.ts";
import type { Route } from "../route-value/route.ts";
import type { RouteStore } from "../lookup/store.ts";
import type { Upstream } from "../route-value/upstream.ts";

/** The router settings a request needs after lookup (a subset of RouterConfig). */
export interface DispatchSettings {
  readonly keyPrefix: string;
  readonly upstreamTries: number;
  readonly backendDownMs: number;
  readonly sharedDownMarks: boolean;
  /** RATE_LIMIT_IPV6_PREFIX: how many bits of an IPv6 client address a rate limit counts by. */
  readonly rateLimitIpv6Prefix: number;
  /** Keys the sticky cookies' HMAC (sticky.ts). */
  readonly stickySecret: string;
}

export interface DispatchOptions {
  /** For every attempt; a route's own `timeout` replaces `timeoutMs`. */
  readonly forward: ForwardOptions;
  readonly settings: DispatchSettings;
  /** Where shared down marks are written and cleared (SHARED_DOWN_MARKS), in the route pattern's `dead:` set. */
  readonly store: RouteStore;
  readonly waitUntil: (promise: Promise<unknown>) => void;
  /** The isolate's rate limiter (src/isolate.ts), asked for only by routes with a rateLimit. */
  readonly rateLimiter: () => RateLimiter;
  /** Default: the isolate's. */
  readonly marks?: DownMarks;
  /** Default: console.warn. */
  readonly log?: (line: string) => void;
  /** Told of each backend tried, for the access log. */
  readonly onAttempt?: (backend: Upstream) => void;
}

/**
 * Everything that happens per request once the route is known, so a cached
 * Route still balances: pick the path rule (longest prefix), check its
 * policies (src/policy/; none: one property read), then redirect, or forward
 * with failover over the backends in balance order.
 */
export async function routeRequest(
  request: Request,
  target: RequestTarget,
  route: Route,
  options: DispatchOptions,
): Promise<Response> {
  const { path, query } = target;
  const rule = findPathRule(route.paths, path);
  const action = rule ? rule.action : route.fallback;
  if (!action) throw new NoPathRouteError(route.host, path);
  if (action.policies) {
    await enforcePolicies(request, action.policies, {
      clientIp: options.forward.client.clientIp,
      ipv6Prefix: options.settings.rateLimitIpv6Prefix,
      scope: `${route.key}|${rule?.prefix ?? ""}`,
      rateLimiter: options.rateLimiter,
    });
  }
  const targetPath = rule?.strip ? stripPrefix(rule.prefix, path) : path;
  if (action.type === "redirect") return redirectResponse(request, route.host, action, targetPath + query);

  const { settings } = options;
  return forwardWithFailover(
    request,
    route,
    action,
    {
      pathAndQuery: targetPath + query,
      // A redirect to the upstream maps back under what was stripped (`/app/` → `/app`).
      publicPrefix: rule?.strip ? rule.prefix.replace(/\/+$/, "") : "",
      balanceKey: `${route.key}\n${rule?.prefix ?? ""}`,
    },
    {
      forward: options.forward,
      tries: settings.upstreamTries,
      downMs: settings.backendDownMs,
      marks: options.marks ?? isolateDownMarks,
      shared: settings.sharedDownMarks
        ? sharedMarkWriter(options.store, deadKey(route.pattern, settings.keyPrefix), settings)
        : null,
      waitUntil: options.waitUntil,
      log: options.log ?? warn,
      stickySecret: settings.stickySecret,
      ...(options.onAttempt ? { onAttempt: options.onAttempt } : {}),
    },
  );
}

const warn = (line: string) => console.warn(line);

/** Writes and clears the route pattern's `dead:` set (SHARED_DOWN_MARKS); built only when that is on. */
function sharedMarkWriter(store: RouteStore, dead: string, settings: DispatchSettings): SharedMarkWriter {
  return {
    mark: (member) => store.markDown(dead, member, settings.backendDownMs),
    clear: (members) => store.clearDown(dead, members),
  };
}
