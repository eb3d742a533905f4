import { serialize } from "hono/utils/cookie";
import { type StickyCookie } from "./route.ts";
import { RouteSyntaxError } from "./route-syntax-error.ts";
import type { Upstream } from "./upstream.ts";
import { upstream } from "./value-reading.ts";

/*
 * The backends of a JSON route and its sticky cookie:
 *
 *   "backends": "10.0.0.1:8080" | ["10.0.0.1:8080", {"url": "10.0.0.2:8080", "weight": 3}]
 *   "sticky":   {"cookie": {"name": "lb", "secure": true, "httpOnly": true, "sameSite": "lax", "maxAge": 3600}}
 */

export interface BackendList {
  readonly backends: Upstream[];
  /** Parallel to backends; undefined when no backend has a weight (every one counts 1). */
  readonly weights: number[] | undefined;
}

const MAX_WEIGHT = 1000;
const SAME_SITE = ["none", "lax", "strict"] as const;
const COOKIE_FIELDS = ["name", "secure", "httpOnly", "sameSite", "maxAge", "path"];
/** RFC 6265 §4.1.1: a cookie name is a token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;

export function readBackends(value: unknown, where: string): BackendList {
  if (typeof value === "string") return { backends: [upstream(value, where)], weights: undefined };
  if (!Array.isArray(value)) {
    throw new RouteSyntaxError(`${where} must be a backend ("10.0.0.1:8080") or a list of backends`);
  }
  if (value.length === 0) throw new RouteSyntaxError(`${where} is empty`);
  let weighted = false;
  const weights: number[] = [];
  const backends = value.map((item: unknown, i) => {
    const at = `${where}[${i}]`;
    if (typeof item === "string") {
      weights.push(1);
      return upstream(item, at);
    }
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw new RouteSyntaxError(`${at} must be a string or {"url": "10.0.0.1:8080", "weight": 1}`);
    }
    const object = item as Readonly<Record<string, unknown>>;
    for (const name of Object.keys(object)) {
      if (name !== "url" && name !== "weight") {
        throw new RouteSyntaxError(`${at}: unknown field "${name}"; known fields: url, weight`);
      }
    }
    if (typeof object["url"] !== "string")
      throw new RouteSyntaxError(`${at}.url must be a string such as "10.0.0.1:8080"`);
    const weight = object["weight"] ?? 1;
    if (!Number.isInteger(weight) || (weight as number) < 0 || (weight as number) > MAX_WEIGHT) {
      throw new RouteSyntaxError(`${at}.weight must be a whole number from 0 (drained) to ${MAX_WEIGHT}`);
    }
    weighted = true;
    weights.push(weight as number);
    return upstream(object["url"], `${at}.url`);
  });
  if (weighted && !weights.some((weight) => weight > 0)) {
    throw new RouteSyntaxError(`${where}: every backend has weight 0; at least one must take traffic`);
  }
  return { backends, weights: weighted ? weights : undefined };
}

/**
 * The sticky cookie's name and attributes, checked here so a bad one makes
 * the value invalid. The value naming each backend is an HMAC of the
 * backend's URL under the router's secret (dispatch/sticky.ts), not a plain
 * hash of it: a client cannot work out or forge the value of any backend, a
 * drained one included, and only values the router issued select one.
 */
export function readSticky(value: unknown, where: string, _backends: readonly Upstream[]): StickyCookie {
  const sticky = value as Readonly<Record<string, unknown>> | null;
  const cookie = typeof sticky === "object" && sticky !== null && !Array.isArray(sticky) ? sticky["cookie"] : undefined;
  if (!sticky || Object.keys(sticky).some((key) => key !== "cookie") || cookie === undefined) {
    throw new RouteSyntaxError(`${where} must be {"cookie": {"name": "lb", …}} (or {"cookie": {}} for defaults)`);
  }
  if (typeof cookie !== "object" || cookie === null || Array.isArray(cookie)) {
    throw new RouteSyntaxError(`${where}.cookie must be an object`);
  }
  const options = cookie as Readonly<Record<string, unknown>>;
  for (const name of Object.keys(options)) {
    if (!COOKIE_FIELDS.includes(name)) {
      throw new RouteSyntaxError(`${where}.cookie: unknown field "${name}"; known fields: ${COOKIE_FIELDS.join(", ")}`);
    }
  }
  const name = options["name"] ?? "lb";
  if (typeof name !== "string" || !TOKEN.test(name)) {
    throw new RouteSyntaxError(`${where}.cookie.name must be a cookie name (letters, digits, - _ .), such as "lb"`);
  }
  for (const flag of ["secure", "httpOnly"]) {
    if (options[flag] !== undefined && typeof options[flag] !== "boolean") {
      throw new RouteSyntaxError(`${where}.cookie.${flag} must be true or false`);
    }
  }
  const sameSite = options["sameSite"];
  if (sameSite !== undefined && !SAME_SITE.includes(sameSite as (typeof SAME_SITE)[number])) {
    throw new RouteSyntaxError(`${where}.cookie.sameSite must be "none", "lax" or "strict"`);
  }
  const maxAge = options["maxAge"];
  // RFC 6265bis: user agents cap cookie lifetimes at 400 days.
  if (
    maxAge !== undefined &&
    (!Number.isInteger(maxAge) || (maxAge as number) < 1 || (maxAge as number) > 34_560_000)
  ) {
    throw new RouteSyntaxError(`${where}.cookie.maxAge must be whole seconds from 1 to 34560000 (400 days)`);
  }
  const path = options["path"] ?? "/";
  if (typeof path !== "string" || !/^\/[\x21-\x3a\x3c-\x7e]*$/.test(path)) {
    throw new RouteSyntaxError(`${where}.cookie.path must be a path starting with "/"`);
  }
  let attributes: string;
  try {
    // Serialised once with an empty value: what follows `name=` is the same for every backend.
    attributes = serialize(name, "", {
      path,
      ...(options["secure"] === true ? { secure: true } : {}),
      ...(options["httpOnly"] === true ? { httpOnly: true } : {}),
      ...(sameSite ? { sameSite: sameSite as "Lax" } : {}),
      ...(typeof maxAge === "number" ? { maxAge } : {}),
    }).slice(name.length + 1);
  } catch (error) {
    throw new RouteSyntaxError(`${where}.cookie: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { name, attributes };
}
