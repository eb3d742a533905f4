import { BodyNotForwardableError, UpstreamTimeoutError, UpstreamUnreachableError } from "../errors.ts";
import type { Upstream } from "../route/upstream.ts";
import type { ClientInfo } from "./forwarded.ts";
import { upstreamRequestHeaders } from "./request-headers.ts";
import { clientResponseHeaders } from "./response-headers.ts";
import { splitTarget } from "./target.ts";

export interface ForwardOptions {
  /** How long the upstream may take to send response headers. */
  readonly timeoutMs: number;
  readonly client: ClientInfo;
  /** Routers the request passed before this one (its incoming hop count); default 0. */
  readonly hops?: number;
  /** Debug: name the upstream in an `X-Upstream` response header; default off. */
  readonly exposeUpstream?: boolean;
}

/** Statuses whose responses never carry a body (RFC 9110 §6.4.1; §15.3.6 for 205). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Re-sends the request to the upstream and returns its answer, streaming the
 * body both ways. Redirects are the client's business (`redirect: "manual"`).
 *
 * Throws UpstreamUnreachableError or UpstreamTimeoutError when no response
 * was obtained, so a caller may try another upstream.
 *
 * Bodies are passed as the upstream encoded them (`encodeResponseBody` and
 * `encodeBody: "manual"`). In the default ("automatic") mode the runtime
 * treats `Content-Encoding` as its own job: it decodes a gzip body from
 * fetch() and encodes whatever the worker returns, so the bytes stay the
 * upstream's only when it manages to short-circuit the two.
 */
export async function forward(request: Request, upstream: Upstream, options: ForwardOptions): Promise<Response> {
  const headers = upstreamRequestHeaders(request, options.client, options.hops ?? 0);
  const body = requestBody(request, headers);
  const { path, query } = splitTarget(request.url);
  const target = upstream.origin + upstream.basePath + path + query;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  let response: Response;
  try {
    response = await fetch(target, {
      method: request.method,
      headers,
      body,
      redirect: "manual",
      signal: timeout.signal,
      encodeResponseBody: "manual",
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
  const responseHeaders = clientResponseHeaders(response, upstream, {
    publicOrigin: () => new URL(request.url).origin,
    exposeUpstream: options.exposeUpstream ?? false,
  });
  let responseBody = response.body;
  if (NULL_BODY_STATUSES.has(response.status) || request.method === "HEAD") {
    // Release the upstream connection rather than leave a body nobody reads.
    void response.body?.cancel().catch(() => undefined);
    responseBody = null;
  }
  return new Response(responseBody, {
    status: response.status,
    statusText: response.statusText,
    headers: responseHeaders,
    encodeBody: "manual",
  });
}

/**
 * The body to send. fetch() refuses any body on GET and HEAD — even the empty
 * one a `Content-Length: 0` produces — so an empty one is dropped and a real
 * one refused with 400 rather than silently lost.
 */
function requestBody(request: Request, headers: Headers): ReadableStream | null {
  if (request.body === null || (request.method !== "GET" && request.method !== "HEAD")) return request.body;
  if (request.headers.get("content-length")?.trim() === "0" && !request.headers.has("transfer-encoding")) {
    headers.delete("content-length");
    return null;
  }
  throw new BodyNotForwardableError(request.method);
}
