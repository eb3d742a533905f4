import { readBackends, readSticky, type BackendList } from "./backend-spec.ts";
import { readDuration } from "./duration.ts";
import { mergeHeaderEdits, parseHeaderEdits } from "./header-edits.ts";
import { canonicalPrefix, sortPathRules, validatePrefix } from "./paths.ts";
import { networkFieldProblem } from "./network.ts";
import { POLICY_FIELDS, readPolicies, type Policies } from "./policy-spec.ts";
import {
  type Action,
  type ForwardAction,
  type HeaderEdits,
  type PathRule,
  type RedirectStatus,
  type RouteSpec,
  type Strategy,
} from "./route.ts";
import { RouteSyntaxError } from "./route-syntax-error.ts";
import type { Upstream } from "./upstream.ts";
import { asObject, upstream, type JsonObject } from "./value-reading.ts";

/*
 * The JSON route format, validated by hand (no schema library in the worker):
 *
 *   {
 *     "backends": "10.0.0.1:8080" | ["10.0.0.1:8080", {"url": "https://api.internal/v2", "weight": 3}],
 *     "strategy": "random" | "round-robin",          default "random" ("round-robin" with weights)
 *     "sticky": {"cookie": {"name": "lb", …}},       backend-spec.ts
 *     "timeout": 5 | "500ms",                         a duration (duration.ts), default UPSTREAM_TIMEOUT_MS
 *     "network": "STAGING_NETWORK" | "public",       the binding the backends go through (network.ts)
 *     "requestHeaders":  {"X-Env": "prod", "Cookie": null},
 *     "responseHeaders": {"Strict-Transport-Security": "max-age=63072000"},
 *     "redirect": "https://www.example.com",          instead of backends
 *     "status": 301 | 302 | 307 | 308,                with redirect, default 302
 *     "paths": {"/api": <entry>, "/static": <entry>}  longest prefix wins
 *     "maintenance", "ipAllowList", "basicAuth", "rateLimit": policy-spec.ts
 *   }
 *
 * A paths entry is a backend string, a list of backends, or an object with
 * the fields above except "paths", plus "strip": true to remove the prefix.
 * Entries inherit strategy, timeout, network, header edits, sticky and
 * policies from the route; an entry's own setting replaces the route's
 * (null: none). An entry with neither "backends" nor "redirect" (only
 * policies, say) uses the route's.
 */

const ROUTE_FIELDS = new Set([
  "backends",
  "strategy",
  "timeout",
  "requestHeaders",
  "responseHeaders",
  "redirect",
  "status",
  "paths",
  "sticky",
  "network",
  ...POLICY_FIELDS,
]);
const ENTRY_FIELDS = new Set([...ROUTE_FIELDS, "strip"].filter((field) => field !== "paths"));
/** Fields that only mean something when forwarding. */
const FORWARD_ONLY = ["backends", "strategy", "timeout", "requestHeaders", "sticky", "network"] as const;
const STRATEGIES: readonly Strategy[] = ["random", "round-robin"];
const REDIRECT_STATUSES: readonly RedirectStatus[] = [301, 302, 307, 308];
/** Same ceiling as UPSTREAM_TIMEOUT_MS. */
const MAX_TIMEOUT = { maxMs: 600_000, hint: "600s" };

/** What a route passes down to its path entries. */
interface Inherited {
  /** null: not said, so "random", or "round-robin" for weighted backends. */
  readonly strategy: Strategy | null;
  readonly timeoutMs: number | null;
  /** The `"network"` as written; undefined: chosen per backend from its address. */
  readonly network: string | undefined;
  readonly requestHeaders: HeaderEdits;
  readonly responseHeaders: HeaderEdits;
  /** The "sticky" value as written: each action applies it to its own backends. */
  readonly sticky: unknown;
  readonly policies: Policies | undefined;
}

/** Parses and validates a JSON route; the error message names the offending field. */
export function parseJsonRoute(text: string): RouteSpec {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new RouteSyntaxError(`not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const route = asObject(data, "a JSON route");
  checkFields(route, ROUTE_FIELDS, "");
  const own = readSettings(route, "", {
    strategy: null,
    timeoutMs: null,
    network: undefined,
    requestHeaders: [],
    responseHeaders: [],
    sticky: null,
    policies: undefined,
  });
  const fallback = readAction(route, "", own);
  const paths = route["paths"] === undefined ? [] : readPaths(route["paths"], own, actionFields(route));
  if (fallback === null && paths.length === 0) {
    throw new RouteSyntaxError('a JSON route needs "backends", "redirect" or "paths"');
  }
  return { kind: "json", paths, fallback, label: null };
}

/** The route's "backends", or its "redirect" and "status", as written: what an entry without either inherits. */
function actionFields(route: JsonObject): JsonObject {
  const inherited: Record<string, unknown> = {};
  for (const name of ["backends", "redirect", "status"]) if (route[name] !== undefined) inherited[name] = route[name];
  return inherited;
}

function readPaths(value: unknown, inherited: Inherited, routeAction: JsonObject): PathRule[] {
  const paths = asObject(value, '"paths"');
  const rules: PathRule[] = [];
  const written = new Map<string, string>();
  for (const [key, entry] of Object.entries(paths)) {
    const where = `paths["${key}"]`;
    const problem = validatePrefix(key);
    if (problem) throw new RouteSyntaxError(`${where}: ${problem}`);
    // Compared with canonical request paths, so kept canonical too; two spellings of one prefix are one mistake.
    const prefix = canonicalPrefix(key);
    const twin = written.get(prefix);
    if (twin !== undefined) throw new RouteSyntaxError(`${where} is the same prefix as paths["${twin}"]`);
    written.set(prefix, key);
    if (typeof entry === "string" || Array.isArray(entry)) {
      rules.push({ prefix, strip: false, action: forward(readBackends(entry, where), inherited, where) });
      continue;
    }
    const object = asObject(entry, where, "a backend, a list of backends, or an object");
    checkFields(object, ENTRY_FIELDS, where);
    const strip = object["strip"] ?? false;
    if (typeof strip !== "boolean") throw new RouteSyntaxError(`${field(where, "strip")} must be true or false`);
    // Neither backends nor redirect: the route's, read again with this entry's settings (its sticky, its policies).
    const inheritsAction = object["backends"] === undefined && object["redirect"] === undefined;
    const action = readAction(
      inheritsAction ? { ...routeAction, ...object } : object,
      where,
      readSettings(object, where, inherited),
    );
    if (action === null) {
      throw new RouteSyntaxError(`${where} needs "backends" or "redirect" (the route has neither to inherit)`);
    }
    rules.push({ prefix, strip, action });
  }
  if (rules.length === 0) throw new RouteSyntaxError('"paths" is empty');
  return sortPathRules(rules);
}

/** The object's own settings over what it inherits. */
function readSettings(object: JsonObject, where: string, inherited: Inherited): Inherited {
  const strategy = object["strategy"];
  if (strategy !== undefined && !STRATEGIES.includes(strategy as Strategy)) {
    throw new RouteSyntaxError(
      `${field(where, "strategy")} must be "random" or "round-robin", not ${JSON.stringify(strategy)}`,
    );
  }
  const timeout = object["timeout"];
  const timeoutMs =
    timeout === undefined ? inherited.timeoutMs : readDuration(timeout, field(where, "timeout"), MAX_TIMEOUT);
  const network = object["network"];
  const networkProblem = network === undefined ? null : networkFieldProblem(network);
  if (networkProblem) throw new RouteSyntaxError(`${field(where, "network")} ${networkProblem}`);
  const requestHeaders = object["requestHeaders"];
  const responseHeaders = object["responseHeaders"];
  return {
    sticky: object["sticky"] === undefined ? inherited.sticky : object["sticky"],
    policies: readPolicies(object, where, inherited.policies),
    strategy: (strategy as Strategy | undefined) ?? inherited.strategy,
    timeoutMs,
    network: (network as string | undefined) ?? inherited.network,
    requestHeaders:
      requestHeaders === undefined
        ? inherited.requestHeaders
        : mergeHeaderEdits(inherited.requestHeaders, parseHeaderEdits(requestHeaders, field(where, "requestHeaders"))),
    responseHeaders:
      responseHeaders === undefined
        ? inherited.responseHeaders
        : mergeHeaderEdits(
            inherited.responseHeaders,
            parseHeaderEdits(responseHeaders, field(where, "responseHeaders")),
          ),
  };
}

/** The forward or redirect action an object describes; null when it has neither. */
function readAction(object: JsonObject, where: string, settings: Inherited): Action | null {
  const redirect = object["redirect"];
  const status = object["status"];
  if (redirect === undefined) {
    if (status !== undefined) throw new RouteSyntaxError(`${field(where, "status")} only applies with "redirect"`);
    if (object["backends"] === undefined) {
      // A route of path rules only: its sticky settings are for the rules, but check them now.
      if (object["sticky"]) readSticky(object["sticky"], field(where, "sticky"), []);
      return null;
    }
    return forward(readBackends(object["backends"], field(where, "backends")), settings, where);
  }
  for (const name of FORWARD_ONLY) {
    if (object[name] !== undefined) {
      throw new RouteSyntaxError(`${field(where, name)} cannot be combined with "redirect"`);
    }
  }
  if (status !== undefined && !REDIRECT_STATUSES.includes(status as RedirectStatus)) {
    throw new RouteSyntaxError(`${field(where, "status")} must be 301, 302, 307 or 308, not ${JSON.stringify(status)}`);
  }
  return {
    type: "redirect",
    target: readRedirectTarget(redirect, field(where, "redirect")),
    status: (status as RedirectStatus | undefined) ?? 302,
    responseHeaders: settings.responseHeaders,
    ...(settings.policies ? { policies: settings.policies } : {}),
  };
}

function forward({ backends, weights }: BackendList, settings: Inherited, where: string): ForwardAction {
  const { policies, sticky } = settings;
  // removeHeader: the upstream never sees the credentials (a header edit, so it costs nothing per request).
  const requestHeaders = policies?.basicAuth?.removeHeader
    ? mergeHeaderEdits(settings.requestHeaders, [["authorization", null]])
    : settings.requestHeaders;
  return {
    type: "forward",
    backends,
    strategy: settings.strategy ?? (weights ? "round-robin" : "random"),
    timeoutMs: settings.timeoutMs,
    requestHeaders,
    responseHeaders: settings.responseHeaders,
    ...(weights ? { weights } : {}),
    ...(sticky ? { sticky: readSticky(sticky, field(where, "sticky"), backends) } : {}),
    ...(policies ? { policies } : {}),
    ...(settings.network === undefined ? {} : { network: settings.network }),
  };
}

function readRedirectTarget(value: unknown, where: string): Upstream {
  if (typeof value !== "string" || !/^https?:\/\//i.test(value.trim())) {
    throw new RouteSyntaxError(`${where} must be an http:// or https:// URL, such as "https://www.example.com"`);
  }
  return upstream(value, where);
}

function checkFields(object: JsonObject, allowed: ReadonlySet<string>, where: string): void {
  for (const name of Object.keys(object)) {
    if (allowed.has(name)) continue;
    // Catches the usual slips: "backend", "Backends", "path".
    const lower = name.toLowerCase();
    const near = [...allowed].find((known) => [lower, `${lower}s`].includes(known.toLowerCase()));
    throw new RouteSyntaxError(
      `${where ? `${where}: ` : ""}unknown field "${name}"${near ? ` (did you mean "${near}"?)` : ""}; known fields: ${[...allowed].join(", ")}`,
    );
  }
}

function field(where: string, name: string): string {
  return where ? `${where}.${name}` : `"${name}"`;
}
