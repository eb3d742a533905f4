import { base64Bytes, toBase64 } from "./crypto.ts";

/**
 * Password hashes for basicAuth, in the PHC string format
 * (https://github.com/P-H-C/phc-string-format):
 *
 *   $pbkdf2-sha256$i=<iterations>$<salt, base64>$<derived key, base64>
 *
 * PBKDF2-HMAC-SHA-256 (RFC 8018 §5.2) because WebCrypto has it natively in
 * the Workers runtime and in Node, so a verify is one deriveBits call and no
 * hashing code ships in the bundle. bcrypt and apr1 (htpasswd) are not
 * offered: neither is in WebCrypto, and a JavaScript bcrypt at cost 10 takes
 * tens of milliseconds of CPU per verify, past a Worker's budget.
 */
export interface PasswordHash {
  readonly iterations: number;
  readonly salt: Uint8Array<ArrayBuffer>;
  readonly key: Uint8Array<ArrayBuffer>;
}

export const HASH_SCHEME = "$pbkdf2-sha256$";
/** The Workers runtime refuses PBKDF2 above 100,000 iterations. */
export const MAX_ITERATIONS = 100_000;
/** Below this a leaked hash is too cheap to brute-force offline. */
export const MIN_ITERATIONS = 10_000;
/**
 * What `routes passwd` writes. A verify costs about 0.24 µs of CPU per
 * iteration in workerd (scripts/bench/policies.ts): ~5 ms here, inside the
 * free plan's 10 ms per request; 100,000 costs ~24 ms (paid plans only).
 */
export const DEFAULT_ITERATIONS = 20_000;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Reads a hash; returns why not when it is not one this router verifies. */
export function parsePasswordHash(text: string): PasswordHash | string {
  if (!text.startsWith(HASH_SCHEME)) {
    if (/^\$(2[abxy]?|apr1|1|5|6)\$/.test(text)) {
      return "bcrypt, apr1 and crypt hashes are not supported (too costly to verify in a Worker); make a PBKDF2 hash with `npm run routes -- passwd USER`";
    }
    return "the password must be a hash made by `npm run routes -- passwd USER` ($pbkdf2-sha256$…); plaintext passwords are refused";
  }
  const [params = "", salt = "", key = "", ...rest] = text.slice(HASH_SCHEME.length).split("$");
  const iterations = /^i=(\d{1,7})$/.exec(params)?.[1];
  if (iterations === undefined || rest.length > 0) {
    return `a PBKDF2 hash reads ${HASH_SCHEME}i=<iterations>$<salt>$<key>`;
  }
  const count = Number(iterations);
  if (count < MIN_ITERATIONS || count > MAX_ITERATIONS) {
    return `the hash's iterations must be from ${MIN_ITERATIONS} to ${MAX_ITERATIONS}, not ${count}`;
  }
  const saltBytes = fromBase64(salt);
  const keyBytes = fromBase64(key);
  if (!saltBytes || saltBytes.length < 8) return "the hash's salt must be at least 8 bytes in base64";
  if (!keyBytes || keyBytes.length !== KEY_BYTES) return `the hash's key must be ${KEY_BYTES} bytes in base64`;
  return { iterations: count, salt: saltBytes, key: keyBytes };
}

/** PBKDF2-HMAC-SHA-256 through WebCrypto. */
export async function deriveKey(
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    material,
    KEY_BYTES * 8,
  );
  return new Uint8Array(bits);
}

/** A new hash with a random salt, as `routes passwd` prints it. */
export async function hashPassword(password: string, iterations = DEFAULT_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const key = await deriveKey(password, salt, iterations);
  return `${HASH_SCHEME}i=${iterations}$${toBase64(salt)}$${toBase64(key)}`;
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (!BASE64.test(text)) return null;
  try {
    return base64Bytes(text.padEnd(Math.ceil(text.length / 4) * 4, "="));
  } catch {
    return null;
  }
}
