import { UpstreamTimeoutError, UpstreamUnreachableError } from "../errors.ts";
import type { HeaderEdits } from "../route/route.ts";
import type { Upstream } from "../route/upstream.ts";
import type { ClientInfo } from "./forwarded.ts";
import { sendsNoBody } from "./request-body.ts";
import { upstreamRequestHeaders } from "./request-headers.ts";
import { clientResponseHeaders } from "./response-headers.ts";

export interface ForwardOptions {
  /** How long the upstream may take to send response headers. */
  readonly timeoutMs: number;
  readonly client: ClientInfo;
  /** Routers the request passed before this one (its incoming hop count); default 0. */
  readonly hops?: number;
  /** Debug: name the upstream in an `X-Upstream` response header; default off. */
  readonly exposeUpstream?: boolean;
}

/**
 * What the route makes of the client's request for one attempt: forward()
 * applies it while building the one upstream request and the one client
 * response, so nothing is copied twice.
 */
export interface ForwardPlan {
  /** Sent after the upstream's base path: the client's path and query as received, or with a prefix stripped. */
  readonly pathAndQuery: string;
  /** The path prefix stripped from it (`/app`; "" for none): a redirect to the upstream maps back under it. */
  readonly publicPrefix?: string;
  /** The route's edits to the request headers; default none. */
  readonly requestHeaders?: HeaderEdits;
  /** The route's edits to the response headers; default none. */
  readonly responseHeaders?: HeaderEdits;
  /** The body, kept in memory so another attempt can send it again; null streams the client's body (once). */
  readonly body?: ArrayBuffer | null;
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
 * upstream's only when it manages to short-circuit the two. That is why this
 * is the only place that builds the client's Response.
 */
export async function forward(
  request: Request,
  upstream: Upstream,
  plan: ForwardPlan,
  options: ForwardOptions,
): Promise<Response> {
  const headers = upstreamRequestHeaders(request, options.client, options.hops ?? 0, plan.requestHeaders ?? []);
  const body = requestBody(request, headers, plan.body ?? null);
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  let response: Response;
  try {
    response = await fetch(upstream.origin + upstream.basePath + plan.pathAndQuery, {
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
    publicOrigin: options.client.origin,
    publicPrefix: plan.publicPrefix ?? "",
    edits: plan.responseHeaders ?? [],
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
 * The body to send: the replay copy when there is one, else the client's
 * stream. A GET or HEAD body was refused before routing if it had content
 * (request-body.ts), so what is left is at most an empty one, which fetch()
 * would refuse: dropped, with its `Content-Length: 0`.
 */
function requestBody(request: Request, headers: Headers, replay: ArrayBuffer | null): BodyInit | null {
  if (!sendsNoBody(request.method)) return replay ?? request.body;
  headers.delete("content-length");
  return null;
}
