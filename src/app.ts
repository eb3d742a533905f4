import { Hono } from "hono/tiny";
import type { AppEnv } from "./env.ts";
import type { RequestFacts } from "./request-state.ts";
import { accessLog } from "./metrics/access-log.ts";
import { createAdminApp, secureAdminResponse } from "./admin/app.ts";
import { isAdminRequest } from "./admin/admin-host.ts";
import { configuredRouteCache } from "./cache/configured-cache.ts";
import type { RouteCache } from "./cache/route-cache.ts";
import { routeServerTiming } from "./cache/server-timing.ts";
import { readConfig, type RouterConfig } from "./config.ts";
import { renderError } from "./error-response.ts";
import { InvalidRouteError, NoRouteError, RouteStoreError } from "./errors.ts";
import { normalizeHost } from "./receive/host.ts";
import { resolveClient } from "./receive/client-address.ts";
import { clientInfo } from "./receive/forwarded.ts";
import { checkHops, readHops } from "./receive/loop.ts";
import { refuseBodyOnGetOrHead } from "./receive/request-body.ts";
import { routeRequest } from "./dispatch/dispatch.ts";
import { fallbackRoute } from "./lookup/fallback.ts";
import type { Route } from "./route-value/route.ts";
import { createUpstashRouteStore, type RouteStore } from "./lookup/store.ts";

/** Per configuration, kept for the isolate's life: the store (one HTTP client) and the route cache. */
interface IsolateState {
  readonly store: RouteStore;
  readonly cache: RouteCache;
}
const isolateStates = new WeakMap<RouterConfig, IsolateState>();
function isolateState(config: RouterConfig): IsolateState {
  let state = isolateStates.get(config);
  if (!state) {
    const store = createUpstashRouteStore({
      url: config.redisUrl,
      token: config.redisToken,
      timeoutMs: config.lookupTimeoutMs,
    });
    state = { store, cache: configuredRouteCache(config, store) };
    isolateStates.set(config, state);
  }
  return state;
}

/** The router: every request, whatever its method or path, is routed by Host. */
export const app = new Hono<AppEnv>();

app.use(accessLog<Env>({ sampleRate, clientIp }));

/** The dashboard at ADMIN_HOST (src/admin/): it reads the isolate's cache, never routes. */
const admin = createAdminApp({ routeCache: (env) => isolateState(readConfig(env)).cache });

app.all("*", async (c) => {
  const request = c.req.raw;
  const requestHeaders = request.headers;
  const hostHeader = requestHeaders.get("host");
  // Before any routing: the admin host is never looked up, whatever Redis holds.
  if (isAdminRequest(c.env, hostHeader, c.get("facts"))) {
    return admin.fetch(request, c.env, c.executionCtx);
  }
  refuseBodyOnGetOrHead(request);
  const target = c.get("target");
  const config = readConfig(c.env);
  const facts = c.get("facts");
  facts.exposeUpstream = config.exposeUpstream;
  facts.hops = readHops(requestHeaders);
  checkHops(facts.hops, config.maxHops);
  const host = normalizeHost(hostHeader);
  facts.host = host;
  const { store, cache } = isolateState(config);
  const waitUntil = (promise: Promise<unknown>) => c.executionCtx.waitUntil(promise);
  let route: Route;
  try {
    route = await findRoute(host, config, facts, (name) => cache.lookup(name, waitUntil));
  } finally {
    if (facts.cache && config.serverTiming) c.set("serverTiming", routeServerTiming(facts.cache, facts.lookupMs ?? 0));
  }
  const client = clientInfo(request, target.origin, config.clientAddress, hostHeader);
  facts.clientIp = client.clientIp;
  const dispatched = await routeRequest(request, target, route, {
    settings: config,
    client,
    hops: facts.hops,
    // Server-Timing is appended below: the response must be one we may edit.
    editableResponse: config.serverTiming,
    store,
    waitUntil,
  });
  if (dispatched.backend) {
    const backend = dispatched.backend;
    facts.upstream = backend.origin + backend.basePath;
    facts.upstreamMs = Date.now() - dispatched.startedAt;
  }
  if ("error" in dispatched) throw dispatched.error;
  const response = dispatched.response;
  // A 101 is fetch()'s own response, whose headers cannot change.
  const serverTiming = c.get("serverTiming");
  if (serverTiming && response.status !== 101) response.headers.append("server-timing", serverTiming);
  return response;
});

app.onError((error, c) => {
  const facts = c.get("facts");
  const response = renderError(error, c.req.raw, c.get("requestId")(), {
    upstream: facts.exposeUpstream ? facts.upstream : null,
  });
  const serverTiming = c.get("serverTiming");
  if (serverTiming) response.headers.append("server-timing", serverTiming);
  // The dashboard's own refusals (401, 404, 503) are drawn here too: never cached, never framed.
  return facts.dashboard ? secureAdminResponse(response) : response;
});

/**
 * The host's route through the isolate's cache; with FALLBACK_UPSTREAM set, a
 * host with no route goes there. Records both outcomes for the access log:
 * what the route store said (`lookup`) and how the cache answered (`cache`).
 */
async function findRoute(
  host: string,
  config: RouterConfig,
  facts: RequestFacts,
  lookup: (host: string) => ReturnType<RouteCache["lookup"]>,
): Promise<Route> {
  const started = performance.now();
  const result = await lookup(host);
  facts.lookupMs = Math.round((performance.now() - started) * 100) / 100;
  facts.cache = result.outcome;
  if (result.route !== undefined) {
    facts.lookup = "hit";
    return result.route;
  }
  const error = result.error;
  if (error instanceof NoRouteError && config.fallbackUpstream) {
    facts.lookup = "fallback";
    return fallbackRoute(config.fallbackUpstream, config.networks);
  }
  if (error instanceof NoRouteError) facts.lookup = "miss";
  else if (error instanceof InvalidRouteError) facts.lookup = "invalid";
  else if (error instanceof RouteStoreError) facts.lookup = "error";
  throw error;
}

/** The access log records the same client address the upstream is told. */
function clientIp(request: Request, env: Env): string | null {
  try {
    return resolveClient(request, readConfig(env).clientAddress).clientIp;
  } catch {
    return null; // a configuration error: the log line says so, not who sent it
  }
}

function sampleRate(env: Env): number {
  try {
    return readConfig(env).accessLogSampleRate;
  } catch {
    return 1; // a configuration error is exactly what the log must show
  }
}
