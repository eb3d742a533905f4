/** The bridge's failures as statuses and `{"error": …}` bodies, rendered in one place. */
import { RedisConnectionError } from "../lib/resp.ts";
import type { JsonOut } from "./encoding.ts";

/** A request the bridge answers with `status` and `{"error": message}`. */
export class HttpError extends Error {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

/** Status, extra headers and body for anything thrown while answering a request; never a stack trace. */
export function errorResponse(error: unknown): { status: number; headers: Record<string, string>; body: JsonOut } {
  if (error instanceof HttpError) {
    // A body past the limit is left unread: closing is cheaper than draining it.
    const close: Record<string, string> = error.status === 413 ? { Connection: "close" } : {};
    return { status: error.status, headers: { ...error.headers, ...close }, body: { error: error.message } };
  }
  if (error instanceof RedisConnectionError)
    return { status: 503, headers: {}, body: { error: `ERR ${error.message}` } };
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, headers: {}, body: { error: `ERR bridge failure: ${message}` } };
}
