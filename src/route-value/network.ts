import { inRanges, parseSourceRange, type CidrRange } from "../lib/ip-range.ts";

/*
 * Which way a backend is fetched: the global fetch() ("public"), or the
 * fetch() of a binding the worker has, such as a Workers VPC Network binding
 * (`[[vpc_networks]]`, a Cloudflare Tunnel into a private network). Decided
 * once per route value and worker (lookup/bind-networks.ts), never per request.
 */

/** A route's `"network"` that forces the global fetch(), whatever the address. */
export const PUBLIC_NETWORK = "public";
/** The binding a private address goes through when the route names none. */
export const DEFAULT_PRIVATE_NETWORK = "PRIVATE_NETWORK";
/** PRIVATE_NETWORK_RANGES' default: RFC 1918, RFC 6598 (CGNAT, Tailscale) and RFC 4193 (unique local IPv6). */
export const DEFAULT_PRIVATE_RANGES = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7";

/** fetch() as forward() calls it: the global one, or a binding's. */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

/** How a bound backend is reached. */
export interface Network {
  /** "public", or the binding's name (`PRIVATE_NETWORK`). */
  readonly name: string;
  /** The binding's fetch(); absent: the global fetch(). */
  readonly fetch?: FetchFunction;
}

/** What the worker knows to bind backends with: PRIVATE_NETWORK_RANGES and its bindings that have a fetch(). */
export interface NetworkSetup {
  readonly privateRanges: readonly CidrRange[];
  /** By binding name (`PRIVATE_NETWORK`, `STAGING_NETWORK`), each made once per configuration. */
  readonly bindings: ReadonlyMap<string, Network>;
}

/** The global fetch(): one object for every public backend. */
export const PUBLIC: Network = { name: PUBLIC_NETWORK };

/** A binding name as wrangler accepts it (a JavaScript identifier; `env.NAME`). */
const BINDING_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;

/** Why a `"network"` value is not one, or null when it is fine. */
export function networkFieldProblem(value: unknown): string | null {
  if (typeof value === "string" && (value === PUBLIC_NETWORK || BINDING_NAME.test(value))) return null;
  return `must be "${PUBLIC_NETWORK}" or a binding's name`;
}

/**
 * PRIVATE_NETWORK_RANGES: CIDR blocks, comma- or space-separated. Returns
 * the ranges, or why the text is not a list of them.
 */
export function parsePrivateRanges(text: string): readonly CidrRange[] | string {
  const ranges: CidrRange[] = [];
  for (const item of text.split(/[\s,]+/).filter((part) => part !== "")) {
    const range = parseSourceRange(item);
    if (typeof range === "string") return range;
    ranges.push(range);
  }
  return ranges;
}

/**
 * The network a backend goes through, by name: the route's own choice when
 * it makes one; else PRIVATE_NETWORK for an IP literal in the private ranges
 * when the worker has that binding; else "public". A host name is public
 * unless the route says otherwise: the worker cannot know where it resolves
 * (Cloudflare resolves it, not the tunnel's side).
 */
export function chooseNetwork(
  /** The backend's origin (`http://10.0.0.7:5000`). */
  origin: string,
  routeChoice: string | undefined,
  privateRanges: readonly CidrRange[],
  /** The worker's bindings, by name (a Map, or a Set of names). */
  bindings: { has(name: string): boolean },
): string {
  if (routeChoice !== undefined) return routeChoice;
  if (!bindings.has(DEFAULT_PRIVATE_NETWORK)) return PUBLIC_NETWORK;
  return inRanges(hostOf(origin), privateRanges) ? DEFAULT_PRIVATE_NETWORK : PUBLIC_NETWORK;
}

/** The origin's host without IPv6 brackets (`fc00::1` from `http://[fc00::1]:80`). */
function hostOf(origin: string): string {
  const host = new URL(origin).hostname;
  return host.startsWith("[") ? host.slice(1, -1) : host;
}
