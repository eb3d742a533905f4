import { parseSourceRange, type CidrRange } from "../lib/ip-range.ts";
import { parsePasswordHash, type PasswordHash } from "../lib/password-hash.ts";
import { readDuration } from "./duration.ts";
import { RouteSyntaxError } from "./route-syntax-error.ts";
import { isJsonObject, type JsonObject } from "./value-reading.ts";

/*
 * Per-route policies, named as Traefik's middlewares are:
 *
 *   "maintenance": {"message": "Back at 14:00 UTC", "retryAfter": 600}   (or true)
 *   "ipAllowList": {"sourceRange": ["192.0.2.0/24", "2001:db8::/32"]}
 *   "basicAuth":   {"users": ["alice:$pbkdf2-sha256$…"], "realm": "Staff", "removeHeader": true}
 *   "rateLimit":   {"average": 100, "period": "1s", "burst": 50}
 *
 * On a route and on a "paths" entry; an entry's own setting replaces the
 * route's for that prefix, and null there turns the route's off.
 */

export interface MaintenanceSpec {
  readonly message: string;
  /** Seconds, for Retry-After (RFC 9110 §10.2.3). */
  readonly retryAfter: number;
}

export interface IpAllowListSpec {
  readonly sourceRange: readonly string[];
  readonly ranges: readonly CidrRange[];
}

export interface BasicAuthSpec {
  /** User name → hash. */
  readonly users: ReadonlyMap<string, PasswordHash & { readonly line: string }>;
  readonly realm: string;
  /** Remove Authorization before forwarding (Traefik's removeHeader; default false). */
  readonly removeHeader: boolean;
}

export interface RateLimitSpec {
  /** Requests per period, on average. */
  readonly average: number;
  readonly periodMs: number;
  /** How many may come at once (the bucket's size). */
  readonly burst: number;
}

/** The policies that apply to one action; each null when off. */
export interface Policies {
  readonly maintenance: MaintenanceSpec | null;
  readonly ipAllowList: IpAllowListSpec | null;
  readonly basicAuth: BasicAuthSpec | null;
  readonly rateLimit: RateLimitSpec | null;
}

export const POLICY_FIELDS = ["maintenance", "ipAllowList", "basicAuth", "rateLimit"] as const;
const NONE: Policies = { maintenance: null, ipAllowList: null, basicAuth: null, rateLimit: null };
const MAX_RETRY_AFTER = 86_400 * 7;
const MAX_MESSAGE = 500;
const MAX_RANGES = 1000;
const MAX_USERS = 100;

/**
 * The object's policies over those it inherits; undefined when none apply,
 * so a route without policies costs one property check per request.
 */
export function readPolicies(object: JsonObject, where: string, inherited?: Policies): Policies | undefined {
  let policies: Policies = inherited ?? NONE;
  for (const name of POLICY_FIELDS) {
    const value = object[name];
    if (value === undefined) continue;
    const at = where ? `${where}.${name}` : `"${name}"`;
    policies = { ...policies, [name]: value === null ? null : READERS[name](value, at) };
  }
  return POLICY_FIELDS.some((name) => policies[name] !== null) ? policies : undefined;
}

const READERS: { readonly [K in keyof Policies]: (value: unknown, at: string) => NonNullable<Policies[K]> } = {
  maintenance(value, at) {
    if (value === true) return { message: "The service is down for maintenance.", retryAfter: 300 };
    const object = withFields(value, at, ["message", "retryAfter"]);
    const message = object["message"] ?? "The service is down for maintenance.";
    // eslint-disable-next-line no-control-regex -- control characters are what we refuse
    if (typeof message !== "string" || message.length > MAX_MESSAGE || /[\x00-\x08\x0b-\x1f\x7f]/.test(message)) {
      throw new RouteSyntaxError(`${at}.message must be text of at most ${MAX_MESSAGE} characters`);
    }
    const retryAfter = object["retryAfter"] ?? 300;
    if (!Number.isInteger(retryAfter) || (retryAfter as number) < 0 || (retryAfter as number) > MAX_RETRY_AFTER) {
      throw new RouteSyntaxError(`${at}.retryAfter must be whole seconds from 0 to ${MAX_RETRY_AFTER}`);
    }
    return { message, retryAfter: retryAfter as number };
  },

  ipAllowList(value, at) {
    const object = withFields(value, at, ["sourceRange"]);
    const list = object["sourceRange"];
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_RANGES) {
      throw new RouteSyntaxError(
        `${at}.sourceRange must be a list of 1 to ${MAX_RANGES} CIDRs, such as ["192.0.2.0/24"]`,
      );
    }
    const ranges = list.map((item: unknown, i) => {
      const range = typeof item === "string" ? parseSourceRange(item.trim()) : "not a string";
      if (typeof range === "string") throw new RouteSyntaxError(`${at}.sourceRange[${i}]: ${range}`);
      return range;
    });
    return { sourceRange: list as string[], ranges };
  },

  basicAuth(value, at) {
    const object = withFields(value, at, ["users", "realm", "removeHeader"]);
    const list = object["users"];
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_USERS) {
      throw new RouteSyntaxError(`${at}.users must be a list of 1 to ${MAX_USERS} "user:hash" lines`);
    }
    const users = new Map<string, PasswordHash & { line: string }>();
    list.forEach((line: unknown, i) => {
      const item = `${at}.users[${i}]`;
      if (typeof line !== "string") throw new RouteSyntaxError(`${item} must be a "user:hash" string`);
      const colon = line.indexOf(":");
      // RFC 7617 §2: the user-id cannot contain a colon; the hash may not be empty.
      if (colon <= 0) throw new RouteSyntaxError(`${item} must read "user:hash" (make one with routes passwd USER)`);
      const user = line.slice(0, colon);
      const hash = parsePasswordHash(line.slice(colon + 1));
      if (typeof hash === "string") throw new RouteSyntaxError(`${item} (user "${user}"): ${hash}`);
      if (users.has(user)) throw new RouteSyntaxError(`${item}: user "${user}" is listed twice`);
      users.set(user, { ...hash, line });
    });
    const realm = object["realm"] ?? "Restricted";
    if (typeof realm !== "string" || !/^[\x20-\x7e]{1,100}$/.test(realm)) {
      throw new RouteSyntaxError(`${at}.realm must be 1 to 100 printable ASCII characters`);
    }
    const removeHeader = object["removeHeader"] ?? false;
    if (typeof removeHeader !== "boolean") throw new RouteSyntaxError(`${at}.removeHeader must be true or false`);
    return { users, realm, removeHeader };
  },

  rateLimit(value, at) {
    const object = withFields(value, at, ["average", "period", "burst"]);
    const average = object["average"];
    if (!Number.isInteger(average) || (average as number) < 1 || (average as number) > 1_000_000) {
      throw new RouteSyntaxError(`${at}.average must be a whole number of requests from 1 to 1000000`);
    }
    const periodMs = readDuration(object["period"] ?? "1s", `${at}.period`, { maxMs: 86_400_000, hint: "24h" });
    const burst = object["burst"] ?? 1;
    if (!Number.isInteger(burst) || (burst as number) < 1 || (burst as number) > 1_000_000) {
      throw new RouteSyntaxError(`${at}.burst must be a whole number of requests from 1 to 1000000`);
    }
    return { average: average as number, periodMs, burst: burst as number };
  },
};

/** An object holding only these fields (isJsonObject's test, with this file's messages). */
function withFields(value: unknown, at: string, fields: readonly string[]): JsonObject {
  if (!isJsonObject(value)) {
    throw new RouteSyntaxError(`${at} must be an object with ${fields.map((f) => `"${f}"`).join(", ")}`);
  }
  for (const name of Object.keys(value)) {
    if (!fields.includes(name)) {
      throw new RouteSyntaxError(`${at}: unknown field "${name}"; known fields: ${fields.join(", ")}`);
    }
  }
  return value;
}
