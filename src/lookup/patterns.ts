import { InvalidHostError } from "../errors.ts";
import { normalizeHost } from "../receive/index.ts";
import { RouteSyntaxError } from "../route-value/index.ts";

/** How a key is read: a string (GET) or a Hipache list (LRANGE). */
export type KeyFormat = "string" | "hipache";

/** One key that may hold a host's route, in the order they are tried. */
export interface Candidate {
  /** The host pattern: the host itself, `*.example.com`, or `*`. */
  readonly pattern: string;
  readonly key: string;
  readonly format: KeyFormat;
}

/** Hipache keeps a host's backends in the list `frontend:<host>`. */
export const HIPACHE_PREFIX = "frontend:";
/** …and the backends it found dead in the set `dead:<host pattern>` (dead-set.ts). */
export const DEAD_PREFIX = "dead:";

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * The patterns that may route a normalised host, most specific first: the
 * host; `*.parent` for every parent domain, nearest first (`a.b.example.com`
 * → `*.b.example.com`, `*.example.com`, `*.com`), so a wildcard matches
 * subdomains at any depth but never its own apex; then the catch-all `*`.
 * An IP literal has no parent domains.
 */
export function hostPatterns(host: string): string[] {
  const patterns = [host];
  if (!host.startsWith("[") && !IPV4.test(host)) {
    for (let dot = host.indexOf("."); dot !== -1; dot = host.indexOf(".", dot + 1)) {
      patterns.push(`*${host.slice(dot)}`);
    }
  }
  patterns.push("*");
  return patterns;
}

/**
 * Every key that may hold the route, in precedence order: per pattern, the
 * string key, then (unless `hipache` is off) the Hipache list.
 */
export function candidateKeys(host: string, prefix: string, hipache = true): Candidate[] {
  return hostPatterns(host).flatMap((pattern): Candidate[] => [
    { pattern, key: prefix + pattern, format: "string" },
    ...(hipache ? [{ pattern, key: prefix + HIPACHE_PREFIX + pattern, format: "hipache" } as const] : []),
  ]);
}

/**
 * A host pattern as an operator types it (`App.Example.com.`, `*.example.com`,
 * `*`) in the form keys use; refuses anything the router would never look up.
 */
export function parseHostPattern(text: string): string {
  const value = text.trim();
  if (value === "*") return "*";
  const wildcard = value.startsWith("*.");
  const name = wildcard ? value.slice(2) : value;
  if (name.includes("*")) {
    throw new RouteSyntaxError(`"${value}": a wildcard is "*" alone or "*." followed by a domain, as in *.example.com`);
  }
  let host: string;
  try {
    host = normalizeHost(name);
  } catch (error) {
    if (!(error instanceof InvalidHostError)) throw error;
    throw new RouteSyntaxError(`"${value}" is not a host name (${error.reason})`);
  }
  if (/:\d+$/.test(name) && !name.endsWith("]")) {
    throw new RouteSyntaxError(
      `"${value}": routes are per host name, whatever the port; drop ":${name.split(":").pop() ?? ""}"`,
    );
  }
  if (wildcard && (host.startsWith("[") || IPV4.test(host))) {
    throw new RouteSyntaxError(`"${value}": an IP address has no subdomains to match`);
  }
  return wildcard ? `*.${host}` : host;
}
