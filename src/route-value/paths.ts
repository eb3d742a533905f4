import type { PathRule } from "./route.ts";

/** Why a `"paths"` key cannot be a prefix, or null when it can. */
export function validatePrefix(prefix: string): string | null {
  if (!prefix.startsWith("/")) return 'a path prefix must start with "/"';
  // The prefix is compared with the path as received, before the query.
  if (/[?#]/.test(prefix)) return 'a path prefix cannot contain "?" or "#"';
  // eslint-disable-next-line no-control-regex -- control characters are what we refuse
  if (/[\s\x00-\x1f\x7f]/.test(prefix)) return "a path prefix cannot contain spaces or control characters";
  return null;
}

/** Longest prefix first, so the first rule that matches is the most specific. */
export function sortPathRules(rules: readonly PathRule[]): PathRule[] {
  return [...rules].sort((a, b) => b.prefix.length - a.prefix.length);
}

/**
 * Prefixes match on segment boundaries: `/api` matches `/api` and `/api/…`
 * but not `/apix`; `/api/` matches only `/api/…`; `/` matches everything.
 * Paths are compared as received (case-sensitive, percent-encoding kept).
 */
export function matchPrefix(prefix: string, path: string): boolean {
  if (!path.startsWith(prefix)) return false;
  return prefix.endsWith("/") || path.length === prefix.length || path[prefix.length] === "/";
}

/** The first (longest) rule whose prefix matches, or null. */
export function findPathRule(rules: readonly PathRule[], path: string): PathRule | null {
  for (const rule of rules) if (matchPrefix(rule.prefix, path)) return rule;
  return null;
}

/** `/api/users` minus `/api` is `/users`; the prefix itself becomes `/`. */
export function stripPrefix(prefix: string, path: string): string {
  const rest = path.slice(prefix.endsWith("/") ? prefix.length - 1 : prefix.length);
  return rest.startsWith("/") ? rest : `/${rest}`;
}
