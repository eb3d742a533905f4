import { ClientClosedError, UpstreamTimeoutError, UpstreamUnreachableError } from "../errors.ts";
import type { FetchFunction } from "../route-value/index.ts";
import type { Upstream } from "../route-value/index.ts";
import { sendsNoBody } from "../receive/index.ts";
import { upstreamRequestHeaders } from "./request-headers.ts";
import { clientResponseHeaders, passesAsIs } from "./response-headers.ts";
import { announcedLength, watchUpload, type Upload } from "./upload.ts";
import type { UpstreamCall } from "./upstream-call.ts";

/** Statuses whose responses never carry a body (RFC 9110 §6.4.1; §15.3.6 for 205). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Re-sends the request to the upstream and returns its answer, streaming the
 * body both ways. Redirects are the client's business (`redirect: "manual"`).
 *
 * Throws UpstreamUnreachableError or UpstreamTimeoutError when no response
 * was obtained, so a caller may try another upstream; ClientClosedError when
 * the client broke off its own upload, which says nothing about the upstream.
 *
 * The header timeout starts once the body has been sent (at once when there
 * is none), as nginx's proxy_read_timeout does: a client's slow upload is not
 * the upstream's delay (upload.ts).
 *
 * Bodies are passed as the upstream encoded them (`encodeResponseBody` and
 * `encodeBody: "manual"`). In the default ("automatic") mode the runtime
 * treats `Content-Encoding` as its own job: it decodes a gzip body from
 * fetch() and encodes whatever the worker returns, so the bytes stay the
 * upstream's only when it manages to short-circuit the two. That is why this
 * is the only place that builds the client's Response.
 *
 * `customFetch` is the fetch() to send it with, as Hono's proxy helper takes
 * one (hono/src/helper/proxy): the global one, or the fetch() of the binding
 * the backend goes through (a Workers VPC Network; bind-networks.ts), chosen
 * when the route was bound, so the request only reads it. Tests pass a
 * stand-in.
 */
export async function forward(
  request: Request,
  upstream: Upstream,
  call: UpstreamCall,
  customFetch: FetchFunction = fetch,
): Promise<Response> {
  const method = request.method;
  const headers = upstreamRequestHeaders(request, call.client, call.hops, call.requestHeaders);
  let body: BodyInit | null = null;
  let upload: Upload | null = null;
  let signal: AbortSignal;
  if (sendsNoBody(method)) {
    // A GET or HEAD body with content was refused before routing; an empty one goes, with its Content-Length: 0.
    headers.delete("content-length");
  } else if (call.body || request.body === null) {
    body = call.body;
  } else {
    upload = watchUpload(request.body, announcedLength(request.headers), call.timeoutMs);
    body = upload.body;
  }
  if (upload === null) {
    // Nothing to wait for: the header timeout starts now, as one native
    // timer that is never cleared. workerd applies a fetch() signal to the
    // wait for response headers only; firing later leaves the body streaming
    // (test: "streams a response body for longer than UPSTREAM_TIMEOUT_MS").
    signal = AbortSignal.timeout(call.timeoutMs);
  } else {
    signal = upload.signal;
  }

  let response: Response;
  try {
    response = await customFetch(upstream.origin + upstream.basePath + call.pathAndQuery, {
      method,
      headers,
      body,
      redirect: "manual",
      signal,
      encodeResponseBody: "manual",
    });
    upload?.answered();
  } catch (error) {
    upload?.stop();
    if (upload?.clientFailed) throw new ClientClosedError();
    if (signal.aborted) throw new UpstreamTimeoutError(call.timeoutMs);
    throw new UpstreamUnreachableError(error instanceof Error ? error.message : String(error));
  }

  // A 101 must be returned as the very object fetch gave us: it carries the
  // WebSocket, which a copy would lose. Any other answer is returned as is
  // too when nothing in it must change, the common case: a copy of its
  // headers and a new Response cost more CPU than the rest of the router.
  const status = response.status;
  if (status === 101) return response;
  const bodyless = NULL_BODY_STATUSES.has(status) || method === "HEAD";
  if (!call.editableResponse && !(bodyless && response.body !== null) && passesAsIs(response, call)) {
    return response;
  }
  const responseHeaders = clientResponseHeaders(response, upstream, call);
  let responseBody = response.body;
  if (bodyless) {
    // Release the upstream connection rather than leave a body nobody reads.
    void response.body?.cancel().catch(() => undefined);
    responseBody = null;
  }
  return new Response(responseBody, {
    status,
    statusText: response.statusText,
    headers: responseHeaders,
    encodeBody: "manual",
  });
}
