import { RouterError } from "../errors.ts";

/*
 * One canonical path per request, as Traefik's "Request Path" security page
 * describes it (doc.traefik.io/traefik/security/request-path): path rules
 * are matched against it and the upstream is sent it, so no spelling of a
 * path can reach an upstream without the rule that spelling names. Many
 * upstreams (nginx, Go, Django, Spring) decode and normalise before they
 * route; a router that compares the raw bytes would protect `/admin` while
 * the upstream serves `/%61dmin` or `//admin` as the same page.
 *
 * What the platform already did: workerd and the edge hand the worker
 * `request.url` as the WHATWG URL parser left it, which turns `\` into `/`
 * and removes `.`/`..` segments, `%2e` spellings included (measured with raw
 * sockets: test/integration/path-canonical.test.ts). The steps below repeat
 * the dot-segment part, so the form does not depend on it; a raw `\` never
 * reaches the Worker.
 */

/** Which encoded characters a path may carry (Traefik's `encodedCharacters` options); all false by default. */
export interface EncodedCharacterPolicy {
  readonly allowEncodedSlash: boolean;
  readonly allowEncodedBackSlash: boolean;
  readonly allowEncodedNullCharacter: boolean;
  readonly allowEncodedSemicolon: boolean;
  readonly allowEncodedPercent: boolean;
  readonly allowEncodedQuestionMark: boolean;
  readonly allowEncodedHash: boolean;
}

export const STRICT_ENCODED_CHARACTERS: EncodedCharacterPolicy = {
  allowEncodedSlash: false,
  allowEncodedBackSlash: false,
  allowEncodedNullCharacter: false,
  allowEncodedSemicolon: false,
  allowEncodedPercent: false,
  allowEncodedQuestionMark: false,
  allowEncodedHash: false,
};

/**
 * The path cannot be made canonical: it carries an encoded character the
 * router refuses (an upstream could read it as a separator the rules never
 * saw), or a `%` that starts no escape.
 */
export class NonCanonicalPathError extends RouterError {
  constructor(what: string) {
    super(400, "invalid_path", `The request path contains ${what}, which this router does not accept.`);
  }
}

/** Each refused byte, the setting that allows it back and how the client is told. */
const REFUSED: ReadonlyMap<number, readonly [keyof EncodedCharacterPolicy, string]> = new Map([
  [0x2f, ["allowEncodedSlash", "an encoded slash (%2F)"]],
  [0x5c, ["allowEncodedBackSlash", "an encoded backslash (%5C)"]],
  [0x00, ["allowEncodedNullCharacter", "an encoded NUL (%00)"]],
  [0x3b, ["allowEncodedSemicolon", "an encoded semicolon (%3B)"]],
  [0x25, ["allowEncodedPercent", "an encoded percent sign (%25)"]],
  [0x3f, ["allowEncodedQuestionMark", "an encoded question mark (%3F)"]],
  [0x23, ["allowEncodedHash", "an encoded hash (%23)"]],
] as const);

/**
 * The only shapes that can differ from their canonical form or be refused:
 * an escape, an empty segment (`//`), a dot segment (`/.`) or a segment
 * that starts with parameters (`/;`). One test, so a common path
 * (`/api/users/7`) costs nothing more.
 */
const MAY_CHANGE = /%|\/[/.;]/;

/**
 * The canonical form of `path` (which starts with `/`), or `path` itself when
 * it already is one. Throws NonCanonicalPathError for a refused encoded
 * character or a malformed escape (Go's net/url, and so Traefik, refuses
 * those with 400 too).
 */
export function canonicalPath(path: string, policy: EncodedCharacterPolicy = STRICT_ENCODED_CHARACTERS): string {
  if (!MAY_CHANGE.test(path)) return path;
  if (!path.includes("%")) return removeDotSegments(path);
  const decoded = normaliseEscapes(path, policy);
  if (OVERLONG_UTF8.test(decoded)) {
    throw new NonCanonicalPathError('an overlong UTF-8 encoding ("%C0%AE" is "." to some decoders)');
  }
  return removeDotSegments(decoded);
}

/**
 * Overlong UTF-8 (RFC 3629 §3, §10): a character spelt with more bytes than
 * it needs, such as `%C0%AE` for `.` and `%C0%AF` for `/`. A decoder that does
 * not insist on the shortest form reads them as those characters (Tomcat
 * before 6.0.18, CVE-2008-2938; IIS, CVE-2000-0884), so `/health/%C0%AE%C0%AE/x`
 * would be `/x` there while every rule sees `/health/…`. Valid UTF-8 never
 * holds these byte pairs (a lead byte C0 or C1; E0 then 80-9F; F0 then
 * 80-8F), so they are refused (400) rather than passed on. Tested on the
 * escapes as normaliseEscapes leaves them: upper case, and bytes past 0x7F
 * always still escaped (a raw byte reaches the worker percent-encoded).
 */
const OVERLONG_UTF8 = /%C[01]%[89AB][0-9A-F]|%E0%[89][0-9A-F]|%F0%8[0-9A-F]/;

/**
 * Decodes escapes of unreserved characters (RFC 3986 §2.3: ALPHA, DIGIT,
 * `-`, `.`, `_`, `~`; equivalent to the character itself, §6.2.2.2) and
 * upper-cases the hex digits of every other escape (§6.2.2.1). Refused
 * characters are checked on the escapes as received, before anything is
 * decoded, so decoding can never create one.
 */
function normaliseEscapes(path: string, policy: EncodedCharacterPolicy): string {
  let out = "";
  let from = 0;
  for (let at = path.indexOf("%"); at !== -1; at = path.indexOf("%", from)) {
    const hex = path.slice(at + 1, at + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new NonCanonicalPathError('a "%" that starts no percent-encoding');
    const byte = parseInt(hex, 16);
    const refused = REFUSED.get(byte);
    if (refused && !policy[refused[0]]) throw new NonCanonicalPathError(refused[1]);
    out += path.slice(from, at) + (isUnreserved(byte) ? String.fromCharCode(byte) : `%${hex.toUpperCase()}`);
    from = at + 3;
  }
  return out + path.slice(from);
}

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || // -
    byte === 0x2e || // .
    byte === 0x5f || // _
    byte === 0x7e // ~
  );
}

/**
 * `..;x`, `.;x` or `;x`: a dot or empty segment to servlet containers
 * (Tomcat, Jetty, hence Spring), which drop a segment's `;` parameters
 * before they resolve dots and merge slashes, and a plain name to everyone
 * else; so `/x/..;/admin` and `/;x/admin` are `/admin` upstream while no rule
 * sees `/admin`. Beyond Traefik's list: refused (400), as there is no
 * spelling both sides read the same.
 */
const DOT_WITH_PARAMETERS = /^(?:\.\.?)?;/;

/**
 * Removes `.` and `..` segments (RFC 3986 §5.2.4: `..` drops the segment
 * before it, never above the root) and merges duplicate slashes (Traefik's
 * sanitizePath, as Go's path.Clean does). A path that ended in a slash or a
 * dot segment ends in a slash (`/a/b/..` → `/a/`, as §5.2.4 writes it).
 */
function removeDotSegments(path: string): string {
  const segments = path.split("/");
  const kept: string[] = [];
  const last = segments.length - 1;
  for (let index = 1; index <= last; index++) {
    const segment = segments[index] ?? "";
    if (segment === "..") kept.pop();
    else if (segment === "." || segment === "") continue;
    else if (DOT_WITH_PARAMETERS.test(segment))
      throw new NonCanonicalPathError('a dot or empty segment with parameters ("..;", ";")');
    else kept.push(segment);
  }
  const tail = segments[last];
  const trailingSlash = kept.length > 0 && (tail === "" || tail === "." || tail === "..");
  return `/${kept.join("/")}${trailingSlash ? "/" : ""}`;
}
