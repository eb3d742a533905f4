/** Byte helpers on WebCrypto and the web platform's atob/btoa (nothing Node-only). */

const encoder = new TextEncoder();

/** SHA-256 of the text's UTF-8 bytes. */
export async function sha256(text: string): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** Lower-case hex, two digits a byte. */
export function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** Compares every byte whatever the first difference, so the time says nothing about where it is. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i % b.length] ?? 0);
  return difference === 0;
}

/** Base64 without the `=` padding. */
export function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/=+$/, "");
}

/** Base64url (RFC 4648 §5), unpadded. */
export function toBase64url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_");
}

/** The bytes of base64 text (atob's rules: padding optional); throws when it is not base64. */
export function base64Bytes(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

/** The bytes of base64url text; throws when it is not base64url. */
export function base64urlBytes(text: string): Uint8Array<ArrayBuffer> {
  return base64Bytes(text.replace(/-/g, "+").replace(/_/g, "/"));
}
