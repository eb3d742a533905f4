import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readWranglerToml } from "../lib/worker-bundle.ts";

/** Where the CLI finds the route store, and the key prefix the worker uses. */
export interface CliEnv {
  readonly url: string;
  readonly token: string;
  /** Where the credentials came from, for messages: "environment" or ".dev.vars". */
  readonly source: string;
  readonly keyPrefix: string;
  /** HIPACHE_ROUTES, as the worker reads it: whether lookups read `frontend:` lists. */
  readonly hipacheRoutes: boolean;
}

export class CliUsageError extends Error {}

const ROOT = join(import.meta.dirname, "..", "..");

/**
 * UPSTASH_REDIS_REST_URL / _TOKEN from the environment, else from .dev.vars
 * (what `npm start` writes), so the same commands manage the local stack and
 * a real Upstash database. ROUTE_KEY_PREFIX and HIPACHE_ROUTES from the
 * environment, else the worker's own `[vars]` in wrangler.toml.
 */
export function readCliEnv(env: NodeJS.ProcessEnv = process.env, root = ROOT): CliEnv {
  let url = env["UPSTASH_REDIS_REST_URL"]?.trim() ?? "";
  let token = env["UPSTASH_REDIS_REST_TOKEN"]?.trim() ?? "";
  let source = "environment";
  if (!url || !token) {
    const devVars = readDevVars(join(root, ".dev.vars"));
    url ||= devVars["UPSTASH_REDIS_REST_URL"] ?? "";
    token ||= devVars["UPSTASH_REDIS_REST_TOKEN"] ?? "";
    source = "environment and .dev.vars";
  }
  for (const [name, value] of [
    ["UPSTASH_REDIS_REST_URL", url],
    ["UPSTASH_REDIS_REST_TOKEN", token],
  ] as const) {
    if (!value) {
      throw new CliUsageError(
        `${name} is not set: export it (the Upstash console shows it under REST API), or run \`npm start\`, which writes .dev.vars for the local stack`,
      );
    }
  }
  return { url, token, source, ...readKeySettings(env, root) };
}

/** How the worker names route keys: ROUTE_KEY_PREFIX and HIPACHE_ROUTES from the environment, else wrangler.toml. */
export function readKeySettings(
  env: NodeJS.ProcessEnv = process.env,
  root = ROOT,
): Pick<CliEnv, "keyPrefix" | "hipacheRoutes"> {
  const vars = () => readWranglerToml(join(root, "wrangler.toml")).vars;
  const keyPrefix = env["ROUTE_KEY_PREFIX"] ?? vars()["ROUTE_KEY_PREFIX"] ?? "";
  const hipache = (env["HIPACHE_ROUTES"] ?? vars()["HIPACHE_ROUTES"] ?? "false").trim().toLowerCase();
  return { keyPrefix, hipacheRoutes: hipache === "true" || hipache === "1" };
}

/** `NAME="value"` / `NAME=value` lines; # comments. */
function readDevVars(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const vars: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || line.trim().startsWith("#")) continue;
    const raw = match[2] ?? "";
    vars[match[1] ?? ""] = /^(["']).*\1$/.test(raw) ? raw.slice(1, -1) : raw;
  }
  return vars;
}
