import type { Route } from "./route.ts";
import type { Upstream } from "./upstream.ts";

/**
 * The route a host with no route of its own takes when FALLBACK_UPSTREAM is
 * set (nginx's `default_server`, Traefik's catch-all router).
 */
export function fallbackRoute(host: string, upstream: Upstream): Route {
  return {
    kind: "upstream",
    paths: [],
    fallback: {
      type: "forward",
      backends: [upstream],
      strategy: "random",
      timeoutMs: null,
      requestHeaders: [],
      responseHeaders: [],
    },
    label: null,
    host,
    key: "FALLBACK_UPSTREAM",
    pattern: host,
    sharedDown: null,
  };
}
