import { ClientClosedError, UpstreamTimeoutError, UpstreamUnreachableError } from "../errors.ts";
import { forward } from "../proxy/index.ts";
import type { UpstreamCall } from "../proxy/index.ts";
import { sendsNoBody } from "../receive/index.ts";
import { orderBackends } from "./balance.ts";
import { deadMember, deadMembers } from "../lookup/index.ts";
import type { DownMarks } from "./down-marks.ts";
import type { ForwardAction, Route } from "../route-value/index.ts";
import type { RouteStore } from "../lookup/index.ts";
import { needsCookie, pinBackend, readStickyCookie, stickTo } from "./sticky.ts";
import type { Upstream } from "../route-value/index.ts";

export interface FailoverOptions {
  /** At most this many backends per request (UPSTREAM_TRIES). */
  readonly tries: number;
  /** How long a failed backend is skipped (BACKEND_DOWN_MS). */
  readonly downMs: number;
  readonly marks: DownMarks;
  /**
   * SHARED_DOWN_MARKS: the store and the route pattern's `dead:` key
   * (dead-set.ts), to tell other isolates; null keeps marks in this isolate.
   */
  readonly shared: { readonly store: Pick<RouteStore, "markDown" | "clearDown">; readonly dead: string } | null;
  /** Keeps a background promise (a shared mark's write) alive past the response. */
  readonly waitUntil: (promise: Promise<unknown>) => void;
  readonly log: (line: string) => void;
  /** Keys the sticky cookies' values (sticky.ts). */
  readonly stickySecret: string;
}

/**
 * How the attempts ended: the response of the backend that answered, or the
 * error to answer with, and the backend used (the last one tried), for the
 * caller's access log and X-Upstream. Failures come back as a value, not a
 * throw, so that the backend comes back with them.
 */
export type Attempted =
  | { readonly response: Response; readonly backend: Upstream; readonly startedAt: number }
  | { readonly error: unknown; readonly backend: Upstream; readonly startedAt: number };

/** RFC 9110 §9.2.2: repeating these has the same effect as sending them once. */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);
/** A body up to this size is kept in memory so a retry can send it again. */
const REPLAY_LIMIT_BYTES = 64 * 1024;

/**
 * Forwards to the route's backends in balance order until one answers.
 *
 * A backend that refuses the connection or sends no headers in time is
 * marked down (skipped by later requests while another is up) and the
 * request moves on to the next backend, when that is safe:
 * - the method is idempotent (RFC 9110 §9.2.2), so a first attempt that did
 *   reach the server does no harm when repeated; and
 * - the body can be sent again: there is none, or it is small enough
 *   (Content-Length ≤ 64 KiB) to keep in memory. A larger or unsized body is
 *   a stream that the first attempt may have consumed: such a request is
 *   never retried. Nor is a non-idempotent one (POST, PATCH): those still
 *   benefit from the marks, which steer them to a backend that is up.
 * Any HTTP response, 5xx included, is the upstream's answer and is returned.
 *
 * Each backend is fetched the way the route was bound to (its `network`: the
 * global fetch() or a binding's; lookup/bind-networks.ts): one property read.
 */
export async function forwardWithFailover(
  request: Request,
  route: Route,
  action: ForwardAction,
  call: UpstreamCall,
  /** Identifies the backend list for round robin (the route's key and path prefix). */
  balanceKey: string,
  options: FailoverOptions,
): Promise<Attempted> {
  const now = Date.now();
  const shared = route.sharedDown && route.sharedDown.until > now ? route.sharedDown : null;
  const downUntil = (origin: string) =>
    Math.max(options.marks.until(origin, now), shared?.origins.includes(origin) ? shared.until : 0);
  const read = readStickyCookie(request, action, options.stickySecret, route.key);
  const sticky = read instanceof Promise ? await read : read;
  const balanced = orderBackends(action, { key: balanceKey, now, downUntil });
  const order = sticky ? pinBackend(balanced, action, sticky, (backend) => downUntil(backend.origin) > now) : balanced;
  const wantRetry = order.length > 1 && options.tries > 1 && IDEMPOTENT.has(request.method);
  // Runtime calls, so only asked when a retry is possible at all.
  const streamed = wantRetry && request.body !== null && !sendsNoBody(request.method);
  const body = wantRetry && streamed ? await replayableBody(request) : null;
  const retryable = wantRetry && (!streamed || body !== null);
  const tries = retryable ? Math.min(options.tries, order.length) : 1;
  // Copied only when something changes (every request comes through here).
  const sent = body === null ? call : { ...call, body };
  // An answer that must carry a new sticky cookie has to be one we can edit;
  // a client already pinned to the backend that answers gets fetch()'s own.
  const withCookie = sticky && !sent.editableResponse ? { ...sent, editableResponse: true } : sent;

  // From the first attempt on: policies and body buffering are not the upstream's time.
  const startedAt = body === null ? now : Date.now();
  let failed: Attempted | null = null;
  for (let attempt = 0; attempt < tries; attempt++) {
    const backend = order[attempt] as Upstream;
    let response: Response;
    try {
      const attemptCall = sticky && needsCookie(action, sticky, backend) ? withCookie : sent;
      response = await forward(request, backend, attemptCall, backend.network?.fetch);
    } catch (error) {
      failed = { error, backend, startedAt };
      // The client went away, or something no other backend would change.
      if (!(error instanceof UpstreamUnreachableError || error instanceof UpstreamTimeoutError)) return failed;
      markDown(route, action, backend, error, attempt + 1 < tries, options);
      continue;
    }
    // It answers again: stop steering requests away from it, here and, if
    // another isolate had shared a mark, everywhere.
    options.marks.clear(backend.origin);
    if (options.shared && shared?.origins.includes(backend.origin)) {
      const { store, dead } = options.shared;
      share(
        options,
        store.clearDown(dead, deadMembers(route, backend)),
        `clear the shared down mark of ${backend.origin}`,
      );
    }
    if (sticky) stickTo(response, action, sticky, backend);
    return { response, backend, startedAt };
  }
  if (failed) return failed;
  throw new UpstreamUnreachableError("the route has no backends");
}

function markDown(
  route: Route,
  action: ForwardAction,
  backend: Upstream,
  error: UpstreamUnreachableError | UpstreamTimeoutError,
  retrying: boolean,
  options: FailoverOptions,
): void {
  options.marks.mark(backend.origin, Date.now() + options.downMs);
  options.log(
    `backend ${backend.origin} of ${route.key} failed (${error.code}: ${error.detail ?? error.message}); marked down for ${options.downMs} ms${retrying ? "; trying the next backend" : ""}`,
  );
  // A mark only reorders backends: with one, it changes nothing for anyone
  // and would cost a write (and a key) per failure.
  if (!options.shared || new Set(action.backends.map((b) => b.origin)).size < 2) return;
  const { store, dead } = options.shared;
  share(
    options,
    store.markDown(dead, deadMember(route, backend), options.downMs),
    `share the down mark for ${backend.origin}`,
  );
}

/** A shared-mark write, in the background: it never fails or delays the request. */
function share(options: FailoverOptions, write: Promise<void>, what: string): void {
  options.waitUntil(write.catch((error: unknown) => options.log(`could not ${what}: ${String(error)}`)));
}

/** The body as bytes when it is small enough to send twice; null when it must stream once. */
async function replayableBody(request: Request): Promise<ArrayBuffer | null> {
  const length = Number(request.headers.get("content-length") ?? Number.NaN);
  if (!Number.isInteger(length) || length > REPLAY_LIMIT_BYTES) return null;
  try {
    return await request.arrayBuffer();
  } catch {
    // The client's stream failed while we read it: it went away mid-upload.
    throw new ClientClosedError("the client's request body ended with an error while it was read for a replay");
  }
}
