import { clip } from "../lib/clip.ts";
import type { Network } from "./network.ts";

/** Where a request is sent: scheme, host and port, plus a path to prefix. */
export interface Upstream {
  /** `http://10.0.0.7:5000`: what the URL parser makes of the route value. */
  readonly origin: string;
  /** `/v2` for `https://api.internal/v2`; "" when the value has no path. */
  readonly basePath: string;
  /**
   * How it is fetched, set when the route is bound to the worker's bindings
   * (lookup/bind-networks.ts); absent (the parser's output): the global fetch().
   */
  readonly network?: Network;
}

/** Why an upstream was refused; quoted parts of the value are clipped. */
export class UpstreamSyntaxError extends Error {
  constructor(message: string) {
    super(clip(message));
  }
}

/** RFC 1035 §2.3.4: a name is at most 253 characters, a label at most 63. */
const MAX_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

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
  checkHostName(url.hostname, value);
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

/**
 * The URL parser accepts names no resolver would (a 1 MB label) and reads
 * numbers as IPv4 shorthand (`123` is 0.0.0.123, `2130706433` 127.0.0.1):
 * both are almost certainly mistakes, so they are refused here rather than
 * failing later, and differently, at fetch time.
 */
function checkHostName(hostname: string, typed: string): void {
  if (hostname.startsWith("[")) return;
  if (IPV4.test(hostname)) {
    if (!typed.toLowerCase().includes(hostname)) {
      throw new UpstreamSyntaxError("a number is not a host name; write an IPv4 address in dotted form (10.0.0.7)");
    }
    return;
  }
  if (hostname.length > MAX_NAME_LENGTH) {
    throw new UpstreamSyntaxError(`host name longer than ${MAX_NAME_LENGTH} characters`);
  }
  if (hostname.split(".").some((label) => label.length > MAX_LABEL_LENGTH)) {
    throw new UpstreamSyntaxError(`host name label longer than ${MAX_LABEL_LENGTH} characters`);
  }
}
