import { FORWARDING_HEADERS } from "../receive/index.ts";
import { HOP_BY_HOP } from "../lib/hop-by-hop.ts";
import { HOPS_HEADER } from "../receive/index.ts";
import { type HeaderEdits } from "./route.ts";
import { RouteSyntaxError } from "./route-syntax-error.ts";

/** RFC 9110 §5.6.2: a field name is a token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** RFC 9110 §5.5: no CR, LF or NUL in a field value; we also refuse other controls but tab. */
// eslint-disable-next-line no-control-regex -- control characters are what we refuse
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * Headers a route may not edit: hop-by-hop ones describe one connection
 * (RFC 9110 §7.6.1), Content-Length frames the message (RFC 9112 §6.2), the
 * platform sets the upstream's Host from its URL, so editing it would do
 * nothing the operator expects, and the forwarding headers and the hop
 * counter are the router's own word to the upstream (set after the route's
 * edits, which could only be overwritten or, for X-Forwarded-For, end up in
 * front of the address the router vouches for).
 */
const FORBIDDEN: ReadonlySet<string> = new Set([
  ...HOP_BY_HOP,
  "content-length",
  "host",
  ...FORWARDING_HEADERS,
  HOPS_HEADER,
]);

/** Reads `{"X-Name": "value" | null, …}`; names are lower-cased, later entries win. */
export function parseHeaderEdits(value: unknown, where: string): HeaderEdits {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RouteSyntaxError(`${where} must be an object of header names to values, such as {"X-Env": "prod"}`);
  }
  const edits = new Map<string, string | null>();
  for (const [rawName, headerValue] of Object.entries(value)) {
    const name = rawName.toLowerCase();
    if (!TOKEN.test(rawName)) throw new RouteSyntaxError(`${where}: "${rawName}" is not a valid header name`);
    if (FORBIDDEN.has(name)) throw new RouteSyntaxError(`${where}: the "${rawName}" header cannot be set by a route`);
    if (headerValue !== null && typeof headerValue !== "string") {
      throw new RouteSyntaxError(`${where}["${rawName}"] must be a string, or null to remove the header`);
    }
    if (typeof headerValue === "string" && BAD_VALUE.test(headerValue)) {
      throw new RouteSyntaxError(`${where}["${rawName}"] contains a line break or control character`);
    }
    edits.set(name, headerValue === null ? null : headerValue.trim());
  }
  return [...edits];
}

/** `inner` overrides `outer` name by name (a path entry over the route's own). */
export function mergeHeaderEdits(outer: HeaderEdits, inner: HeaderEdits): HeaderEdits {
  if (inner.length === 0) return outer;
  if (outer.length === 0) return inner;
  const merged = new Map(outer);
  for (const [name, value] of inner) merged.set(name, value);
  return [...merged];
}

/** Applies edits in place. */
export function applyHeaderEdits(headers: Headers, edits: HeaderEdits): void {
  for (const [name, value] of edits) {
    if (value === null) headers.delete(name);
    else headers.set(name, value);
  }
}
