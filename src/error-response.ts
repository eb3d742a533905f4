import { errorFormat } from "./error-format.ts";
import { RouterError } from "./errors.ts";

/** Reason phrases for the statuses the router itself produces. */
const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  499: "Client Closed Request",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  508: "Loop Detected",
};

export interface RenderOptions {
  /**
   * Debug (DEBUG_EXPOSE_UPSTREAM): the upstream that was tried, named in an
   * `X-Upstream` header as on proxied answers; null names none.
   */
  readonly upstream?: string | null;
}

/**
 * The one place where failures become responses. Unknown errors are reported
 * as a plain 500 with no detail: a stack trace is for the log, not the client.
 * The body is JSON, HTML or plain text as the client's Accept prefers
 * (error-format.ts), and always names the request id that the access log
 * line carries too.
 */
export function renderError(
  error: unknown,
  request: Request,
  requestId: string,
  options: RenderOptions = {},
): Response {
  const routerError = error instanceof RouterError ? error : new RouterError(500, "internal_error", "Internal error.");
  const { status, code, message } = routerError;
  const reason = REASONS[status] ?? "Error";
  const headers = new Headers(routerError.headers);
  headers.set("x-request-id", requestId);
  headers.set("cache-control", "no-store");
  if (options.upstream) headers.set("x-upstream", options.upstream);
  let body: string;
  switch (errorFormat(request.headers.get("accept"))) {
    case "json":
      headers.set("content-type", "application/json; charset=utf-8");
      body = JSON.stringify({ status, error: code, message, requestId });
      break;
    case "html":
      headers.set("content-type", "text/html; charset=utf-8");
      body = `<!doctype html><title>${status} ${reason}</title><h1>${status} ${reason}</h1><p>${escapeHtml(message)}</p><p><small>request ${escapeHtml(requestId)}</small></p>\n`;
      break;
    case "text":
      headers.set("content-type", "text/plain; charset=utf-8");
      body = `${status} ${reason}: ${message}\nrequest id: ${requestId}\n`;
  }
  return new Response(request.method === "HEAD" ? null : body, { status, headers });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
