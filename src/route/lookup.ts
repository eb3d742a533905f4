import { InvalidRouteError, NoRouteError } from "../errors.ts";
import { parseRoute, type Route } from "./route.ts";
import { WrongTypeError, type RouteStore } from "./store.ts";

export interface LookupOptions {
  /** Put in front of the host to form the key; "" keeps the seed's bare host. */
  readonly keyPrefix: string;
  readonly noRouteStatus: number;
}

/** Finds the route for a normalised host: 403 (NoRouteError) when none exists. */
export async function lookupRoute(host: string, store: RouteStore, options: LookupOptions): Promise<Route> {
  const key = options.keyPrefix + host;
  let value: string | null;
  try {
    value = await store.get(key);
  } catch (error) {
    if (error instanceof WrongTypeError) throw new InvalidRouteError(host, error.message);
    throw error;
  }
  if (value === null) throw new NoRouteError(host, options.noRouteStatus);
  return parseRoute(host, key, value);
}
