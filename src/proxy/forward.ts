import { UpstreamTimeoutError, UpstreamUnreachableError } from "../errors.ts";
import type { Upstream } from "../route/upstream.ts";
import { addForwardingHeaders, type ClientInfo } from "./forwarded.ts";
import { isWebSocketUpgrade, stripHopByHop } from "./hop-by-hop.ts";

export interface ForwardOptions {
  /** How long the upstream may take to send response headers. */
  readonly timeoutMs: number;
  readonly client: ClientInfo;
}

/** Statuses whose responses never carry a body (RFC 9110 §6.4.1). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Re-sends the request to the upstream and returns its answer, streaming the
 * body both ways. Redirects are the client's business (`redirect: "manual"`).
 */
export async function forward(request: Request, upstream: Upstream, options: ForwardOptions): Promise<Response> {
  const webSocket = isWebSocketUpgrade(request);
  const headers = new Headers(request.headers);
  stripHopByHop(headers, webSocket);
  // The platform sends the URL's host; the client's is in X-Forwarded-Host.
  headers.delete("host");
  addForwardingHeaders(headers, options.client);

  const target = upstream.origin + upstream.basePath + pathAndQuery(request.url);
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  let response: Response;
  try {
    response = await fetch(target, {
      method: request.method,
      headers,
      body: request.body,
      redirect: "manual",
      signal: timeout.signal,
    });
  } catch (error) {
    if (timeout.signal.aborted) throw new UpstreamTimeoutError(options.timeoutMs);
    throw new UpstreamUnreachableError(error instanceof Error ? error.message : String(error));
  } finally {
    clearTimeout(timer);
  }

  // A 101 must be returned as the very object fetch gave us: it carries the
  // WebSocket, which a copy would lose.
  if (response.status === 101) return response;
  const responseHeaders = new Headers(response.headers);
  stripHopByHop(responseHeaders);
  const body = NULL_BODY_STATUSES.has(response.status) || request.method === "HEAD" ? null : response.body;
  return new Response(body, { status: response.status, statusText: response.statusText, headers: responseHeaders });
}

/**
 * The request target exactly as received. Slicing, rather than re-serialising
 * a URL object, keeps `%2F`, `//` and the query byte for byte.
 */
export function pathAndQuery(url: string): string {
  const authorityStart = url.indexOf("//") + 2;
  let end = url.length;
  let start = end;
  for (let i = authorityStart; i < url.length; i++) {
    const char = url[i];
    if (start === url.length && (char === "/" || char === "?")) start = i;
    if (char === "#") {
      end = i;
      break;
    }
  }
  const target = url.slice(start, end);
  return target.startsWith("/") ? target : `/${target}`;
}
