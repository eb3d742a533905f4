import { type RouteSpec } from "../route-value/index.ts";
import { RouteSyntaxError } from "../route-value/index.ts";
import { parseHipacheList, parseRouteValue } from "../route-value/index.ts";

/** A stored value as the router reads it: a route, or what is wrong with it. */
export type ParsedValue =
  { readonly spec: RouteSpec; readonly problem: null } | { readonly spec: null; readonly problem: string };

/**
 * Parsed route values by their raw text, for the isolate's life. A spec
 * depends on the value alone (never on the key or host it was found under),
 * so a value seen before need not be parsed again: no JSON.parse, no
 * validation, no URL parse per backend on the hot path. A changed value is a
 * different key here, so an edit takes effect on the next lookup as before.
 * Invalid values are kept too (their 502 costs no parse either).
 */
export interface SpecCache {
  /** A string key's value. */
  value(raw: string): ParsedValue;
  /** A Hipache list's elements. */
  list(items: readonly string[]): ParsedValue;
}

/** Bounded: past `maxEntries` the oldest entry goes (Maps iterate in insertion order). */
export function createSpecCache(maxEntries = 1000): SpecCache {
  const entries = new Map<string, ParsedValue>();
  const cached = (key: string, parse: () => RouteSpec): ParsedValue => {
    const hit = entries.get(key);
    if (hit) return hit;
    let parsed: ParsedValue;
    try {
      parsed = { spec: parse(), problem: null };
    } catch (error) {
      if (!(error instanceof RouteSyntaxError)) throw error;
      parsed = { spec: null, problem: error.message };
    }
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    entries.set(key, parsed);
    return parsed;
  };
  return {
    // The first character keeps the two kinds apart: "s" + text, "l" + JSON list.
    value: (raw) => cached(`s${raw}`, () => parseRouteValue(raw)),
    list: (items) => cached(`l${JSON.stringify(items)}`, () => parseHipacheList(items)),
  };
}

/** The isolate's cache, shared by every lookup it serves. */
export const isolateSpecCache: SpecCache = createSpecCache();
