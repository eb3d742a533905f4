import { readFileSync } from "node:fs";
import type { Redis } from "@upstash/redis";
import { deadKey } from "../../src/lookup/dead-set.ts";
import { parseHostPattern } from "../../src/lookup/patterns.ts";
import { RouteSyntaxError } from "../../src/route-value/route-syntax-error.ts";
import type { RouteSpec } from "../../src/route-value/route.ts";
import { parseRouteValue } from "../../src/route-value/value.ts";
import { agentsManaging } from "./agent-marks.ts";
import { readRoutes, routeKey, routeKeys, scanRoutes, type StoredRoute } from "./catalog.ts";
import { kindOf, table, ttlText, upstreamsOf } from "./describe.ts";
import type { CliEnv } from "./env.ts";
import { namedNetworks } from "./networks.ts";
import { policyRows } from "./policies-text.ts";
import { parseImportFile, type ExportEntry } from "./import-file.ts";

export interface Context {
  readonly redis: Redis;
  readonly env: CliEnv;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** A refusal or a miss: printed as `routes: <message>`, exit status 1, nothing written. */
export class CommandFailure extends Error {}

export async function setRoute(ctx: Context, hostText: string, value: string, ttl: number | null): Promise<void> {
  const host = pattern(hostText);
  let spec: RouteSpec;
  try {
    spec = parseRouteValue(value);
  } catch (error) {
    if (error instanceof RouteSyntaxError) {
      throw new CommandFailure(`refused: the value for ${host} is invalid: ${error.message}`);
    }
    throw error;
  }
  checkNetworks(ctx, host, namedNetworks(spec));
  const key = ctx.env.keyPrefix + host;
  const stored = value.trim();
  if (ttl === null) await ctx.redis.set(key, stored);
  else await ctx.redis.set(key, stored, { ex: ttl });
  const [route] = await readRoutes(ctx.redis, [{ host, key, format: "string" }]);
  ctx.out(
    `set ${key} → ${route?.spec ? upstreamsOf(route.spec).join("; ") : stored}${ttl ? ` (expires in ${ttl}s)` : ""}`,
  );
  const [list] = await readRoutes(ctx.redis, routeKeys(host, ctx.env.keyPrefix).slice(1));
  if (list) ctx.out(`note: ${list.key} also exists; the string key ${key} takes precedence`);
}

export async function getRoute(ctx: Context, hostText: string, json: boolean): Promise<void> {
  const host = pattern(hostText);
  const routes = await readRoutes(ctx.redis, routeKeys(host, ctx.env.keyPrefix));
  if (routes.length === 0) {
    throw new CommandFailure(`no route for ${host} (no key ${ctx.env.keyPrefix}${host}, no Hipache list either)`);
  }
  const managed = await agentsManaging(ctx.redis, ctx.env.keyPrefix, routes);
  if (json) {
    ctx.out(
      JSON.stringify(
        routes.map((route) => summary(route, managed)),
        null,
        2,
      ),
    );
    return;
  }
  routes.forEach((route, i) => {
    if (i > 0) ctx.out("");
    const rows: [string, string][] = [
      ["key", route.key + (routes.length > 1 ? (i === 0 ? "   (takes precedence)" : "   (shadowed)") : "")],
      ["kind", route.spec ? kindOf(route.spec) : "invalid"],
    ];
    if (route.spec?.label) rows.push(["identifier", route.spec.label]);
    const agents = managed.get(route.key);
    if (agents) rows.push(["managed", `by the container agent (npm run docker): ${agents.join(", ")}`]);
    if (route.spec) for (const line of upstreamsOf(route.spec)) rows.push(["upstream", line]);
    if (route.spec) for (const line of policyRows(route.spec)) rows.push(["policy", line]);
    if (route.problem) rows.push(["problem", `${route.problem} (the router answers 502 for this host)`]);
    rows.push(["ttl", route.ttl === null ? "none" : `${route.ttl}s`]);
    rows.push(["value", rawText(route)]);
    for (const [name, text] of rows) ctx.out(`${name.padEnd(10)} ${text}`);
  });
}

export async function listRoutes(ctx: Context, globPattern: string, json: boolean): Promise<void> {
  const routes = await scanRoutes(ctx.redis, ctx.env.keyPrefix, globPattern);
  const managed = await agentsManaging(ctx.redis, ctx.env.keyPrefix, routes);
  if (json) {
    ctx.out(
      JSON.stringify(
        routes.map((route) => summary(route, managed)),
        null,
        2,
      ),
    );
    return;
  }
  if (routes.length === 0) {
    ctx.out(`no routes${globPattern === "*" ? "" : ` matching ${globPattern}`}${prefixNote(ctx)}`);
    return;
  }
  // Upstreams last: the one column of no fixed width. AGENT only when a container agent manages some.
  const agentColumn = managed.size > 0;
  const rows = routes.map((route) => [
    route.host,
    route.spec ? kindOf(route.spec) : "invalid",
    ttlText(route.ttl),
    ...(agentColumn ? [managed.has(route.key) ? `docker: ${managed.get(route.key)?.join(",") ?? ""}` : "-"] : []),
    route.spec ? upstreamsOf(route.spec).join("; ") : `${route.key}: ${route.problem ?? ""}`,
  ]);
  ctx.out(table(["HOST", "KIND", "TTL", ...(agentColumn ? ["AGENT"] : []), "UPSTREAMS"], rows));
}

export async function removeRoute(ctx: Context, hostText: string): Promise<void> {
  const host = pattern(hostText);
  const keys = [...routeKeys(host, ctx.env.keyPrefix).map((k) => k.key), deadKey(host, ctx.env.keyPrefix)];
  const existing = await readRoutes(ctx.redis, routeKeys(host, ctx.env.keyPrefix));
  if (existing.length === 0) throw new CommandFailure(`no route for ${host}: nothing removed`);
  await ctx.redis.del(...keys);
  ctx.out(`removed ${existing.map((route) => route.key).join(" and ")}`);
}

export async function exportRoutes(ctx: Context): Promise<void> {
  const routes = await scanRoutes(ctx.redis, ctx.env.keyPrefix, "*");
  const entries: ExportEntry[] = [];
  for (const route of routes) {
    if (route.raw === null) {
      ctx.err(`warning: ${route.key} ${route.problem ?? "is not a route"}: left out`);
      continue;
    }
    if (route.problem)
      ctx.err(`warning: ${route.key} is invalid (${route.problem}): exported as is; import will refuse it`);
    const ttl = route.ttl === null ? {} : { ttl: route.ttl };
    if (typeof route.raw !== "string") entries.push({ host: route.host, hipache: route.raw, ...ttl });
    else
      entries.push({
        host: route.host,
        value: route.spec?.kind === "json" ? JSON.parse(route.raw) : route.raw,
        ...ttl,
      });
  }
  ctx.out(JSON.stringify({ routes: entries }, null, 2));
  ctx.err(`exported ${entries.length} route${entries.length === 1 ? "" : "s"}${prefixNote(ctx)}`);
}

export async function importRoutes(ctx: Context, path: string, dryRun: boolean): Promise<void> {
  let text: string;
  try {
    text = readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (error) {
    throw new CommandFailure(`cannot read ${path}: ${(error as Error).message}`);
  }
  const parsed = parseImportFile(text);
  const { entries } = parsed;
  const problems = [...parsed.problems, ...networkProblems(ctx, entries)];
  if (problems.length > 0) {
    throw new CommandFailure(
      `refused: ${path} has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was written\n  ${problems.join("\n  ")}`,
    );
  }
  const keys = entries.map((entry) => routeKey(entry.host, ctx.env.keyPrefix, entry.format));
  const current = new Map((await readRoutes(ctx.redis, keys)).map((route) => [route.key, route]));
  const counts = { added: 0, changed: 0, unchanged: 0 };
  for (const [i, entry] of entries.entries()) {
    const key = keys[i]?.key ?? "";
    const before = current.get(key);
    const same =
      before && canonical(before.raw) === canonical(entry.value) && (entry.ttl === null) === (before.ttl === null);
    const mark = !before ? "+" : same ? "=" : "~";
    counts[!before ? "added" : same ? "unchanged" : "changed"]++;
    ctx.out(
      `${mark} ${key}  ${typeof entry.value === "string" ? entry.value : JSON.stringify(entry.value)}${entry.ttl ? ` (ttl ${entry.ttl}s)` : ""}`,
    );
  }
  const tally = `${entries.length} route${entries.length === 1 ? "" : "s"}: ${counts.added} new, ${counts.changed} changed, ${counts.unchanged} unchanged`;
  if (dryRun) {
    ctx.out(`dry run: ${tally}; nothing written`);
    return;
  }
  if (entries.length === 0) {
    ctx.out("nothing to import");
    return;
  }
  // One MULTI/EXEC: every route is written, or (if Redis refuses a command) none.
  const transaction = ctx.redis.multi();
  for (const [i, entry] of entries.entries()) {
    const key = keys[i]?.key ?? "";
    if (typeof entry.value === "string") {
      if (entry.ttl === null) transaction.set(key, entry.value);
      else transaction.set(key, entry.value, { ex: entry.ttl });
    } else {
      transaction.del(key);
      transaction.rpush(key, ...entry.value);
      if (entry.ttl !== null) transaction.expire(key, entry.ttl);
    }
  }
  await transaction.exec();
  ctx.out(`imported ${tally}`);
}

/**
 * A `"network"` the worker cannot have is refused, when wrangler.toml says
 * which bindings it has: the worker would answer 502 for the host.
 */
function checkNetworks(ctx: Context, host: string, names: readonly string[]): void {
  const known = ctx.env.networkBindings;
  if (known === null) return;
  const unknown = names.find((name) => !known.includes(name));
  if (unknown === undefined) return;
  throw new CommandFailure(
    `refused: the value for ${host} names the network ${unknown}, which no environment in wrangler.toml binds (${known.length === 0 ? "it binds none" : `it binds ${known.join(", ")}`}); add a [[vpc_networks]] binding named ${unknown} (docs/private-upstreams.md), or use "public"`,
  );
}

/** The entries whose `"network"` no environment in wrangler.toml binds (none when it cannot be read). */
function networkProblems(ctx: Context, entries: readonly { host: string; value: unknown }[]): string[] {
  const known = ctx.env.networkBindings;
  if (known === null) return [];
  return entries.flatMap((entry) =>
    typeof entry.value === "string"
      ? namedNetworks(parseRouteValue(entry.value))
          .filter((name) => !known.includes(name))
          .map((name) => `${entry.host}: names the network ${name}, which no environment in wrangler.toml binds`)
      : [],
  );
}

/** Which key and backend a request would use, and why. */
function pattern(text: string): string {
  try {
    return parseHostPattern(text);
  } catch (error) {
    if (error instanceof RouteSyntaxError) throw new CommandFailure(`refused: ${error.message}`);
    throw error;
  }
}

function summary(route: StoredRoute, managed: ReadonlyMap<string, string[]>): Record<string, unknown> {
  return {
    host: route.host,
    key: route.key,
    kind: route.spec ? kindOf(route.spec) : "invalid",
    upstreams: route.spec ? upstreamsOf(route.spec) : [],
    ttl: route.ttl,
    value: route.raw,
    problem: route.problem,
    /** The container agents (npm run docker) that manage this route; null: none does. */
    managedBy: managed.get(route.key) ?? null,
  };
}

function rawText(route: StoredRoute): string {
  if (route.raw === null) return "(not shown)";
  if (typeof route.raw !== "string") return route.raw.join(" ");
  if (route.spec?.kind !== "json") return route.raw;
  return JSON.stringify(JSON.parse(route.raw), null, 2).replace(/\n/g, "\n           ");
}

/** A value as compared by import: JSON routes by content, not by spacing. */
function canonical(value: string | readonly string[] | null): string {
  if (typeof value !== "string") return JSON.stringify(value);
  if (!value.trim().startsWith("{")) return value.trim();
  try {
    return JSON.stringify(JSON.parse(value));
  } catch {
    return value;
  }
}

export function prefixNote(ctx: Context): string {
  return ctx.env.keyPrefix ? ` (under the prefix "${ctx.env.keyPrefix}")` : "";
}
