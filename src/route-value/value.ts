import { parseJsonRoute } from "./json-route.ts";
import { type ForwardAction, type RouteSpec } from "./route.ts";
import { RouteSyntaxError } from "./route-syntax-error.ts";
import { parseUpstreamAs, SCHEME, type Upstream } from "./upstream.ts";

/**
 * Parses a route value as stored under a host's key. The one parser for the
 * worker and the routes CLI, so the CLI refuses exactly what the worker
 * would answer 502 for. Pure: no I/O, no Workers-only APIs.
 *
 * - `10.0.0.7:5000`, `app.internal:8080`: the seed's format (http);
 * - `http://…`, `https://…`, with an optional base path;
 * - `{…}`: a JSON route (json-route.ts).
 */
export function parseRouteValue(value: string): RouteSpec {
  const text = value.trim();
  if (text.startsWith("{")) return parseJsonRoute(text);
  if (text.startsWith("[") && text.includes('"')) {
    throw new RouteSyntaxError('a JSON route must be an object, such as {"backends": ["10.0.0.1:80", "10.0.0.2:80"]}');
  }
  const upstream = toUpstream(text, "");
  return {
    kind: SCHEME.test(text) ? "url" : "upstream",
    paths: [],
    fallback: forwardTo([upstream]),
    label: null,
  };
}

/**
 * Hipache's model, read as is: `RPUSH frontend:<host> <identifier> <backend>…`.
 * The first element names the app; the others are backend URLs, chosen at
 * random among those not marked dead.
 */
export function parseHipacheList(items: readonly string[]): RouteSpec {
  if (items.length < 2) {
    throw new RouteSyntaxError("the list has an identifier but no backends (RPUSH more backend URLs to it)");
  }
  const backends = items.slice(1).map((item, i) => toUpstream(item, `list element ${i + 1}: `));
  return { kind: "hipache", paths: [], fallback: forwardTo(backends), label: items[0] ?? "" };
}

/** Forward to these backends with every option at its default. */
export function forwardTo(backends: readonly Upstream[]): ForwardAction {
  return { type: "forward", backends, strategy: "random", timeoutMs: null, requestHeaders: [], responseHeaders: [] };
}

function toUpstream(text: string, where: string): Upstream {
  return parseUpstreamAs(text, (reason) => new RouteSyntaxError(`${where}${reason}`));
}
