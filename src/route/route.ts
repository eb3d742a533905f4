import { InvalidRouteError } from "../errors.ts";
import { parseUpstream, UpstreamSyntaxError, type Upstream } from "./upstream.ts";

/** A resolved route: the key that matched and the upstream(s) it names. */
export interface Route {
  readonly key: string;
  readonly upstreams: readonly Upstream[];
}

/**
 * Turns the value stored under a route key into a Route. An unusable value
 * becomes InvalidRouteError (502 for that host only; the detail goes to the
 * log, never to the client).
 */
export function parseRoute(host: string, key: string, value: string): Route {
  try {
    return { key, upstreams: [parseUpstream(value)] };
  } catch (error) {
    if (error instanceof UpstreamSyntaxError) throw new InvalidRouteError(host, error.message);
    throw error;
  }
}
