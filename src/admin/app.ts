import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { readConfig } from "../config.ts";
import { RouteStoreError } from "../errors.ts";
import { configuredAuth, requireAdmin, sameOrigin } from "./auth.ts";
import { safeNext } from "./login-next.ts";
import { endSession, startSession, tokenMatches } from "./session.ts";
import { currentEpoch, nextEpoch } from "./session-epoch.ts";
import { adminHostOf } from "./settings.ts";
import { spendAttempt } from "./throttle.ts";
import { requestHost, secureTransport } from "./transport.ts";
import {
  AdminForbiddenOriginError,
  AdminInputError,
  AdminInsecureError,
  AdminNotFoundError,
} from "./dashboard-errors.ts";
import { healthReport } from "./health.ts";
import { METRICS_CONTENT_TYPE, metricsText } from "./metrics.ts";
import { healthHtml } from "./pages/health.tsx";
import { loginHtml } from "./pages/login.tsx";
import { routesHtml } from "./pages/routes.tsx";
import { testerHtml } from "./pages/tester.tsx";
import { trafficHtml } from "./pages/traffic.tsx";
import { routesJson } from "./api.ts";
import { routesPage } from "./routes-data.ts";
import { adminStoreFor } from "./store.ts";
import { testHost, type TestReport } from "./tester.ts";
import { trafficReport, type RouterView } from "./traffic.ts";
import type { FleetSource } from "../metrics/index.ts";
import { readFleet, type FleetRead } from "./fleet.ts";
import { fleetReport, routeTraffic } from "./fleet-report.ts";

export interface AdminOptions {
  /** The isolate's route cache for these bindings (app.ts owns it). */
  readonly routeCache: (env: Env) => RouterView;
  /** What this isolate's fleet stats write (app.ts): a read sends the isolate's own pending write first. */
  readonly fleet?: (env: Env) => FleetSource | null;
}

type AdminEnv = { Bindings: Env };

/** Answers the requests for ADMIN_HOST (app.ts hands them over). */
export type AdminApp = Hono<AdminEnv>;

/**
 * Every response: never cached, never framed, no script may run (the pages
 * have none), no referrer leaves for another site (page URLs hold filters and hosts).
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  // Not "no-referrer": under it browsers send `Origin: null` on the login
  // post (Fetch §3.2.5), which sameOrigin() must refuse.
  "referrer-policy": "same-origin",
};

/** Adds the dashboard's security headers; the router's error pages for ADMIN_HOST get them too (app.ts). */
export function secureAdminResponse(response: Response): Response {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
  return response;
}

export function createAdminApp(options: AdminOptions): AdminApp {
  const app = new Hono<AdminEnv>();

  /** Every isolate's counts, summed: one round trip (src/admin/fleet.ts). */
  const fleetOf = (c: Context<AdminEnv>): Promise<FleetRead> => {
    const config = readConfig(c.env);
    return readFleet(adminStoreFor(config), config, {
      waitUntil: (promise) => c.executionCtx.waitUntil(promise),
      source: options.fleet?.(c.env) ?? null,
    });
  };

  app.use(async (c, next) => {
    await next();
    secureAdminResponse(c.res);
  });

  app.get("/login", (c) => {
    const auth = configuredAuth(c.env);
    if (auth.token === null) throw new AdminNotFoundError();
    if (!secureTransport(c)) throw new AdminInsecureError(requestHost(c));
    return c.html(loginHtml({ next: safeNext(c.req.query("next")), failed: false }));
  });

  app.post("/login", async (c) => {
    const auth = configuredAuth(c.env);
    if (auth.token === null) throw new AdminNotFoundError();
    if (!sameOrigin(c)) throw new AdminForbiddenOriginError();
    // Refused before the token is read: it must not cross the network in the clear, nor be guessed.
    if (!secureTransport(c)) throw new AdminInsecureError(requestHost(c));
    const refund = spendAttempt(c);
    const form = await smallForm(c.req.raw);
    const next = safeNext(form.get("next") ?? undefined);
    const given = form.get("token") ?? "";
    if (!(await tokenMatches(given, auth.token))) return c.html(loginHtml({ next, failed: true }), 401);
    refund();
    const epoch = await currentEpoch(readConfig(c.env));
    await startSession(c, auth.token, { host: adminHostOf(c.env), epoch });
    return c.redirect(next, 303);
  });

  app.post("/logout", (c) => {
    if (!sameOrigin(c)) throw new AdminForbiddenOriginError();
    endSession(c);
    return c.redirect("/login", 303);
  });

  app.use(requireAdmin);

  /** Ends every session, everywhere: the revocation epoch moves on (session-epoch.ts). */
  app.post("/logout-everywhere", async (c) => {
    if (!sameOrigin(c)) throw new AdminForbiddenOriginError();
    await nextEpoch(readConfig(c.env));
    endSession(c);
    return c.redirect("/login", 303);
  });

  const routesHandler = async (c: Context<AdminEnv>) => {
    const config = readConfig(c.env);
    const filter = filterOf(c);
    const cursor = cursorOf(c);
    const [page, fleet] = await Promise.all([
      routesPage(adminStoreFor(config), { prefix: config.keyPrefix, filter, cursor }),
      fleetOf(c),
    ]);
    const traffic = fleet.problem === null ? routeTraffic(fleet) : null;
    return c.html(
      routesHtml({ page, filter, cursor, prefix: config.keyPrefix, traffic, fleetCommands: fleet.commands }),
    );
  };
  app.get("/", routesHandler);
  app.get("/routes", routesHandler);

  app.get("/tester", async (c) => {
    const config = readConfig(c.env);
    const host = c.req.query("host") ?? "";
    const path = c.req.query("path") || "/";
    let report: TestReport | null = null;
    let problem: string | null = null;
    let commands = 0;
    if (host !== "") {
      try {
        report = await testHost(adminStoreFor(config), config, host, path);
        commands = report.sent;
      } catch (error) {
        if (!(error instanceof AdminInputError || error instanceof RouteStoreError)) throw error;
        problem =
          error instanceof RouteStoreError ? `The route store failed: ${error.detail ?? error.message}` : error.message;
      }
    }
    return c.html(testerHtml({ host, path, report, problem, commands }));
  });

  app.get("/health", async (c) => {
    const config = readConfig(c.env);
    return c.html(healthHtml(await healthReport(adminStoreFor(config), config)));
  });

  app.get("/traffic", async (c) => {
    const fleet = await fleetOf(c);
    return c.html(
      trafficHtml(trafficReport(options.routeCache(c.env), fleetReport(fleet, Date.now())), fleet.commands),
    );
  });

  app.get("/api", (c) =>
    c.json({
      endpoints: {
        "/api/routes?q=&cursor=": "route keys, a page at a time (SCAN), parsed as the router reads them",
        "/api/test?host=&path=": "what the router does with that request, and why",
        "/api/health": "route store reachability, last failure, backends marked down",
        "/api/traffic":
          "this isolate's requests, cache outcomes, busiest hosts, per-minute history; `fleet`: every isolate's, summed",
        "/metrics": "this isolate's counters and the fleet's (router_fleet_*) in the Prometheus text format",
        "POST /logout-everywhere": "ends every dashboard session (the revocation counter in Redis moves on)",
      },
    }),
  );

  app.get("/api/routes", async (c) => {
    const config = readConfig(c.env);
    const page = await routesPage(adminStoreFor(config), {
      prefix: config.keyPrefix,
      filter: filterOf(c),
      cursor: cursorOf(c),
    });
    return c.json(routesJson(page));
  });

  app.get("/api/test", async (c) => {
    const config = readConfig(c.env);
    const host = c.req.query("host") ?? "";
    if (host === "") throw new AdminInputError("Say which host: /api/test?host=app.example.com&path=/");
    return c.json(await testHost(adminStoreFor(config), config, host, c.req.query("path") || "/"));
  });

  app.get("/api/health", async (c) => {
    const config = readConfig(c.env);
    return c.json(await healthReport(adminStoreFor(config), config));
  });

  app.get("/api/traffic", async (c) => {
    const fleet = await fleetOf(c);
    return c.json(trafficReport(options.routeCache(c.env), fleetReport(fleet, Date.now())));
  });

  app.get("/metrics", async (c) => {
    const fleet = await fleetOf(c);
    return c.body(metricsText(options.routeCache(c.env), fleet), 200, { "content-type": METRICS_CONTENT_TYPE });
  });

  app.notFound(() => {
    throw new AdminNotFoundError();
  });

  // Failures go back to the router's app: rendered in one place (renderError,
  // with the request id) and written to the access log with their code and detail.
  app.onError((error) => {
    throw error;
  });

  return app;
}

/** An urlencoded form of at most 4 KiB (the login form is a few dozen bytes): reading stops past that. */
async function smallForm(request: Request): Promise<URLSearchParams> {
  const limit = 4096;
  if (Number(request.headers.get("content-length") ?? 0) > limit || !request.body) {
    if (request.body) throw new AdminInputError("The form is too large.");
    return new URLSearchParams();
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new AdminInputError("The form is too large.");
    }
    chunks.push(value);
  }
  return new URLSearchParams(new TextDecoder().decode(await new Blob(chunks).arrayBuffer()));
}

/** The routes filter: text the key contains. */
function filterOf(c: Context<AdminEnv>): string {
  const filter = (c.req.query("q") ?? "").trim();
  if (filter.length > 200) throw new AdminInputError("The filter is at most 200 characters.");
  return filter;
}

/** A SCAN cursor: digits, as Redis gives them. */
function cursorOf(c: Context<AdminEnv>): string {
  const cursor = c.req.query("cursor") ?? "0";
  if (!/^\d{1,20}$/.test(cursor)) throw new AdminInputError("The cursor is a number from a previous page's link.");
  return cursor;
}
