import { base64urlBytes } from "../lib/crypto.ts";

/*
 * Cloudflare Access in front of the dashboard: Access signs each request it
 * lets through with a JWT in `Cf-Access-Jwt-Assertion` (RS256, RFC 7519 /
 * RFC 7515), whose keys the team domain publishes at /cdn-cgi/access/certs.
 * Checking signature, issuer (the team domain), audience (the application's
 * AUD tag) and expiry here means a request that bypassed Access gets
 * nothing. Verified with WebCrypto directly: a JWT library would cost the
 * bundle more than these few checks.
 */

interface Jwk extends JsonWebKey {
  readonly kid?: string;
}

/** Keys are fetched at most this often per isolate (Access rotates them with overlap). */
const KEYS_TTL_MS = 10 * 60_000;
/**
 * An unknown key id refreshes the keys at most this often: anyone can send a
 * made-up `kid` to ADMIN_HOST, and must not make every request a fetch.
 */
const FORCED_REFRESH_MS = 60_000;
const keySets = new Map<string, { keys: Jwk[]; fetchedAt: number }>();
const fetching = new Map<string, Promise<Jwk[]>>();
const imported = new Map<string, Promise<CryptoKey>>();

function jwks(issuer: string, fresh: boolean): Promise<Jwk[]> {
  const cached = keySets.get(issuer);
  const age = cached ? Date.now() - cached.fetchedAt : Infinity;
  if (cached && age < (fresh ? FORCED_REFRESH_MS : KEYS_TTL_MS)) return Promise.resolve(cached.keys);
  // One fetch at a time per team, however many requests ask.
  let pending = fetching.get(issuer);
  if (!pending) {
    pending = fetchKeys(issuer).finally(() => fetching.delete(issuer));
    fetching.set(issuer, pending);
  }
  return pending;
}

async function fetchKeys(issuer: string): Promise<Jwk[]> {
  const response = await fetch(`${issuer}/cdn-cgi/access/certs`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`the team's certs answered ${response.status}`);
  const body = (await response.json()) as { keys?: unknown };
  if (!Array.isArray(body.keys)) throw new Error("the team's certs hold no keys");
  const keys = body.keys as Jwk[];
  keySets.set(issuer, { keys, fetchedAt: Date.now() });
  return keys;
}

async function keyFor(issuer: string, kid: string): Promise<CryptoKey | null> {
  let jwk = (await jwks(issuer, false)).find((key) => key.kid === kid);
  // An unknown key id may be a rotation this isolate has not seen yet: ask once more.
  jwk ??= (await jwks(issuer, true)).find((key) => key.kid === kid);
  if (!jwk || jwk.kty !== "RSA") return null;
  const id = `${issuer} ${kid} ${jwk.n ?? ""}`;
  let key = imported.get(id);
  if (!key) {
    key = crypto.subtle.importKey("jwk", jwk, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
    imported.set(id, key);
  }
  return key;
}

function decodePart(part: string): Record<string, unknown> {
  const value: unknown = JSON.parse(new TextDecoder().decode(base64urlBytes(part)));
  if (typeof value !== "object" || value === null) throw new Error("not an object");
  return value as Record<string, unknown>;
}

/** null when the token is valid for this team and application; else why not (for the log, never the token). */
export async function accessTokenProblem(token: string, issuer: string, audience: string): Promise<string | null> {
  const [head = "", body = "", signature = ""] = token.split(".");
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = decodePart(head);
    claims = decodePart(body);
  } catch {
    return "Cloudflare Access token is not a JWT";
  }
  if (header["alg"] !== "RS256" || typeof header["kid"] !== "string")
    return "Cloudflare Access token is not RS256 with a key id";
  let key: CryptoKey | null;
  try {
    key = await keyFor(issuer, header["kid"]);
  } catch (error) {
    return `Cloudflare Access keys unavailable: ${error instanceof Error ? error.message : "error"}`;
  }
  if (!key) return "Cloudflare Access token signed by an unknown key";
  const signed = new TextEncoder().encode(`${head}.${body}`);
  let verified: boolean;
  try {
    verified = await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, base64urlBytes(signature), signed);
  } catch {
    verified = false; // not base64url: a 401 like any bad signature, never a 500
  }
  if (!verified) return "Cloudflare Access token signature does not verify";
  const now = Date.now() / 1000;
  const audiences = Array.isArray(claims["aud"]) ? claims["aud"] : [claims["aud"]];
  if (claims["iss"] !== issuer) return "Cloudflare Access token of another team";
  if (!audiences.includes(audience)) return "Cloudflare Access token for another application";
  if (typeof claims["exp"] !== "number" || claims["exp"] <= now) return "Cloudflare Access token expired";
  if (typeof claims["nbf"] === "number" && claims["nbf"] > now + 60) return "Cloudflare Access token not valid yet";
  return null;
}
