import type { NetworkSetup } from "../route-value/index.ts";
import type { Route } from "../route-value/index.ts";
import type { Upstream } from "../route-value/index.ts";
import { forwardTo } from "../route-value/index.ts";
import { bindNetworks } from "./bind-networks.ts";

const routes = new WeakMap<Upstream, Route>();

/**
 * The route a host with no route of its own takes when FALLBACK_UPSTREAM is
 * set (nginx's `default_server`, Traefik's catch-all router). Built once per
 * configuration (the upstream object lives as long as its config), not per
 * request: it is the same for every host, so its `host` and `pattern` are
 * `*`, as for a catch-all key. With a single backend it never writes a
 * shared down mark. Its backend goes through PRIVATE_NETWORK when its
 * address is private and the worker has that binding, as a route's would.
 */
export function fallbackRoute(upstream: Upstream, networks?: NetworkSetup): Route {
  let route = routes.get(upstream);
  if (!route) {
    const unbound: Route = {
      kind: "upstream",
      paths: [],
      fallback: forwardTo([upstream]),
      label: null,
      host: "*",
      key: "FALLBACK_UPSTREAM",
      pattern: "*",
      sharedDown: null,
    };
    // With no "network" field, binding never finds a binding missing.
    const bound = networks ? bindNetworks(unbound, networks) : unbound;
    route = "paths" in bound ? bound : unbound;
    routes.set(upstream, route);
  }
  return route;
}
