import type { RequestFacts } from "../access-log.ts";
import { normalizeHost } from "../host.ts";
import { adminHostOf } from "./settings.ts";

/**
 * Whether the dashboard answers this request: its normalised Host is
 * ADMIN_HOST. Costs one property read per request while ADMIN_HOST is unset
 * (the default), and one host normalisation when it is set. A Host the
 * router would refuse (400) is never the dashboard's.
 */
export function isAdminRequest(env: object, hostHeader: string | null, facts: RequestFacts): boolean {
  if (!(env as { ADMIN_HOST?: unknown }).ADMIN_HOST) return false;
  const adminHost = adminHostOf(env);
  if (adminHost === "") return false;
  let host: string;
  try {
    host = normalizeHost(hostHeader);
  } catch {
    return false;
  }
  if (host !== adminHost) return false;
  facts.host = host;
  return true;
}
