import { existsSync, readFileSync } from "node:fs";
import {
  chooseNetwork,
  DEFAULT_PRIVATE_NETWORK,
  parsePrivateRanges,
  PUBLIC_NETWORK,
} from "../../src/route-value/network.ts";
import type { RouteSpec } from "../../src/route-value/route.ts";
import type { Upstream } from "../../src/route-value/upstream.ts";

/**
 * The bindings a `"network"` may name, as wrangler.toml declares them in any
 * environment: `[[vpc_networks]]`, `[[services]]`, and their
 * `[[env.NAME.vpc_networks]]` / `[[env.NAME.services]]` forms (the
 * table-array form this project's wrangler.toml uses). The CLI cannot know
 * which environment serves the routes it writes, so a name any of them binds
 * is accepted. Null when there is no wrangler.toml to read.
 */
export function readNetworkBindings(path: string): readonly string[] | null {
  if (!existsSync(path)) return null;
  const names = new Set<string>();
  let inBindingTable = false;
  for (const line of readFileSync(path, "utf8").split(/\r?\n/)) {
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$/.exec(line);
    if (header) {
      inBindingTable = /^(?:env\.[^.]+\.)?(?:vpc_networks|services)$/.test(header[1] ?? "") && line.includes("[[");
      continue;
    }
    const binding = inBindingTable ? /^\s*binding\s*=\s*"([^"]+)"/.exec(line) : null;
    if (binding?.[1]) names.add(binding[1]);
  }
  return [...names];
}

/** The `"network"` names a spec uses that are not "public". */
export function namedNetworks(spec: RouteSpec): string[] {
  const names = new Set<string>();
  for (const action of [spec.fallback, ...spec.paths.map((rule) => rule.action)]) {
    if (action?.type === "forward" && action.network !== undefined && action.network !== PUBLIC_NETWORK) {
      names.add(action.network);
    }
  }
  return [...names];
}

/**
 * Which way a backend goes, in words, as the worker would decide with these
 * bindings (null: wrangler.toml unread, so PRIVATE_NETWORK is assumed).
 */
export function networkText(
  backend: Upstream,
  routeChoice: string | undefined,
  rangesText: string,
  bindings: readonly string[] | null,
): string {
  const ranges = parsePrivateRanges(rangesText);
  const known = bindings ?? [DEFAULT_PRIVATE_NETWORK];
  const name = chooseNetwork(backend.origin, routeChoice, typeof ranges === "string" ? [] : ranges, new Set(known));
  const where =
    name === PUBLIC_NETWORK
      ? ""
      : known.includes(name)
        ? " (where the worker has it)"
        : " (no such binding in wrangler.toml: 502)";
  return (name === PUBLIC_NETWORK ? "direct (global fetch)" : `through the ${name} binding`) + where;
}
