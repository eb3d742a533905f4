import { randomBytes } from "node:crypto";
import { startRouter, uniquePrefix, type RouterUnderTest } from "./stack.ts";

export interface AdminUnderTest {
  readonly router: RouterUnderTest;
  /** ADMIN_HOST as configured. */
  readonly host: string;
  readonly token: string;
  /** ROUTE_KEY_PREFIX: this router's route keys, apart from every other test's. */
  readonly prefix: string;
}

/** A router with the dashboard at `admin-….test` and a fresh token, reading routes under a prefix of its own. */
export async function startAdminRouter(
  label: string,
  bindings: Record<string, string> = {},
  host = `admin-${label}.test`,
): Promise<AdminUnderTest> {
  const token = randomBytes(24).toString("base64url");
  const prefix = uniquePrefix(label);
  const router = await startRouter({ ADMIN_HOST: host, ADMIN_TOKEN: token, ROUTE_KEY_PREFIX: prefix, ...bindings });
  return { router, host, token, prefix };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
