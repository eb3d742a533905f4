import { auth } from "hono/utils/basic-auth";
import { createLru } from "../lib/lru.ts";
import { constantTimeEqual, sha256, toHex } from "../lib/crypto.ts";
import type { BasicAuthSpec } from "../route-value/index.ts";
import { UnauthorizedError } from "./refusals.ts";
import type { PolicyFacts } from "./facts.ts";
import { deriveKey } from "../lib/password-hash.ts";

/**
 * Verdicts this isolate has reached, right or wrong, by SHA-256 of the name
 * sent, the user's hash line and the password (never the password itself).
 * A hit costs one SHA-256 instead of a PBKDF2, so a client that keeps
 * sending the same stale credentials is cheap too; the hash line in the key
 * means a changed or removed user no longer matches. 1,000 of each at most,
 * the least recently used going first.
 */
const accepted = createLru<string, true>(1000);
/** Apart, so a flood of wrong passwords cannot push the right ones out. */
const refused = createLru<string, true>(1000);

/**
 * HTTP Basic authentication (RFC 7617) against PBKDF2 hashes. The header is
 * parsed by Hono's own helper; Hono's basicAuth middleware is not used as it
 * compares plaintext passwords (or calls back per request with a Context),
 * answers with its own 401 body, and is built once per app, whereas these
 * users come from the route value and the 401 is the router's error page.
 *
 * Every miss costs one PBKDF2, an unknown user included (against another
 * user's salt), so the time taken does not tell which users exist.
 */
export async function basicAuth(
  request: Request,
  _facts: PolicyFacts,
  spec: BasicAuthSpec,
): Promise<UnauthorizedError | undefined> {
  const credentials = auth(request);
  if (!credentials) return new UnauthorizedError(spec.realm, "no Basic credentials");
  const user = spec.users.get(credentials.username);
  const hash = user ?? spec.users.values().next().value;
  if (!hash) return new UnauthorizedError(spec.realm, "no users");
  // The name as sent is in the key too: an unknown user's verdict is its own, so each new name costs a
  // full verify, as a known user's first try does (no faster answer telling names apart).
  const cacheKey = toHex(await sha256(`${credentials.username}\n${hash.line}\n${credentials.password}`));
  let valid = accepted.get(cacheKey) ?? (refused.get(cacheKey) ? false : undefined);
  if (valid === undefined) {
    const key = await deriveKey(credentials.password, hash.salt, hash.iterations);
    valid = user !== undefined && constantTimeEqual(key, user.key);
    (valid ? accepted : refused).set(cacheKey, true);
  }
  if (valid) return undefined;
  return new UnauthorizedError(
    spec.realm,
    user ? `wrong password for user ${user.line.split(":")[0] ?? ""}` : "unknown user",
  );
}
