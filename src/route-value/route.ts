import type { Policies } from "./policy-spec.ts";
import type { Upstream } from "./upstream.ts";

/** How a request picks among several backends. */
export type Strategy = "random" | "round-robin";

/** The redirect statuses a route may use (RFC 9110 §15.4). */
export type RedirectStatus = 301 | 302 | 307 | 308;

/** Header edits in order: a string sets the header, null removes it. */
export type HeaderEdits = readonly (readonly [name: string, value: string | null])[];

/** Send the request to one of several backends. */
export interface ForwardAction {
  readonly type: "forward";
  /** One or more, in the order the value lists them. */
  readonly backends: readonly Upstream[];
  readonly strategy: Strategy;
  /** The route's own upstream timeout; null = the router's UPSTREAM_TIMEOUT_MS. */
  readonly timeoutMs: number | null;
  readonly requestHeaders: HeaderEdits;
  readonly responseHeaders: HeaderEdits;
  /**
   * Per backend, parallel to `backends` (0 = drained: no new traffic);
   * absent when the value gives no weight, so every backend counts 1.
   */
  readonly weights?: readonly number[];
  /** Pins a client to the backend that first answered it (balance.ts / failover.ts). */
  readonly sticky?: StickyCookie;
  /** Checked before forwarding (src/policy/); absent when none applies. */
  readonly policies?: Policies;
  /**
   * The route's `"network"`: "public" or a binding's name, for every backend;
   * absent: chosen per backend from its address (network.ts).
   */
  readonly network?: string;
}

/**
 * The sticky cookie of a forward action, as the value sets it. The value
 * naming each backend is an HMAC under the router's secret, which the parser
 * has not got: it is computed per isolate, once per parsed action
 * (dispatch/sticky.ts).
 */
export interface StickyCookie {
  readonly name: string;
  /** What follows the value in Set-Cookie (`; Path=/; HttpOnly; SameSite=Lax`), validated when parsed. */
  readonly attributes: string;
}

/** Answer with a redirect to `target` + the request's path and query. */
export interface RedirectAction {
  readonly type: "redirect";
  /** Origin and optional base path (`https://www.example.com`, `https://new.example/blog`). */
  readonly target: Upstream;
  readonly status: RedirectStatus;
  readonly responseHeaders: HeaderEdits;
  /** Checked before redirecting (src/policy/); absent when none applies. */
  readonly policies?: Policies;
}

export type Action = ForwardAction | RedirectAction;

/** A `"paths"` entry: requests under `prefix` take `action`. */
export interface PathRule {
  /** Starts with `/`; matches itself and anything below it (see `matchPrefix`). */
  readonly prefix: string;
  /** Remove the prefix from the path before forwarding or redirecting. */
  readonly strip: boolean;
  readonly action: Action;
}

/**
 * Which of the four value formats a route was written in:
 * `upstream` (`ip:port`, `host:port`), `url` (`http(s)://…`), `json` (an
 * object), `hipache` (a `frontend:<host>` list).
 */
export type RouteKind = "upstream" | "url" | "json" | "hipache";

/** What a stored value means, independent of the key it was found under. */
export interface RouteSpec {
  readonly kind: RouteKind;
  /** Longest prefix first, so the first match is the most specific. */
  readonly paths: readonly PathRule[];
  /** For requests no path rule matches; null when there is none (404). */
  readonly fallback: Action | null;
  /** A Hipache list's first element (its identifier); null for other kinds. */
  readonly label: string | null;
}

/**
 * Backends another isolate found dead, read from Hipache's `dead:<pattern>`
 * sets with the lookup (SHARED_DOWN_MARKS; dead-set.ts). The expiry is
 * absolute (the latest the marks can last: BACKEND_DOWN_MS after the read),
 * so a cached Route stops treating them as down by then.
 */
export interface SharedDownMarks {
  /** Backend origins (`http://10.0.0.1:80`). */
  readonly origins: readonly string[];
  /** Epoch ms. */
  readonly until: number;
}

/**
 * A resolved route: the spec plus where it was found. Immutable and free of
 * per-request state, so it can be cached per host; choosing a backend
 * (strategy, path prefix, down marks) happens per request, after lookup.
 */
export interface Route extends RouteSpec {
  /** The normalised host the lookup was for. */
  readonly host: string;
  /** The Redis key that matched (`route:*.example.com`, `frontend:www.example.com`). */
  readonly key: string;
  /** The host pattern that matched: the host itself, `*.example.com`, or `*`. */
  readonly pattern: string;
  readonly sharedDown: SharedDownMarks | null;
}
