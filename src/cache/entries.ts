import { InvalidRouteError, NoRouteError, RouteStoreError } from "../errors.ts";
import type { Route } from "../route-value/index.ts";

/** A route; `failedAt` is set while the store fails to refresh it. */
export interface RouteEntry {
  readonly route: Route;
  readonly fetchedAt: number;
  failedAt: number | undefined;
}
/** The definitive answer "none" (no key, or an unusable value), or a store failure for an unknown host. */
export interface MissEntry {
  readonly kind: "answer" | "failure";
  readonly error: unknown;
  readonly fetchedAt: number;
}
export type Entry = RouteEntry | MissEntry;

/**
 * "No such key" and "unusable value" are answers from a working store: they
 * are cached (for the negative TTL), so a host with a bad value costs one
 * lookup per negative TTL rather than one per request, and the fix is seen
 * as soon as a new route would be. Anything else is a store failure.
 */
export function isAnswer(error: unknown): boolean {
  return error instanceof NoRouteError || error instanceof InvalidRouteError;
}

export function describe(error: unknown): string {
  if (error instanceof RouteStoreError) return error.detail ?? error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
