import type { ClientInfo } from "../receive/index.ts";
import type { HeaderEdits } from "../route-value/index.ts";

/**
 * One description of the upstream call, built once per request in dispatch
 * (dispatch.ts) from the route's action and the request's facts, and read by
 * forward() for every attempt: whichever backend takes the request, this is
 * what it is sent and how its answer is passed back. Which backend, and
 * through which fetch(), is the attempt's business (failover.ts).
 */
export interface UpstreamCall {
  /** Sent after the backend's base path: the client's path and query as received, or with a prefix stripped. */
  readonly pathAndQuery: string;
  /** The path prefix stripped from it (`/app`; "" for none): a redirect to the upstream maps back under it. */
  readonly publicPrefix: string;
  /** The route's edits to the request headers. */
  readonly requestHeaders: HeaderEdits;
  /** The route's edits to the response headers. */
  readonly responseHeaders: HeaderEdits;
  /**
   * How long the upstream may take to send response headers once the request
   * (body included) has been sent; also how long it may stop reading the
   * body. The route's `timeout`, else UPSTREAM_TIMEOUT_MS.
   */
  readonly timeoutMs: number;
  /** Who asked, and under which origin (`https://app1.example.com`): the forwarding headers, Location rewrites. */
  readonly client: ClientInfo;
  /** Routers the request passed before this one (its incoming hop count). */
  readonly hops: number;
  /** Debug (DEBUG_EXPOSE_UPSTREAM): name the upstream in an `X-Upstream` response header. */
  readonly exposeUpstream: boolean;
  /**
   * The caller adds headers to the response (Server-Timing, a sticky
   * cookie), so it must be a new, mutable one even when nothing else changes.
   */
  readonly editableResponse: boolean;
  /** The body, kept in memory so another attempt can send it again; null streams the client's body (once). */
  readonly body: ArrayBuffer | null;
}
