/** Where a request is sent: scheme, host and port, plus a path to prefix. */
export interface Upstream {
  /** `http://10.0.0.7:5000`: what the URL parser makes of the route value. */
  readonly origin: string;
  /** `/v2` for `https://api.internal/v2`; "" when the value has no path. */
  readonly basePath: string;
}

export class UpstreamSyntaxError extends Error {}

/** `scheme://` at the start of a value: a URL rather than the seed's `host:port`. */
export const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Parses one upstream as an operator types it:
 * - `10.0.0.7:5000`, `app.internal:8080`, `app.internal` (the seed's form: http);
 * - `http://…` or `https://…`, optionally with a base path (`https://api.internal/v2`).
 * Credentials, queries and fragments are refused: they have no meaning for a
 * proxy target and would leak into every request.
 */
export function parseUpstream(text: string): Upstream {
  const value = text.trim();
  if (value === "") throw new UpstreamSyntaxError("empty upstream");
  const schemeMatch = SCHEME.exec(value);
  if (schemeMatch && !/^https?$/i.test(schemeMatch[1] ?? "")) {
    throw new UpstreamSyntaxError(`unsupported scheme "${schemeMatch[1] ?? ""}" (use http or https)`);
  }
  let url: URL;
  try {
    url = new URL(schemeMatch ? value : `http://${value}`);
  } catch {
    throw new UpstreamSyntaxError("not a host:port or an http(s) URL");
  }
  if (url.hostname === "") throw new UpstreamSyntaxError("no host");
  if (url.username !== "" || url.password !== "") throw new UpstreamSyntaxError("credentials are not allowed");
  if (url.search !== "" || url.hash !== "") throw new UpstreamSyntaxError("a query or fragment is not allowed");
  const basePath = url.pathname === "/" ? "" : url.pathname.replace(/\/+$/, "");
  return { origin: url.origin, basePath };
}

/**
 * parseUpstream for a caller with its own error type: `toError` turns the
 * reason (`unsupported scheme "ftp" (use http or https)`) into what the
 * caller throws (a route syntax error, a configuration error).
 */
export function parseUpstreamAs(text: string, toError: (reason: string) => Error): Upstream {
  try {
    return parseUpstream(text);
  } catch (error) {
    if (error instanceof UpstreamSyntaxError) throw toError(error.message);
    throw error;
  }
}
