import { Hono } from "hono";
import { readConfig, type RouterConfig } from "./config.ts";
import { renderError } from "./error-response.ts";
import { InvalidRouteError } from "./errors.ts";
import { normalizeHost } from "./host.ts";
import { routeRequest } from "./route/dispatch.ts";
import { lookupRoute } from "./route/lookup.ts";
import { createUpstashRouteStore, type RouteStore } from "./route/store.ts";

type AppEnv = { Bindings: Env; Variables: { requestId: string } };

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
  const route = await lookupRoute(host, store, config);
  const url = new URL(request.url);
  return routeRequest(request, route, {
    forward: {
      timeoutMs: config.upstreamTimeoutMs,
      client: {
        clientIp: request.headers.get("cf-connecting-ip"),
        host: hostHeader ?? host,
        proto: url.protocol.slice(0, -1),
        port: url.port || (url.protocol === "https:" ? "443" : "80"),
      },
    },
    settings: config,
    store,
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
  });
});

app.onError((error, c) => {
  // The client sees only the host; what is wrong with the value is for the operator.
  if (error instanceof InvalidRouteError) console.warn(`invalid route: ${error.detail}`);
  return renderError(error, c.req.raw, c.get("requestId"));
});
