import { applyHeaderEdits } from "../route-value/index.ts";
import type { Upstream } from "../route-value/index.ts";
import { stripHopByHop } from "../lib/hop-by-hop.ts";
import { rewriteLocation } from "./location.ts";
import type { UpstreamCall } from "./upstream-call.ts";

/** What of the call shapes the client's response headers. */
type ResponseHeaderSettings = Pick<UpstreamCall, "client" | "publicPrefix" | "responseHeaders" | "exposeUpstream">;

/** The upstream's headers as the client gets them. */
export function clientResponseHeaders(
  response: Response,
  upstream: Upstream,
  options: ResponseHeaderSettings,
): Headers {
  const headers = new Headers(response.headers);
  stripHopByHop(headers);
  const location = headers.get("location");
  if (location !== null) {
    headers.set("location", rewriteLocation(location, upstream, options.client.origin, options.publicPrefix));
  }
  applyHeaderEdits(headers, options.responseHeaders);
  if (options.exposeUpstream) headers.set("x-upstream", upstream.origin + upstream.basePath);
  return headers;
}

/**
 * Connection options the runtime's own HTTP server drops from any response
 * it sends (checked in workerd: Connection, Keep-Alive, TE, Trailer,
 * Upgrade, Transfer-Encoding), as any HTTP/2 or HTTP/3 hop must (RFC 9113
 * §8.2.2). An upstream's `Connection: keep-alive` therefore needs no copy.
 */
const SELF_CLEANING_CONNECTION = /^\s*(?:keep-alive|close)\s*$/i;
/** Hop-by-hop by our list (hop-by-hop.ts) but passed on by the runtime. */
const PASSED_ON_HOP_BY_HOP = ["proxy-authenticate", "proxy-authorization", "proxy-connection"] as const;

/**
 * True when clientResponseHeaders would change nothing the client can see:
 * no route edits, no X-Upstream, no Location to rewrite, and no hop-by-hop
 * header the runtime would pass on (a Connection naming another header, or
 * Proxy-*). Five lookups instead of a copy of every header and a new Response.
 */
export function passesAsIs(response: Response, options: ResponseHeaderSettings): boolean {
  if (options.responseHeaders.length > 0 || options.exposeUpstream) return false;
  const headers = response.headers;
  const connection = headers.get("connection");
  if (connection !== null && !SELF_CLEANING_CONNECTION.test(connection)) return false;
  if (headers.has("location")) return false;
  for (const name of PASSED_ON_HOP_BY_HOP) if (headers.has(name)) return false;
  return true;
}
