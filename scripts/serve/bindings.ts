import type { WorkerBundle } from "../lib/worker-bundle.ts";
import { WORKER_SECRETS } from "./secrets.ts";

export interface RouteStoreSettings {
  readonly url: string;
  readonly token: string;
}

/**
 * The worker's bindings when self-hosted: wrangler.toml's [vars], each
 * overridden by an environment variable of the same name, the secrets the
 * worker reads (secrets.ts) that the environment sets, the route store's
 * URL and token, and the client address taken from the connection (the edge's
 * CF-Connecting-IP would be whatever the client sent) unless CLIENT_ADDRESS
 * says otherwise. The dashboard's secret, ADMIN_TOKEN, is one of those
 * secrets, so ADMIN_HOST works self-hosted too.
 */
export function serveBindings(
  bundle: WorkerBundle,
  env: Readonly<Record<string, string | undefined>>,
  store: RouteStoreSettings,
  trustProxy: readonly string[],
): Record<string, string> {
  const bindings: Record<string, string> = {};
  for (const [name, value] of Object.entries(bundle.vars)) bindings[name] = env[name] ?? value;
  for (const name of WORKER_SECRETS) {
    const value = env[name];
    if (value !== undefined && value !== "") bindings[name] = value;
  }
  bindings.CLIENT_ADDRESS = env.CLIENT_ADDRESS ?? "connection";
  if (trustProxy.length > 0) bindings.TRUSTED_PROXIES = trustProxy.join(",");
  bindings.UPSTASH_REDIS_REST_URL = store.url;
  bindings.UPSTASH_REDIS_REST_TOKEN = store.token;
  return bindings;
}
