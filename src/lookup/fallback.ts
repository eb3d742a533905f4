import type { Route } from "../route-value/route.ts";
import type { Upstream } from "../route-value/upstream.ts";
import { forwardTo } from "../route-value/value.ts";

const routes = new WeakMap<Upstream, Route>();

/**
 * The route a host with no route of its own takes when FALLBACK_UPSTREAM is
 * set (nginx's `default_server`, Traefik's catch-all router). Built once per
 * configuration (the upstream object lives as long as its config), not per
 * request: it is the same for every host, so its `host` and `pattern` are
 * `*`, as for a catch-all key. With a single backend it never writes a
 * shared down mark.
 */
export function fallbackRoute(upstream: Upstream): Route {
  let route = routes.get(upstream);
  if (!route) {
    route = {
      kind: "upstream",
      paths: [],
      fallback: forwardTo([upstream]),
      label: null,
      host: "*",
      key: "FALLBACK_UPSTREAM",
      pattern: "*",
      sharedDown: null,
    };
    routes.set(upstream, route);
  }
  return route;
}
