import type { Route } from "./route.ts";
import type { Upstream } from "./upstream.ts";
import { forwardTo } from "./value.ts";

/**
 * The route a host with no route of its own takes when FALLBACK_UPSTREAM is
 * set (nginx's `default_server`, Traefik's catch-all router).
 */
export function fallbackRoute(host: string, upstream: Upstream): Route {
  return {
    kind: "upstream",
    paths: [],
    fallback: forwardTo([upstream]),
    label: null,
    host,
    key: "FALLBACK_UPSTREAM",
    pattern: host,
    sharedDown: null,
  };
}
