import type { Context } from "hono";

/**
 * Whether the login form and session cookies may be used on this request:
 * over HTTPS, or on localhost and *.localhost, names that never leave the
 * machine (RFC 6761 §6.3), so `npm start` and a local `npm run serve` work
 * without a certificate. Anywhere else, plain HTTP would carry the token and
 * the cookie in the clear for anyone on the path to read.
 */
export function secureTransport(c: Context): boolean {
  const url = new URL(c.req.url);
  if (url.protocol === "https:") return true;
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  return host === "localhost" || host.endsWith(".localhost");
}

/** The host the page was asked for, for an error's "open https://…" (never anything the client can inject markup into: errors are escaped). */
export function requestHost(c: Context): string {
  return new URL(c.req.url).host;
}
