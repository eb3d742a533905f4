import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { readConfig } from "../config.ts";
import { errorFormat } from "../error-format.ts";
import { accessTokenProblem } from "./cloudflare-access.ts";
import { AdminInsecureError, AdminNotConfiguredError, AdminUnauthorizedError } from "./dashboard-errors.ts";
import { currentEpoch } from "./session-epoch.ts";
import { sendsSession, tokenMatches, validSession } from "./session.ts";
import { adminAuthOf, adminHostOf, type AdminAuthSettings } from "./settings.ts";
import { spendAttempt } from "./throttle.ts";
import { requestHost, secureTransport } from "./transport.ts";

/*
 * Who may read the dashboard: the ADMIN_TOKEN as a bearer token (RFC 6750),
 * a session cookie from the login form, or a Cloudflare Access JWT. The
 * token is compared in constant time and never written anywhere: not in a
 * page, not in the cookie (which carries an expiry signed with HMAC-SHA256
 * keyed by the token, so changing the token ends every session), not in an
 * error or log line. Wrong tokens are throttled per client (throttle.ts), and
 * sessions need HTTPS, or localhost (transport.ts).
 */

/** null when the request carries a valid credential; else why not (for the log line's detail). */
async function credentialProblem(c: Context, auth: AdminAuthSettings): Promise<string | null> {
  const header = c.req.header("authorization");
  if (header !== undefined) {
    const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(header);
    if (!match || auth.token === null) return "an Authorization header that is not a Bearer ADMIN_TOKEN";
    const refund = spendAttempt(c);
    if (!(await tokenMatches(match[1] ?? "", auth.token))) return "a wrong bearer token";
    refund();
    return null;
  }
  if (auth.token !== null && sendsSession(c)) {
    // A cookie over plain HTTP to a host that is not this machine has crossed the network in the clear.
    if (!secureTransport(c)) throw new AdminInsecureError(requestHost(c));
    const config = readConfig(c.env as object);
    const host = adminHostOf(c.env as object);
    if (await validSession(c, auth.token, host, () => currentEpoch(config))) return null;
  }
  if (auth.access) {
    const jwt = c.req.header("cf-access-jwt-assertion");
    if (jwt !== undefined) return accessTokenProblem(jwt, auth.access.issuer, auth.access.audience);
  }
  return "no credential";
}

/** The settings, or 503 when none is configured: the dashboard never opens without one. */
export function configuredAuth(env: object): AdminAuthSettings {
  const auth = adminAuthOf(env);
  if (auth.token === null && auth.access === null) throw new AdminNotConfiguredError();
  return auth;
}

/**
 * Lets authenticated requests through. Others get 401, except a browser
 * asking for a page while a login form exists (ADMIN_TOKEN set): it is sent
 * to the form, which brings it back here afterwards.
 */
export const requireAdmin = createMiddleware(async (c, next) => {
  const auth = configuredAuth(c.env as object);
  const problem = await credentialProblem(c, auth);
  if (problem === null) return next();
  const browser = errorFormat(c.req.header("accept") ?? null) === "html";
  if (browser && auth.token !== null && (c.req.method === "GET" || c.req.method === "HEAD")) {
    // The form would only answer 403 there: say so at once.
    if (!secureTransport(c)) throw new AdminInsecureError(requestHost(c));
    const url = new URL(c.req.url);
    return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
  }
  throw new AdminUnauthorizedError(problem);
});

/**
 * Form posts must come from the dashboard's own pages. The session cookie is
 * SameSite=Strict already; checking Origin (Fetch standard: browsers send it
 * on every POST) also stops a login form planted on another site.
 */
export function sameOrigin(c: Context): boolean {
  const origin = c.req.header("origin");
  if (origin === undefined || origin === "null") return origin === undefined;
  try {
    return new URL(origin).host === c.req.header("host")?.toLowerCase();
  } catch {
    return false;
  }
}
