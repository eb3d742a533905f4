import { addForwardingHeaders, type ClientInfo } from "./forwarded.ts";
import { isWebSocketUpgrade, stripHopByHop } from "./hop-by-hop.ts";
import { HOPS_HEADER } from "./loop.ts";

/**
 * The headers the upstream is sent: the client's, minus hop-by-hop headers
 * (RFC 9110 §7.6.1) and Host (the platform sends the URL's host; the client's
 * is in X-Forwarded-Host), plus the forwarding headers and the hop counter.
 */
export function upstreamRequestHeaders(request: Request, client: ClientInfo, hops: number): Headers {
  const headers = new Headers(request.headers);
  stripHopByHop(headers, isWebSocketUpgrade(request));
  headers.delete("host");
  restoreAcceptEncoding(headers, request);
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
  const cf: unknown = request.cf;
  if (typeof cf !== "object" || cf === null || !("clientAcceptEncoding" in cf)) return;
  const original = cf.clientAcceptEncoding;
  if (typeof original !== "string") return;
  if (original.trim() === "") headers.delete("accept-encoding");
  else headers.set("accept-encoding", original);
}
