import { canonicalPath, NonCanonicalPathError, type EncodedCharacterPolicy } from "../receive/index.ts";
import type { PathRule } from "./route.ts";

/** Why a `"paths"` key cannot be a prefix, or null when it can. */
export function validatePrefix(prefix: string): string | null {
  if (!prefix.startsWith("/")) return 'a path prefix must start with "/"';
  // The prefix is compared with the request's path, which ends before the query.
  if (/[?#]/.test(prefix)) return 'a path prefix cannot contain "?" or "#"';
  // eslint-disable-next-line no-control-regex -- control characters are what we refuse
  if (/[\s\x00-\x1f\x7f]/.test(prefix)) return "a path prefix cannot contain spaces or control characters";
  if (/%(?![0-9A-Fa-f]{2})/.test(prefix)) return 'a path prefix cannot hold a "%" that starts no percent-encoding';
  try {
    canonicalPrefix(prefix);
  } catch (error) {
    // A request path with such a segment is refused before matching (400), so no request could reach this rule.
    if (error instanceof NonCanonicalPathError)
      return /%(?:C[01]|E0|F0)%/i.test(prefix)
        ? "a path prefix cannot hold an overlong UTF-8 encoding"
        : 'a path prefix cannot hold a dot or empty segment with ";" parameters';
    throw error;
  }
  return null;
}

/** A prefix may name any escape: whether a request may carry one is the router's setting (ALLOW_ENCODED_*). */
const ANY_ESCAPE: EncodedCharacterPolicy = {
  allowEncodedSlash: true,
  allowEncodedBackSlash: true,
  allowEncodedNullCharacter: true,
  allowEncodedSemicolon: true,
  allowEncodedPercent: true,
  allowEncodedQuestionMark: true,
  allowEncodedHash: true,
};

/**
 * A valid prefix in the form request paths are compared in (receive/canonical-path.ts):
 * `/%61pi` is `/api`, `/caf%c3%a9` is `/caf%C3%A9`, `/api//v2` is `/api/v2`, so
 * a rule written either way matches the same requests.
 */
export function canonicalPrefix(prefix: string): string {
  return canonicalPath(prefix, ANY_ESCAPE);
}

/** Longest prefix first, so the first rule that matches is the most specific. */
export function sortPathRules(rules: readonly PathRule[]): PathRule[] {
  return [...rules].sort((a, b) => b.prefix.length - a.prefix.length);
}

/**
 * Prefixes match on segment boundaries: `/api` matches `/api` and `/api/…`
 * but not `/apix`; `/api/` matches only `/api/…`; `/` matches everything.
 * A `;` ends a segment's name too (`/api;v=2`): servlet containers read it
 * as the segment's parameters (RFC 3986 §3.3), so `/admin;x` is `/admin`
 * there. Paths and prefixes are compared in their canonical form
 * (case-sensitive).
 */
export function matchPrefix(prefix: string, path: string): boolean {
  if (!path.startsWith(prefix)) return false;
  if (prefix.endsWith("/") || path.length === prefix.length) return true;
  const next = path[prefix.length];
  return next === "/" || next === ";";
}

/**
 * The path as servlet containers route it: each segment's `;` parameters
 * dropped (`/api;x/admin` → `/api/admin`). Rules are matched against this
 * form, so parameters in any segment, not only the one after the prefix,
 * cannot take a request out from under a rule that Tomcat, Jetty or Spring
 * would apply it to.
 */
function withoutParameters(path: string): string {
  return path.includes(";") ? path.replace(/;[^/]*/g, "") : path;
}

/** The first (longest) rule whose prefix matches, or null. */
export function findPathRule(rules: readonly PathRule[], path: string): PathRule | null {
  const bare = withoutParameters(path);
  for (const rule of rules) if (matchPrefix(rule.prefix, bare)) return rule;
  return null;
}

/**
 * `/api/users` minus `/api` is `/users`; the prefix itself becomes `/`. When
 * the prefix matched only without parameters (`/api;x/users`), as many
 * segments as the prefix has are dropped.
 */
export function stripPrefix(prefix: string, path: string): string {
  if (!path.startsWith(prefix)) {
    const count = prefix.replace(/\/$/, "").split("/").length;
    return `/${path.split("/").slice(count).join("/")}`;
  }
  const rest = path.slice(prefix.endsWith("/") ? prefix.length - 1 : prefix.length);
  return rest.startsWith("/") ? rest : `/${rest}`;
}
