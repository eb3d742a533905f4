import { DEAD_PREFIX, hostPatterns } from "./patterns.ts";
import type { RouteSpec, SharedDownMarks } from "../route-value/index.ts";
import type { Upstream } from "../route-value/index.ts";

/*
 * Hipache's `dead:<pattern>` sets (SHARED_DOWN_MARKS), both directions of
 * their member format in one place. A set is named after the route's host
 * pattern (`dead:*.example.com`), as Hipache names it after the frontend that
 * matched: every subdomain a wildcard routes shares its marks, and a request
 * for a random subdomain cannot create a key. A member names a backend:
 * - for a Hipache route, its index in the list (`0` is the first backend
 *   after the identifier), which is what Hipache itself writes and reads;
 * - for other routes, its origin (`http://10.0.0.1:8080`).
 */

/** The set that holds the marks for routes found under `pattern`. */
export function deadKey(pattern: string, prefix: string): string {
  return prefix + DEAD_PREFIX + pattern;
}

/** Every set a lookup for `host` may need: one per candidate pattern, read together (SUNION). */
export function deadKeys(host: string, prefix: string): string[] {
  return hostPatterns(host).map((pattern) => deadKey(pattern, prefix));
}

/** The member that marks `backend` of `route` dead. */
export function deadMember(route: RouteSpec, backend: Upstream): string {
  const index = hipacheIndex(route, backend);
  return index >= 0 ? String(index) : backend.origin;
}

/** Every member that may mark `backend` (both spellings for a Hipache route): what a recovery removes. */
export function deadMembers(route: RouteSpec, backend: Upstream): string[] {
  const index = hipacheIndex(route, backend);
  return index >= 0 ? [String(index), backend.origin] : [backend.origin];
}

/**
 * The members read for a route, as backend origins. The union of every
 * candidate pattern's set is read in the lookup's one round trip, before the
 * deciding pattern is known; a set of a less specific pattern only holds
 * members if that pattern decided for some host recently. Its expiry is not
 * read (it would cost one command per set): `until` is the furthest it can
 * be, BACKEND_DOWN_MS from now.
 */
export function sharedDownMarks(
  route: RouteSpec,
  members: readonly unknown[],
  now: number,
  downMs: number,
): SharedDownMarks | null {
  if (members.length === 0) return null;
  const backends = route.kind === "hipache" && route.fallback?.type === "forward" ? route.fallback.backends : [];
  const origins = members.map((member) => {
    const text = String(member);
    return /^\d+$/.test(text) ? (backends[Number(text)]?.origin ?? text) : text;
  });
  return { origins, until: now + downMs };
}

function hipacheIndex(route: RouteSpec, backend: Upstream): number {
  if (route.kind !== "hipache" || route.fallback?.type !== "forward") return -1;
  return route.fallback.backends.findIndex((b) => b.origin === backend.origin);
}
