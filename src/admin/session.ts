import type { Context } from "hono";
import { parse } from "hono/utils/cookie";
import { base64urlBytes, constantTimeEqual, sha256, toBase64url } from "../lib/crypto.ts";

/*
 * The login session and the token comparison, on WebCrypto alone. The
 * cookie holds an expiry and its HMAC-SHA256 keyed by ADMIN_TOKEN (RFC 2104),
 * never the token: changing the token ends every session. Written by hand
 * rather than with hono/cookie's signed cookies to keep the worker bundle
 * small (every isolate loads it, dashboard or not).
 */

/** How long a login lasts. */
export const SESSION_SECONDS = 12 * 3600;

const encoder = new TextEncoder();
const hmacKeys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
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

export async function startSession(c: Context, token: string): Promise<void> {
  const expires = String(Math.floor(Date.now() / 1000) + SESSION_SECONDS);
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(token), encoder.encode(expires));
  setCookie(c, `${expires}.${toBase64url(new Uint8Array(signature))}`, SESSION_SECONDS);
}

export function endSession(c: Context): void {
  setCookie(c, "", 0);
}

/** Whether the request carries an unexpired session signed with this token. */
export async function validSession(c: Context, token: string): Promise<boolean> {
  const name = cookieName(c);
  const header = c.req.header("cookie");
  const value = header ? parse(header, name)[name] : undefined;
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value ?? "");
  if (!match) return false;
  const [, expires = "", signature = ""] = match;
  if (Number(expires) <= Date.now() / 1000) return false;
  // verify() compares in constant time.
  return crypto.subtle.verify("HMAC", await hmacKey(token), base64urlBytes(signature), encoder.encode(expires));
}
