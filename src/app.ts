import { Hono } from "hono";
import { createRouteCache, type RouteCache } from "./cache/route-cache.ts";
import { routeServerTiming } from "./cache/server-timing.ts";
import { readConfig, type RouterConfig } from "./config.ts";
import { renderError } from "./error-response.ts";
import { normalizeHost } from "./host.ts";
import { forward } from "./proxy/forward.ts";
import { lookupRoute } from "./route/lookup.ts";
import { createUpstashRouteStore, type RouteStore } from "./route/store.ts";

type AppEnv = { Bindings: Env; Variables: { requestId: string; serverTiming: string | undefined } };

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

/** One route cache per configuration, kept (like the store) for the isolate's life. */
const routeCaches = new WeakMap<RouterConfig, RouteCache>();
function routeCacheFor(config: RouterConfig): RouteCache {
  let cache = routeCaches.get(config);
  if (!cache) {
    cache = createRouteCache({
      maxEntries: config.routeCacheSize,
      ttlMs: config.routeCacheTtlMs,
      negativeTtlMs: config.routeCacheNegativeTtlMs,
      staleWhileRevalidateMs: config.routeCacheStaleWhileRevalidateMs,
      maxStaleMs: config.routeCacheMaxStaleMs,
      lookupTimeoutMs: config.lookupTimeoutMs,
      errorLogIntervalMs: config.routeStoreErrorLogIntervalMs,
    });
    routeCaches.set(config, cache);
  }
  return cache;
}

/** The router: every request, whatever its method or path, is routed by Host. */
export const app = new Hono<AppEnv>();

app.use(async (c, next) => {
  c.set("requestId", c.req.header("cf-ray") ?? crypto.randomUUID());
  await next();
});

app.all("*", async (c) => {
  const request = c.req.raw;
  const config = readConfig(c.env);
  const hostHeader = request.headers.get("host");
  const host = normalizeHost(hostHeader);
  const store = storeFor(config);
  const started = performance.now();
  const lookup = await routeCacheFor(config).lookup(
    host,
    (name) => lookupRoute(name, store, config),
    (promise) => c.executionCtx.waitUntil(promise),
  );
  const serverTiming = routeServerTiming(lookup.outcome, performance.now() - started);
  c.set("serverTiming", serverTiming);
  if (lookup.route === undefined) throw lookup.error;
  const route = lookup.route;
  const upstream = route.upstreams[0];
  if (!upstream) throw new Error(`route ${route.key} has no upstream`);
  const url = new URL(request.url);
  const response = await forward(request, upstream, {
    timeoutMs: config.upstreamTimeoutMs,
    client: {
      clientIp: request.headers.get("cf-connecting-ip"),
      host: hostHeader ?? host,
      proto: url.protocol.slice(0, -1),
      port: url.port || (url.protocol === "https:" ? "443" : "80"),
    },
  });
  // A 101 is fetch()'s own response, whose headers cannot change.
  if (response.status !== 101) response.headers.append("server-timing", serverTiming);
  return response;
});

app.onError((error, c) => {
  const response = renderError(error, c.req.raw, c.get("requestId"));
  const serverTiming = c.get("serverTiming");
  if (serverTiming) response.headers.append("server-timing", serverTiming);
  return response;
});
