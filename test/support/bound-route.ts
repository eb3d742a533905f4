import { readConfig, type RouterConfig } from "../../src/config.ts";
import { bindNetworks } from "../../src/lookup/bind-networks.ts";
import type { FetchFunction } from "../../src/route-value/network.ts";
import type { Route } from "../../src/route-value/route.ts";
import { parseRouteValue } from "../../src/route-value/value.ts";

/**
 * The worker's configuration with these bindings (each a stand-in for a
 * Workers VPC Network: anything with a fetch()), as readConfig reads env.
 */
export function configWith(
  bindings: Readonly<Record<string, FetchFunction>>,
  vars: Readonly<Record<string, string>> = {},
): RouterConfig {
  const env: Record<string, unknown> = {
    UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9",
    UPSTASH_REDIS_REST_TOKEN: "unused",
    ...vars,
  };
  for (const [name, fetch] of Object.entries(bindings)) env[name] = { fetch };
  return readConfig(env);
}

/** A stored value as the worker routes it: parsed, then bound to the configuration's networks. */
export function boundRoute(value: string, config: RouterConfig, host = "app.test"): Route {
  const bound = bindNetworks(parseRouteValue(value), config.networks);
  if (!("paths" in bound)) throw new Error(bound.problem);
  return { ...bound, host, key: host, pattern: host, sharedDown: null };
}
