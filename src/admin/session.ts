import type { Context } from "hono";

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

export function base64urlBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function base64url(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

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
  const [a, b] = await Promise.all([given, token].map((s) => crypto.subtle.digest("SHA-256", encoder.encode(s))));
  const x = new Uint8Array(a as ArrayBuffer);
  const y = new Uint8Array(b as ArrayBuffer);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
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
  setCookie(c, `${expires}.${base64url(signature)}`, SESSION_SECONDS);
}

export function endSession(c: Context): void {
  setCookie(c, "", 0);
}

/** Whether the request carries an unexpired session signed with this token. */
export async function validSession(c: Context, token: string): Promise<boolean> {
  const name = `${cookieName(c)}=`;
  const cookie = (c.req.header("cookie") ?? "")
    .split(";")
    .map((part) => part.trim())
    .find((part) => part.startsWith(name));
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(cookie?.slice(name.length) ?? "");
  if (!match) return false;
  const [, expires = "", signature = ""] = match;
  if (Number(expires) <= Date.now() / 1000) return false;
  // verify() compares in constant time.
  return crypto.subtle.verify("HMAC", await hmacKey(token), base64urlBytes(signature), encoder.encode(expires));
}
