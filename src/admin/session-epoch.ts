import type { RouterConfig } from "../config.ts";
import { RouteStoreError } from "../errors.ts";
import { adminStoreFor } from "./store.ts";

/*
 * The revocation counter of dashboard sessions, in the route store so every
 * isolate agrees: `<ROUTE_KEY_PREFIX>admin:session-epoch`, an integer that
 * "Log out everywhere" increments. Each session cookie is signed with the
 * epoch it was issued under, so one INCR ends every session at once, in
 * every isolate, without a list of sessions. The name holds a `:`, which no
 * host has, so no lookup and no route listing ever reads it.
 */

export function epochKey(config: RouterConfig): string {
  return `${config.keyPrefix}admin:session-epoch`;
}

/** The current epoch (0 before the first "log out everywhere"); one GET, read only for requests that carry a session. */
export async function currentEpoch(config: RouterConfig): Promise<number> {
  const store = adminStoreFor(config);
  store.count(1);
  try {
    const value = await store.redis.get<string>(epochKey(config));
    return value === null ? 0 : Number(value) || 0;
  } catch (error) {
    // Fail closed: a session whose epoch cannot be checked might be one that was revoked.
    throw new RouteStoreError(`session epoch: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Ends every session: the next epoch, returned. */
export async function nextEpoch(config: RouterConfig): Promise<number> {
  const store = adminStoreFor(config);
  store.count(1);
  try {
    return await store.redis.incr(epochKey(config));
  } catch (error) {
    throw new RouteStoreError(`session epoch: ${error instanceof Error ? error.message : String(error)}`);
  }
}
