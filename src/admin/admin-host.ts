import type { RequestFacts } from "../request-state.ts";
import { normalizeHost } from "../receive/index.ts";
import { adminHostOf } from "./settings.ts";

/**
 * Whether the dashboard answers this request: its normalised Host is
 * ADMIN_HOST. Runs before routing on every request, so it is cheap: one
 * property read while ADMIN_HOST is unset (the default); when set, a prefix
 * comparison rules out every other ASCII host before the full normalisation
 * (which only lowercases and drops a port or trailing dot from such a host).
 * A Host the router would refuse (400) is never the dashboard's.
 */
export function isAdminRequest(env: object, hostHeader: string | null, facts: RequestFacts): boolean {
  if (!(env as { ADMIN_HOST?: unknown }).ADMIN_HOST || hostHeader === null) return false;
  const adminHost = adminHostOf(env);
  if (!adminHost.startsWith("[") && /^[\x21-\x7e]*$/.test(hostHeader)) {
    if (hostHeader.length < adminHost.length) return false;
    if (hostHeader.slice(0, adminHost.length).toLowerCase() !== adminHost) return false;
  }
  let host: string;
  try {
    host = normalizeHost(hostHeader);
  } catch {
    return false;
  }
  if (host !== adminHost) return false;
  facts.host = host;
  facts.dashboard = true;
  return true;
}
