import type { HeaderEdits } from "../route-value/index.ts";
import { applyHeaderEdits } from "../route-value/index.ts";
import { addForwardingHeaders, dropClientClaims, type ClientInfo } from "../receive/index.ts";
import { isWebSocketUpgrade, stripHopByHop } from "../lib/hop-by-hop.ts";
import { HOPS_HEADER } from "../receive/index.ts";

/**
 * The headers the upstream is sent: the client's, minus hop-by-hop headers
 * (RFC 9110 §7.6.1) and Host (the platform sends the URL's host; the client's
 * is in X-Forwarded-Host) and the address and URL claims no client may make
 * (receive/forwarded.ts), with the client's own Accept-Encoding, then the
 * route's edits, then the forwarding headers and the hop counter — last, so
 * that neither a client nor a route can change what the router vouches for.
 */
export function upstreamRequestHeaders(
  request: Request,
  client: ClientInfo,
  hops: number,
  edits: HeaderEdits = [],
): Headers {
  const headers = new Headers(request.headers);
  stripHopByHop(headers, isWebSocketUpgrade(request));
  headers.delete("host");
  dropClientClaims(headers);
  restoreAcceptEncoding(headers, request);
  applyHeaderEdits(headers, edits);
  addForwardingHeaders(headers, client);
  headers.set(HOPS_HEADER, String(hops + 1));
  return headers;
}

/**
 * The edge replaces the client's Accept-Encoding with `br, gzip` before the
 * worker runs and keeps the original in `request.cf.clientAcceptEncoding`.
 * nginx would pass the client's own value, so the upstream picks an encoding
 * the client really accepts; we do the same ("" means the client sent none).
 */
function restoreAcceptEncoding(headers: Headers, request: Request): void {
  // No Accept-Encoding: none the edge could have replaced (and `request.cf`
  // is a runtime call that builds an object, on every request). Asked of the
  // client's headers: a `Connection: accept-encoding` has removed it from ours.
  if (!request.headers.has("accept-encoding")) return;
  const cf: unknown = (request as { cf?: unknown }).cf; // also typed where Request has no `cf` (Node tests)
  if (typeof cf !== "object" || cf === null || !("clientAcceptEncoding" in cf)) return;
  const original = cf.clientAcceptEncoding;
  if (typeof original !== "string") return;
  if (original.trim() === "") headers.delete("accept-encoding");
  else headers.set("accept-encoding", original);
}
