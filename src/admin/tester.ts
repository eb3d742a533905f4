import type { RouterConfig } from "../config.ts";
import { InvalidHostError } from "../errors.ts";
import { normalizeHost } from "../receive/index.ts";
import { isolateDownMarks } from "../dispatch/index.ts";
import { lookupReads, resolveRoute, type LookupOptions } from "../lookup/index.ts";
import { PUBLIC_NETWORK } from "../route-value/index.ts";
import { findPathRule, stripPrefix } from "../route-value/index.ts";
import type { Route } from "../route-value/index.ts";
import { AdminInputError } from "./dashboard-errors.ts";
import type { AdminStore } from "./store.ts";

/*
 * The host tester: what the router would do with a request, and why. The
 * same story as `npm run routes -- test`, from the router's own lookup
 * (resolveRoute) and path matching, as data for the page and /api/test.
 */

export interface CandidateView {
  readonly key: string;
  readonly pattern: string;
  readonly format: "string" | "hipache";
  readonly state: "missing" | "match" | "invalid" | "not needed";
}

export interface BackendChoice {
  readonly url: string;
  /** Path and query as the backend would receive them. */
  readonly sent: string;
  /** Why it is skipped while another backend is up: a mark in this isolate, or a shared `dead:` mark. */
  readonly down: "this isolate" | "shared dead: set" | null;
  /** Which way it is fetched: "public" (the global fetch()) or the binding's name (`PRIVATE_NETWORK`). */
  readonly via: string;
}

export interface TestReport {
  readonly host: string;
  readonly path: string;
  /** The status the router answers with itself, or null when the request goes to a backend. */
  readonly status: number | null;
  /** One sentence: what happens. */
  readonly outcome: string;
  readonly candidates: readonly CandidateView[];
  /** Commands of one lookup, all in one round trip (as the router sends them, with SHARED_DOWN_MARKS as set). */
  readonly commands: number;
  /** Commands this test sent: the lookup, always with the `dead:` sets. */
  readonly sent: number;
  readonly decided: string | null;
  /** Why that key: the exact host, a wildcard, the catch-all. */
  readonly why: string | null;
  readonly problem: string | null;
  /** The path rule that applies, and what it does to the path. */
  readonly pathRule: string | null;
  readonly backends: readonly BackendChoice[];
  /** How one backend is picked among several, and what happens when it fails. */
  readonly choice: readonly string[];
}

export async function testHost(
  store: AdminStore,
  config: RouterConfig,
  hostText: string,
  target: string,
): Promise<TestReport> {
  let host: string;
  try {
    host = normalizeHost(hostText.trim());
  } catch (error) {
    if (error instanceof InvalidHostError)
      throw new AdminInputError(`Not a host as a client sends it: ${error.reason}.`);
    throw error;
  }
  if (!target.startsWith("/") || target.length > 2048) {
    throw new AdminInputError('The path must start with "/" (and be at most 2048 characters).');
  }
  const queryAt = target.indexOf("?");
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  const query = queryAt === -1 ? "" : target.slice(queryAt);
  const options: LookupOptions = {
    keyPrefix: config.keyPrefix,
    hipacheRoutes: config.hipacheRoutes,
    noRouteStatus: config.noRouteStatus,
    // Always read, so the tester shows marks other isolates shared.
    sharedDownMarks: true,
    backendDownMs: config.backendDownMs,
    // Bound as the router binds it, so each backend says which way it goes.
    networks: config.networks,
  };
  const resolution = await resolveRoute(host, store.routeStore, options);
  const all = lookupReads(host, options).candidates;
  const decidedAt = resolution.decided ? all.findIndex((c) => c.key === resolution.decided?.key) : all.length;
  const candidates = all.map((candidate, i): CandidateView => {
    const outcome = resolution.candidates[i]?.outcome;
    const state = i > decidedAt ? "not needed" : outcome === "route" ? "match" : (outcome ?? "missing");
    return { key: candidate.key, pattern: candidate.pattern, format: candidate.format, state };
  });
  const base = {
    host,
    path: target,
    candidates,
    commands: lookupReads(host, { ...options, sharedDownMarks: config.sharedDownMarks }).reads.length,
    sent: lookupReads(host, options).reads.length,
    decided: resolution.decided?.key ?? null,
    why: null,
    problem: null,
    pathRule: null,
    backends: [],
    choice: [],
  };
  if (!resolution.decided) {
    return config.fallbackUpstream
      ? { ...base, status: null, outcome: "No key exists: the request goes to FALLBACK_UPSTREAM." }
      : {
          ...base,
          status: config.noRouteStatus,
          outcome: `No key exists for ${host}: the router answers ${config.noRouteStatus}.`,
        };
  }
  const route = resolution.route;
  if (!route) {
    const problem = resolution.decided.problem ?? "invalid";
    return {
      ...base,
      status: 502,
      problem,
      outcome: `${resolution.decided.key} decides, but its value is invalid: the router answers 502.`,
    };
  }
  return { ...base, why: why(route), ...explainAction(route, path, query) };
}

function explainAction(
  route: Route,
  path: string,
  query: string,
): Pick<TestReport, "status" | "outcome" | "pathRule" | "backends" | "choice"> {
  const rule = findPathRule(route.paths, path);
  const action = rule ? rule.action : route.fallback;
  const sentPath = (rule?.strip ? stripPrefix(rule.prefix, path) : path) + query;
  const pathRule = rule
    ? `${path} is under ${rule.prefix}${rule.strip ? `, stripped to ${stripPrefix(rule.prefix, path)}` : ""} (longest matching prefix)`
    : route.paths.length > 0
      ? `${path} is under no path rule: the route's own action applies`
      : null;
  if (!action) {
    return {
      status: 404,
      outcome: "No path rule matches and the route has no backends of its own: the router answers 404.",
      pathRule,
      backends: [],
      choice: [],
    };
  }
  if (action.type === "redirect") {
    const location = action.target.origin + action.target.basePath + sentPath;
    return {
      status: action.status,
      outcome: `Redirect ${action.status} to ${location}.`,
      pathRule,
      backends: [],
      choice: [],
    };
  }
  const now = Date.now();
  const shared = route.sharedDown && route.sharedDown.until > now ? route.sharedDown.origins : [];
  const seen = new Set<string>();
  const backends: BackendChoice[] = [];
  for (const backend of action.backends) {
    const url = backend.origin + backend.basePath;
    if (seen.has(url)) continue;
    seen.add(url);
    const down =
      isolateDownMarks.until(backend.origin, now) > 0
        ? "this isolate"
        : shared.includes(backend.origin)
          ? "shared dead: set"
          : null;
    backends.push({ url, sent: url + sentPath, down, via: backend.network?.name ?? PUBLIC_NETWORK });
  }
  const choice: string[] = [];
  if (backends.length > 1) {
    const weighted =
      backends.length < action.backends.length ? " (a backend listed n times is picked n times as often)" : "";
    choice.push(
      action.strategy === "round-robin"
        ? "Round robin: each isolate takes the next backend for each request."
        : `Random: each request picks one at random${weighted}.`,
      "Backends marked down are skipped while another is up.",
      "On a refused connection or a timeout, the next backend is tried (idempotent requests whose body can be replayed).",
    );
  }
  const up = backends.find((b) => b.down === null) ?? backends[0];
  return {
    status: null,
    outcome: up ? `Forward to ${backends.length > 1 ? "one of the backends, e.g. " : ""}${up.sent}.` : "Forward.",
    pathRule,
    backends,
    choice,
  };
}

function why(route: Route): string {
  if (route.pattern === route.host) return "the exact host";
  if (route.pattern === "*") return "the catch-all *, as no more specific key exists";
  return `the wildcard ${route.pattern}, the most specific one that exists`;
}
