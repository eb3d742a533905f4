/**
 * Every way a request can fail, as a class that carries its HTTP status.
 * Handlers throw these; `renderError` (error-response.ts) is the one place that
 * turns them into responses, so statuses and bodies stay consistent.
 */
export class RouterError extends Error {
  readonly status: number;
  /** A short machine-readable code, also written to the access log. */
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;

  /** `message` is shown to the client: it never holds route values or secrets. */
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** The Host header is missing or is not a valid host name (RFC 9110 §7.2). */
export class InvalidHostError extends RouterError {
  constructor(reason: string) {
    super(400, "invalid_host", `Invalid Host header: ${reason}.`);
  }
}

/** No route key exists for this host: the seed answers 403 Forbidden. */
export class NoRouteError extends RouterError {
  constructor(host: string, status = 403) {
    super(status, "no_route", `No route for host ${host}.`);
  }
}

/** The stored value cannot be used; names the host, never the value. */
export class InvalidRouteError extends RouterError {
  /** Why the value was refused: for the log line only. */
  readonly detail: string;

  constructor(host: string, detail: string) {
    super(502, "invalid_route", `The route for host ${host} is invalid.`);
    this.detail = detail;
  }
}

/** The route store (Upstash REST API) failed or did not answer in time. */
export class RouteStoreError extends RouterError {
  readonly detail: string;

  constructor(detail: string) {
    super(503, "route_store_unavailable", "The route store is unavailable; try again shortly.", {
      "retry-after": "1",
    });
    this.detail = detail;
  }
}

/** The upstream refused the connection or the connection failed. */
export class UpstreamUnreachableError extends RouterError {
  readonly detail: string;

  constructor(detail: string) {
    super(502, "upstream_unreachable", "The upstream server could not be reached.");
    this.detail = detail;
  }
}

/** The upstream did not send response headers within the timeout. */
export class UpstreamTimeoutError extends RouterError {
  constructor(timeoutMs: number) {
    super(504, "upstream_timeout", `The upstream server did not answer within ${timeoutMs} ms.`);
  }
}

/** The worker's own configuration is unusable (missing secrets, bad vars). */
export class ConfigError extends RouterError {
  constructor(message: string) {
    super(500, "config_error", message);
  }
}

/**
 * The request has been through routers more times than allowed, e.g. a route
 * that points back at the router (508 Loop Detected, RFC 5842 §7.2).
 */
export class LoopDetectedError extends RouterError {
  readonly detail: string;

  constructor(hops: number, maxHops: number) {
    super(508, "loop_detected", "The request is looping between routers.");
    this.detail = `arrived after ${hops} hops (max ${maxHops})`;
  }
}

/**
 * A GET or HEAD request that carries content. The edge platform's fetch()
 * cannot send it (Fetch standard), and dropping it silently would hand the
 * upstream a different request than the client sent (RFC 9110 §9.3.1 gives
 * such content no meaning, and allows refusing it).
 */
export class BodyNotForwardableError extends RouterError {
  constructor(method: string) {
    super(400, "body_not_forwardable", `A ${method} request with a body cannot be forwarded.`);
  }
}
