import type { Context } from "hono";
import { parse } from "hono/utils/cookie";
import { base64urlBytes, constantTimeEqual, sha256, toBase64url } from "../lib/crypto.ts";
import { secureTransport } from "./transport.ts";

/*
 * The login session and the token comparison, on WebCrypto alone. The
 * cookie holds an expiry, the revocation epoch it was issued under
 * (session-epoch.ts) and an HMAC-SHA256 keyed by ADMIN_TOKEN (RFC 2104) of
 * those and of ADMIN_HOST, never the token: changing the token ends every
 * session, so does "log out everywhere" (the epoch moves on), and a cookie
 * made for one dashboard host is worth nothing at another sharing the token.
 * Written by hand rather than with hono/cookie's signed cookies to keep the
 * worker bundle small (every isolate loads it, dashboard or not).
 */

/** How long a login lasts. */
export const SESSION_SECONDS = 12 * 3600;

const encoder = new TextEncoder();
/** Promise<CryptoKey>, spelled so the Workers and the Node type libraries agree. */
type HmacKey = ReturnType<typeof crypto.subtle.importKey>;
const hmacKeys = new Map<string, HmacKey>();

function hmacKey(secret: string): HmacKey {
  let key = hmacKeys.get(secret);
  if (!key) {
    if (hmacKeys.size > 4) hmacKeys.clear(); // one token in use; a few while it changes
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    hmacKeys.set(secret, key);
  }
  return key;
}

/**
 * Equal strings, in a time that does not depend on where they differ: both
 * are hashed first (equal lengths), then every byte is compared.
 */
export async function tokenMatches(given: string, token: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(token)]);
  return constantTimeEqual(a, b);
}

/** What a session signs: the dashboard's host, the epoch and the expiry. */
export interface SessionScope {
  readonly host: string;
  readonly epoch: number;
}

/** `__Host-` (RFC 6265bis §4.1.3.2): Secure, host-only, path / — only possible under HTTPS. */
function cookieName(c: Context): string {
  return isHttps(c) ? "__Host-router-admin" : "router-admin";
}

function isHttps(c: Context): boolean {
  return c.req.url.startsWith("https:");
}

function setCookie(c: Context, value: string, maxAge: number): void {
  const secure = isHttps(c) ? "; Secure" : "";
  c.header("set-cookie", `${cookieName(c)}=${value}; Max-Age=${maxAge}; Path=/; HttpOnly; SameSite=Strict${secure}`, {
    append: true,
  });
}

function signed(scope: SessionScope, expires: string): Uint8Array {
  return encoder.encode(`${scope.host}\n${scope.epoch}\n${expires}`);
}

export async function startSession(c: Context, token: string, scope: SessionScope): Promise<void> {
  const expires = String(Math.floor(Date.now() / 1000) + SESSION_SECONDS);
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(token), signed(scope, expires));
  setCookie(c, `${expires}.${scope.epoch}.${toBase64url(new Uint8Array(signature))}`, SESSION_SECONDS);
}

export function endSession(c: Context): void {
  setCookie(c, "", 0);
}

/** Whether the request sends a session cookie at all (under either name). */
export function sendsSession(c: Context): boolean {
  const header = c.req.header("cookie");
  if (!header) return false;
  const cookies = parse(header);
  return Boolean(cookies["router-admin"] || cookies["__Host-router-admin"]);
}

/**
 * Whether the request carries an unexpired session signed with this token,
 * for this host and the current epoch (asked only when a cookie is there:
 * one store command). Never over plain HTTP to a host other than localhost.
 */
export async function validSession(
  c: Context,
  token: string,
  host: string,
  epoch: () => Promise<number>,
): Promise<boolean> {
  if (!secureTransport(c)) return false;
  const name = cookieName(c);
  const header = c.req.header("cookie");
  const value = header ? parse(header, name)[name] : undefined;
  const match = /^(\d{1,12})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(value ?? "");
  if (!match) return false;
  const [, expires = "", issuedEpoch = "", signature = ""] = match;
  if (Number(expires) <= Date.now() / 1000) return false;
  const scope = { host, epoch: await epoch() };
  if (String(scope.epoch) !== issuedEpoch) return false;
  // verify() compares in constant time.
  return crypto.subtle.verify("HMAC", await hmacKey(token), base64urlBytes(signature), signed(scope, expires));
}
