import { clip } from "./lib/clip.ts";

/*
 * Every way a request can fail, as a class that carries its HTTP status.
 * Handlers throw these; `renderError` (error-response.ts) is the one place that
 * turns them into responses, so statuses and bodies stay consistent.
 */

/** What a RouterError may carry besides its status, code and message. */
export interface RouterErrorOptions {
  /** Headers the error response carries (`Retry-After`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** What the operator is told in the access log line; never shown to the client. */
  readonly detail?: string;
}

/** The base of every error the router answers by itself. */
export class RouterError extends Error {
  readonly status: number;
  /** A short machine-readable code, also written to the access log. */
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Operator-only detail for the log line; null when the message says it all. */
  readonly detail: string | null;

  /** `message` is shown to the client: it never holds route values or secrets. */
  constructor(status: number, code: string, message: string, options: RouterErrorOptions = {}) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.headers = options.headers ?? {};
    // Details quote values (an upstream's error, a refused route value): keep log lines bounded.
    this.detail = options.detail === undefined ? null : clip(options.detail, 1000);
  }
}

/** The Host header is missing or is not a valid host name (RFC 9110 §7.2). */
export class InvalidHostError extends RouterError {
  /** What is wrong with it (`bad label`), without the wording around it. */
  readonly reason: string;

  constructor(reason: string) {
    super(400, "invalid_host", `Invalid Host header: ${reason}.`);
    this.reason = reason;
  }
}

/** No route key exists for this host: NO_ROUTE_STATUS, 403 Forbidden unless set (as the seed answered). */
export class NoRouteError extends RouterError {
  constructor(host: string, status = 403) {
    super(status, "no_route", `No route for host ${host}.`);
  }
}

/** The stored value cannot be used; names the host, never the value. */
export class InvalidRouteError extends RouterError {
  /** `detail` says why the value was refused: for the log line only. */
  constructor(host: string, detail: string, code = "invalid_route", why = "") {
    super(502, code, `The route for host ${host} is invalid${why}.`, { detail });
  }
}

/**
 * The route's `"network"` names a binding this worker does not have (a
 * Workers VPC Network added to another environment only, a typo): invalid
 * here, as any unusable value, but the client is told which kind of fault it
 * is. The binding's name is in the detail, for the log.
 */
export class MissingNetworkError extends InvalidRouteError {
  constructor(host: string, detail: string) {
    super(host, detail, "network_missing", ": it names a network binding this router does not have");
  }
}

/** The route store (Upstash REST API) failed or did not answer in time. */
export class RouteStoreError extends RouterError {
  constructor(detail: string) {
    super(503, "route_store_unavailable", "The route store is unavailable; try again shortly.", {
      headers: { "retry-after": "1" },
      detail,
    });
  }
}

/**
 * The isolate's budget of cold lookups (LOOKUP_BUDGET_PER_SECOND) is spent:
 * a host this isolate has no route for cannot be looked up now. Sent with no
 * store call, so a flood of unknown Host names costs a bounded number of
 * commands; hosts with a cached route are never refused.
 */
export class LookupBudgetError extends RouterError {
  constructor() {
    super(503, "lookup_budget", "Too many new host names at once; try again in a moment.", {
      headers: { "retry-after": "1" },
      detail: "cold lookup refused: the isolate's lookup budget is spent",
    });
  }
}

/** The upstream refused the connection or the connection failed. */
export class UpstreamUnreachableError extends RouterError {
  constructor(detail: string) {
    super(502, "upstream_unreachable", "The upstream server could not be reached.", { detail });
  }
}

/**
 * The client broke off its own request while the router was sending it on:
 * it aborted the upload, or its connection dropped. Not the upstream's fault,
 * so neither retried nor marked down. 499 is nginx's code for it ("client
 * closed request"); nobody is left to read the answer, but the log line says
 * what happened.
 */
export class ClientClosedError extends RouterError {
  constructor(detail = "the client's request body ended with an error") {
    super(499, "client_closed", "The client closed the request.", { detail });
  }
}

/** The upstream did not send response headers within the timeout. */
export class UpstreamTimeoutError extends RouterError {
  constructor(timeoutMs: number) {
    super(504, "upstream_timeout", `The upstream server did not answer within ${timeoutMs} ms.`);
  }
}

/**
 * The worker's own configuration is unusable (missing secrets, bad vars). The
 * client is told which setting, never its value: a var may hold an internal
 * address or a half-pasted secret. The value and what is wrong with it go to
 * the log (`detail`).
 */
export class ConfigError extends RouterError {
  /** The var or secret at fault (`NO_ROUTE_STATUS`). */
  readonly setting: string;

  constructor(setting: string, problem: "missing" | "invalid", detail: string) {
    const what = problem === "missing" ? "is not set" : "has an invalid value";
    super(500, "config_error", `The router is misconfigured: ${setting} ${what}.`, { detail });
    this.setting = setting;
  }
}

/**
 * The request has been through routers more times than allowed, e.g. a route
 * that points back at the router (508 Loop Detected, RFC 5842 §7.2).
 */
export class LoopDetectedError extends RouterError {
  constructor(hops: number, maxHops: number) {
    super(508, "loop_detected", "The request is looping between routers.", {
      detail: `arrived after ${hops} hops (max ${maxHops})`,
    });
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
