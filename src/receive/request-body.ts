import { BodyNotForwardableError } from "../errors.ts";

/**
 * GET and HEAD are never sent with a body: the platform's fetch() refuses one
 * (Fetch standard), even the empty one a `Content-Length: 0` produces.
 */
export function sendsNoBody(method: string): boolean {
  return method === "GET" || method === "HEAD";
}

/**
 * Refuses a GET or HEAD that carries content, before anything else looks at
 * the request, so every route answers it the same way: 400 rather than a
 * request silently forwarded without its body (RFC 9110 §9.3.1 gives such
 * content no meaning and allows refusing it). An empty body
 * (`Content-Length: 0`) is no body and passes.
 */
export function refuseBodyOnGetOrHead(request: Request): void {
  if (request.body === null || !sendsNoBody(request.method)) return;
  if (request.headers.get("content-length")?.trim() === "0" && !request.headers.has("transfer-encoding")) return;
  throw new BodyNotForwardableError(request.method);
}
