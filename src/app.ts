import { Hono } from "hono/tiny";
import type { Context, Next } from "hono";
import type { AppEnv } from "./env.ts";
import { accessLog } from "./metrics/index.ts";
import { createAdminApp, secureAdminResponse } from "./admin/index.ts";
import { isAdminRequest } from "./admin/index.ts";
import { adminCommands } from "./admin/index.ts";
import type { FleetSource } from "./metrics/index.ts";
import { routeServerTiming } from "./cache/index.ts";
import { readConfig } from "./config.ts";
import { renderError } from "./error-response.ts";
import { InvalidRouteError, NoRouteError, RouteStoreError } from "./errors.ts";
import { isolateFor } from "./isolate.ts";
import { canonicalPath } from "./receive/index.ts";
import { normalizeHost } from "./receive/index.ts";
import { resolveClient } from "./receive/index.ts";
import { clientInfo } from "./receive/index.ts";
import { checkHops, readHops } from "./receive/index.ts";
import { refuseBodyOnGetOrHead } from "./receive/index.ts";
import { routeRequest } from "./dispatch/index.ts";
import { fallbackRoute } from "./lookup/index.ts";

/**
 * The router: every request, whatever its method or path, is routed by Host.
 * Read top to bottom, this is what happens to a request; each phase is a
 * named function below, and passes what it learnt on through the context.
 */
export const app = new Hono<AppEnv>();

app.use(accessLog<Env>({ sampleRate, clientIp, fleet: fleetSource })); // request id, RequestFacts, the URL split once; counters
app.use(dashboard); // ADMIN_HOST: the router's own pages, never routed
app.use(requestGuards); // body on GET/HEAD, hop count, canonical path, Host
app.use(resolveRoute); // the host's route, through the isolate's cache
app.all("*", dispatch); // path rule, policies, then redirect or forward with failover
app.onError(renderFailure); // every RouterError becomes a response here

/** The dashboard at ADMIN_HOST (src/admin/): it reads the isolate's cache, never routes. */
const admin = createAdminApp({ routeCache: (env) => isolateFor(readConfig(env)).cache, fleet: fleetSource });

/** Before any routing: the admin host is never looked up, whatever Redis holds. */
async function dashboard(c: Context<AppEnv>, next: Next): Promise<Response | undefined> {
  if (isAdminRequest(c.env, c.req.raw.headers.get("host"), c.get("facts"))) {
    return admin.fetch(c.req.raw, c.env, c.executionCtx);
  }
  await next();
  return undefined;
}

/**
 * What is refused before the route is looked up, cheapest first. One
 * middleware rather than four: each layer costs a little on every request.
 */
async function requestGuards(c: Context<AppEnv>, next: Next): Promise<void> {
  const request = c.req.raw;
  refuseBodyOnGetOrHead(request);
  const config = readConfig(c.env);
  c.set("config", config);
  const facts = c.get("facts");
  facts.exposeUpstream = config.exposeUpstream;
  facts.hops = readHops(request.headers);
  checkHops(facts.hops, config.maxHops);
  // Rules are matched against, and the upstream sent, one spelling of the path (receive/canonical-path.ts).
  const target = c.get("target");
  const path = canonicalPath(target.path, config.encodedCharacters);
  if (path !== target.path) c.set("target", { ...target, path });
  const host = normalizeHost(request.headers.get("host"));
  facts.host = host;
  c.set("host", host);
  await next();
}

/**
 * The host's route through the isolate's cache; with FALLBACK_UPSTREAM set, a
 * host with no route goes there. Records both outcomes for the access log:
 * what the route store said (`lookup`) and how the cache answered (`cache`).
 */
async function resolveRoute(c: Context<AppEnv>, next: Next): Promise<void> {
  const config = c.get("config");
  const facts = c.get("facts");
  const isolate = isolateFor(config);
  c.set("isolate", isolate);
  const started = performance.now();
  const result = await isolate.cache.lookup(c.get("host"), (promise) => c.executionCtx.waitUntil(promise));
  facts.lookupMs = Math.round((performance.now() - started) * 100) / 100;
  facts.cache = result.outcome;
  if (config.serverTiming) c.set("serverTiming", routeServerTiming(result.outcome, facts.lookupMs));
  if (result.route !== undefined) {
    facts.lookup = "hit";
    // Counters label by the route key that matched, so a wildcard's random subdomains share one label.
    facts.routeKey = result.route.pattern;
    c.set("route", result.route);
  } else if (result.error instanceof NoRouteError && config.fallbackUpstream) {
    facts.lookup = "fallback";
    c.set("route", fallbackRoute(config.fallbackUpstream, config.networks));
  } else {
    const error = result.error;
    if (error instanceof NoRouteError) facts.lookup = "miss";
    else if (error instanceof InvalidRouteError) facts.lookup = "invalid";
    else if (error instanceof RouteStoreError) facts.lookup = "error";
    throw error;
  }
  await next();
}

/** Once the route is known: everything from the path rule to the upstream's answer (dispatch/). */
async function dispatch(c: Context<AppEnv>): Promise<Response> {
  const request = c.req.raw;
  const config = c.get("config");
  const facts = c.get("facts");
  const target = c.get("target");
  const { store, rateLimiter, marks } = c.get("isolate");
  const client = clientInfo(request, target.origin, config.clientAddress, request.headers.get("host"));
  facts.clientIp = client.clientIp;
  c.set("client", client);
  const dispatched = await routeRequest(request, target, c.get("route"), {
    settings: config,
    client,
    hops: facts.hops,
    // Server-Timing is appended below: the response must be one we may edit.
    editableResponse: config.serverTiming,
    store,
    rateLimiter,
    marks,
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
  });
  if (dispatched.backend) {
    // From the first attempt on: policies, redirects and body buffering are not the upstream's time.
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
}

/** The one place a failure becomes a response (error-response.ts draws it). */
function renderFailure(error: Error, c: Context<AppEnv>): Response {
  const facts = c.get("facts");
  const response = renderError(error, c.req.raw, c.get("requestId")(), {
    upstream: facts.exposeUpstream ? facts.upstream : null,
  });
  const serverTiming = c.get("serverTiming");
  if (serverTiming) response.headers.append("server-timing", serverTiming);
  // The dashboard's own refusals (401, 404, 503) are drawn here too: never cached, never framed.
  return facts.dashboard ? secureAdminResponse(response) : response;
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

/** What the fleet's counters need from the isolate: its settings, its cache's store counts, the dashboard's. */
function fleetSource(env: Env): FleetSource | null {
  try {
    const config = readConfig(env);
    if (config.fleetStatsIntervalMs === 0) return null; // turned off: nothing written
    return { config, cacheStats: isolateFor(config).cache.stats, dashboardCommands: () => adminCommands.sent };
  } catch {
    return null;
  }
}
