import { Hono } from "hono";
import { accessLog, type AccessLogVariables, type RequestFacts } from "./access-log.ts";
import { readConfig, type RouterConfig } from "./config.ts";
import { renderError } from "./error-response.ts";
import { InvalidRouteError, NoRouteError, RouteStoreError } from "./errors.ts";
import { normalizeHost } from "./host.ts";
import { clientInfo } from "./proxy/forwarded.ts";
import { checkHops, readHops } from "./proxy/loop.ts";
import { refuseBodyOnGetOrHead } from "./proxy/request-body.ts";
import { routeRequest } from "./route/dispatch.ts";
import { fallbackRoute } from "./route/fallback.ts";
import { lookupRoute } from "./route/lookup.ts";
import type { Route } from "./route/route.ts";
import { createUpstashRouteStore, type RouteStore } from "./route/store.ts";

type AppEnv = { Bindings: Env; Variables: AccessLogVariables };

/** One store (and so one HTTP client) per configuration, kept for the isolate's life. */
const stores = new WeakMap<RouterConfig, RouteStore>();
function storeFor(config: RouterConfig): RouteStore {
  let store = stores.get(config);
  if (!store) {
    store = createUpstashRouteStore({
      url: config.redisUrl,
      token: config.redisToken,
      timeoutMs: config.lookupTimeoutMs,
    });
    stores.set(config, store);
  }
  return store;
}

/** The router: every request, whatever its method or path, is routed by Host. */
export const app = new Hono<AppEnv>();

app.use(accessLog<Env>({ sampleRate }));

app.all("*", async (c) => {
  const request = c.req.raw;
  refuseBodyOnGetOrHead(request);
  const target = c.get("target");
  const config = readConfig(c.env);
  const facts = c.get("facts");
  facts.exposeUpstream = config.exposeUpstream;
  facts.hops = readHops(request.headers);
  checkHops(facts.hops, config.maxHops);
  const host = normalizeHost(request.headers.get("host"));
  const store = storeFor(config);
  const route = await findRoute(host, store, config, facts);
  const started = Date.now();
  try {
    return await routeRequest(request, target, route, {
      forward: {
        timeoutMs: config.upstreamTimeoutMs,
        client: clientInfo(request, target.origin),
        hops: facts.hops,
        exposeUpstream: config.exposeUpstream,
      },
      settings: config,
      store,
      waitUntil: (promise) => c.executionCtx.waitUntil(promise),
      onAttempt: (backend) => {
        facts.upstream = backend.origin + backend.basePath;
      },
    });
  } finally {
    facts.upstreamMs = Date.now() - started;
  }
});

app.onError((error, c) => {
  const facts = c.get("facts");
  return renderError(error, c.req.raw, c.get("requestId"), { upstream: facts.exposeUpstream ? facts.upstream : null });
});

/** The host's route; with FALLBACK_UPSTREAM set, a host with no route goes there. */
async function findRoute(host: string, store: RouteStore, config: RouterConfig, facts: RequestFacts): Promise<Route> {
  const started = Date.now();
  try {
    const route = await lookupRoute(host, store, config);
    facts.lookup = "hit";
    return route;
  } catch (error) {
    if (error instanceof NoRouteError && config.fallbackUpstream) {
      facts.lookup = "fallback";
      return fallbackRoute(config.fallbackUpstream);
    }
    if (error instanceof NoRouteError) facts.lookup = "miss";
    else if (error instanceof InvalidRouteError) facts.lookup = "invalid";
    else if (error instanceof RouteStoreError) facts.lookup = "error";
    throw error;
  } finally {
    facts.lookupMs = Date.now() - started;
  }
}

function sampleRate(env: Env): number {
  try {
    return readConfig(env).accessLogSampleRate;
  } catch {
    return 1; // a configuration error is exactly what the log must show
  }
}
