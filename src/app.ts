import { Hono } from "hono";
import { readConfig, type RouterConfig } from "./config.ts";
import { renderError } from "./error-response.ts";
import { normalizeHost } from "./host.ts";
import { forward } from "./proxy/forward.ts";
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
  const route = await lookupRoute(host, storeFor(config), config);
  const upstream = route.upstreams[0];
  if (!upstream) throw new Error(`route ${route.key} has no upstream`);
  const url = new URL(request.url);
  return forward(request, upstream, {
    timeoutMs: config.upstreamTimeoutMs,
    client: {
      clientIp: request.headers.get("cf-connecting-ip"),
      host: hostHeader ?? host,
      proto: url.protocol.slice(0, -1),
      port: url.port || (url.protocol === "https:" ? "443" : "80"),
    },
  });
});

app.onError((error, c) => renderError(error, c.req.raw, c.get("requestId")));
