import { RouteSyntaxError } from "../../../src/route-value/route-syntax-error.ts";
import { parseHipacheList, parseRouteValue } from "../../../src/route-value/value.ts";

/** A stored route: a string key's value, or a Hipache list (`frontend:<host>`). */
export type StoredValue = { readonly value: string } | { readonly list: readonly string[] };

/** What a runtime makes of a stored value: a route, a refusal (with its message), or a crash (any other error). */
export type Verdict = { readonly route: unknown } | { readonly refused: string } | { readonly crashed: string };

/**
 * Parses `stored` with the one parser that the worker and the routes CLI share
 * (`routes set` and `routes import` refuse a value when it throws), and says
 * what came out, as plain JSON so two runtimes' answers can be compared.
 */
export function verdict(stored: StoredValue): Verdict {
  try {
    const route = "value" in stored ? parseRouteValue(stored.value) : parseHipacheList(stored.list);
    return { route: JSON.parse(JSON.stringify(route)) as unknown };
  } catch (error) {
    if (error instanceof RouteSyntaxError) return { refused: error.message };
    return { crashed: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}
