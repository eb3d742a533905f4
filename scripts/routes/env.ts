import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_PRIVATE_RANGES } from "../../src/route-value/network.ts";
import { readWranglerToml } from "../lib/worker-bundle.ts";
import { readNetworkBindings } from "./networks.ts";

/** Where the CLI finds the route store, and the key prefix the worker uses. */
export interface CliEnv {
  readonly url: string;
  readonly token: string;
  /** Where the credentials came from, for messages: "environment" or ".dev.vars". */
  readonly source: string;
  readonly keyPrefix: string;
  /** HIPACHE_ROUTES, as the worker reads it: whether lookups read `frontend:` lists. */
  readonly hipacheRoutes: boolean;
  /** PRIVATE_NETWORK_RANGES, as the worker reads it: which addresses go through PRIVATE_NETWORK. */
  readonly privateRanges: string;
  /** The bindings wrangler.toml declares in any environment (networks.ts); null when it cannot be read. */
  readonly networkBindings: readonly string[] | null;
}

export class CliUsageError extends Error {}

const ROOT = join(import.meta.dirname, "..", "..");

/**
 * UPSTASH_REDIS_REST_URL / _TOKEN from the environment, else from .dev.vars
 * (what `npm start` writes), so the same commands manage the local stack and
 * a real Upstash database. ROUTE_KEY_PREFIX and HIPACHE_ROUTES from the
 * environment, else the worker's own `[vars]` in wrangler.toml; so is
 * PRIVATE_NETWORK_RANGES, and the bindings a route's `"network"` may name.
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

/**
 * How the worker names route keys (ROUTE_KEY_PREFIX, HIPACHE_ROUTES) and which networks it can reach
 * (PRIVATE_NETWORK_RANGES, the bindings of wrangler.toml): from the environment, else wrangler.toml.
 */
export function readKeySettings(
  env: NodeJS.ProcessEnv = process.env,
  root = ROOT,
): Pick<CliEnv, "keyPrefix" | "hipacheRoutes" | "privateRanges" | "networkBindings"> {
  const vars = () => readWranglerToml(join(root, "wrangler.toml")).vars;
  const keyPrefix = env["ROUTE_KEY_PREFIX"] ?? vars()["ROUTE_KEY_PREFIX"] ?? "";
  const hipache = (env["HIPACHE_ROUTES"] ?? vars()["HIPACHE_ROUTES"] ?? "false").trim().toLowerCase();
  return {
    keyPrefix,
    hipacheRoutes: hipache === "true" || hipache === "1",
    privateRanges: env["PRIVATE_NETWORK_RANGES"] ?? vars()["PRIVATE_NETWORK_RANGES"] ?? DEFAULT_PRIVATE_RANGES,
    networkBindings: readNetworkBindings(join(root, "wrangler.toml")),
  };
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
