import { normalizeHost } from "../../src/receive/host.ts";
import { lookupReads, resolveRoute, type LookupOptions } from "../../src/lookup/lookup.ts";
import { findPathRule, stripPrefix } from "../../src/route-value/paths.ts";
import type { Route } from "../../src/route-value/route.ts";
import { createUpstashRouteStore } from "../../src/lookup/store.ts";
import { CommandFailure, prefixNote, type Context } from "./commands.ts";
import { actionText, headersText, kindOf, upstreamText } from "./describe.ts";
import { networkText } from "./networks.ts";
import { policyLines } from "./policies-text.ts";

/**
 * `routes test HOST [PATH]`: the story of one request, told with the
 * router's own lookup and path matching (what the dashboard's host tester
 * tells too): the keys read and the one that decided, the path rule, the
 * policies in the order they are checked, and the backends in balance order.
 */
export async function testRoute(ctx: Context, hostText: string, target: string): Promise<void> {
  let host: string;
  try {
    host = normalizeHost(hostText);
  } catch (error) {
    throw new CommandFailure(`refused: ${(error as Error).message} (test takes a host as a client sends it)`);
  }
  if (!target.startsWith("/")) throw new CommandFailure(`refused: the path must start with "/", not "${target}"`);
  const queryAt = target.indexOf("?");
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  const query = queryAt === -1 ? "" : target.slice(queryAt);
  const store = createUpstashRouteStore({ url: ctx.env.url, token: ctx.env.token, timeoutMs: 10_000 });
  // backendDownMs only dates the marks read, which `test` lists without a time.
  const options: LookupOptions = {
    keyPrefix: ctx.env.keyPrefix,
    hipacheRoutes: ctx.env.hipacheRoutes,
    noRouteStatus: 403,
    sharedDownMarks: true,
    backendDownMs: 30_000,
  };
  const resolution = await resolveRoute(host, store, options);
  const all = lookupReads(host, options).candidates;
  const commands = lookupReads(host, { ...options, sharedDownMarks: false }).reads.length;

  ctx.out(`request   ${host}${target}`);
  ctx.out(
    `lookup    ${all.length} keys in 1 round trip (${commands} command${commands === 1 ? "" : "s"}; ${commands + 1} with SHARED_DOWN_MARKS), most specific first; the first key that exists decides`,
  );
  const decidedAt = resolution.decided ? all.findIndex((c) => c.key === resolution.decided?.key) : all.length;
  // MGET reads a key of another type as missing: say so, the router will not.
  const wrongTypes = await otherTypes(
    ctx,
    all.filter((c, i) => c.format === "string" && i <= decidedAt && resolution.candidates[i]?.outcome === "missing"),
  );
  const width = Math.max(...all.map((c) => c.key.length));
  all.forEach((candidate, i) => {
    const outcome = resolution.candidates[i];
    const other = wrongTypes.get(candidate.key);
    const state =
      i > decidedAt
        ? "not needed"
        : outcome?.outcome === "route"
          ? "← match"
          : outcome?.outcome === "invalid"
            ? "← INVALID"
            : other
              ? `missing: holds a Redis ${other}, not a string, so the router skips it`
              : "missing";
    ctx.out(`          ${candidate.key.padEnd(width)}  ${state}`);
  });

  const decided = resolution.decided;
  if (!decided)
    throw new CommandFailure(`no route: no key exists for ${host}; the router answers 403${prefixNote(ctx)}`);
  if (!resolution.route) {
    throw new CommandFailure(
      `${decided.key} decides, but its value is invalid: ${decided.problem ?? ""}; the router answers 502`,
    );
  }
  const route = resolution.route;
  ctx.out(
    `route     ${route.key} (${kindOf(route)}${route.label ? `, identifier ${route.label}` : ""}): ${why(route)}`,
  );
  explainAction(ctx, route, path, query);
}

function explainAction(ctx: Context, route: Route, path: string, query: string): void {
  const rule = findPathRule(route.paths, path);
  const action = rule ? rule.action : route.fallback;
  if (route.paths.length > 0) {
    ctx.out(
      rule
        ? `path      ${path} is under ${rule.prefix}${rule.strip ? `, stripped to ${stripPrefix(rule.prefix, path)}` : ""} (longest matching prefix)`
        : `path      ${path} is under no path rule; the route's own ${route.fallback ? "action applies" : "backends: none"}`,
    );
  }
  if (!action)
    throw new CommandFailure(
      `no path rule matches ${path} and the route has no backends of its own: the router answers 404`,
    );
  const policies = policyLines(action.policies);
  ctx.out(`policies  ${policies.length === 0 ? "none" : `checked in this order, the first refusal answers:`}`);
  for (const line of policies) ctx.out(`          ${line}`);
  const sent = (rule?.strip ? stripPrefix(rule.prefix, path) : path) + query;
  if (action.type === "redirect") {
    ctx.out(`redirect  ${action.status} → ${upstreamText(action.target)}${sent}`);
    return;
  }
  const marked = route.sharedDown && route.sharedDown.until > Date.now() ? route.sharedDown.origins : [];
  ctx.out(`forward   ${actionText(action)}${action.timeoutMs === null ? "" : `, timeout ${action.timeoutMs / 1000}s`}`);
  if (action.requestHeaders.length > 0) ctx.out(`          request headers: ${headersText(action.requestHeaders)}`);
  if (action.responseHeaders.length > 0) ctx.out(`          response headers: ${headersText(action.responseHeaders)}`);
  action.backends.forEach((backend, i) => {
    const down = marked.includes(backend.origin) ? "   (marked down in Redis: skipped while another is up)" : "";
    const weight = action.weights
      ? `   (weight ${action.weights[i] ?? 1}${action.weights[i] === 0 ? ": drained" : ""})`
      : "";
    ctx.out(`backend   ${i + 1}. ${upstreamText(backend)}${sent}${weight}${down}`);
    ctx.out(
      `          network: ${networkText(backend, action.network, ctx.env.privateRanges, ctx.env.networkBindings)}`,
    );
  });
  if (action.sticky) {
    ctx.out(
      `sticky    cookie ${action.sticky.name}: a client stays on the backend that first answered it while it is up`,
    );
  }
  if (action.backends.length > 1) {
    ctx.out(
      action.weights
        ? action.strategy === "round-robin"
          ? "choice    smooth weighted round robin (as nginx): each isolate spreads requests in proportion to the weights"
          : "choice    random in proportion to the weights"
        : action.strategy === "round-robin"
          ? "choice    round robin: each isolate takes the next backend for each request"
          : "choice    random: each request picks one at random",
    );
    ctx.out(
      "failover  on a refused connection or timeout, the next backend (idempotent requests whose body can be replayed)",
    );
  }
}

/** The Redis type of each key that exists but is not a string (one pipeline). */
async function otherTypes(ctx: Context, keys: readonly { key: string }[]): Promise<Map<string, string>> {
  const types = new Map<string, string>();
  if (keys.length === 0) return types;
  const pipeline = ctx.redis.pipeline();
  for (const { key } of keys) pipeline.type(key);
  const replies = await pipeline.exec<string[]>();
  keys.forEach(({ key }, i) => {
    const type = String(replies[i] ?? "none");
    if (type !== "none" && type !== "string") types.set(key, type);
  });
  return types;
}

function why(route: Route): string {
  if (route.pattern === route.host) return "the exact host";
  if (route.pattern === "*") return "the catch-all *, as no more specific key exists";
  return `the wildcard ${route.pattern}, the most specific one that exists`;
}
