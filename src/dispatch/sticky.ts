import { parse } from "hono/utils/cookie";
import type { ForwardAction, StickyCookie } from "../route-value/route.ts";
import type { Upstream } from "../route-value/upstream.ts";

/** What the client's sticky cookie said, read once per request. */
export interface StickyState {
  readonly cookie: StickyCookie;
  /** The cookie's value; null when the client sent none. */
  readonly sent: string | null;
}

/** The client's sticky cookie for this action; null when the action has no sticky setting. */
export function readStickyCookie(request: Request, action: ForwardAction): StickyState | null {
  const cookie = action.sticky;
  if (!cookie) return null;
  const header = request.headers.get("cookie");
  return { cookie, sent: header ? (parse(header, cookie.name)[cookie.name] ?? null) : null };
}

/**
 * Puts the pinned backend first while it is up, whatever its weight (a
 * drained backend still finishes its sessions). A cookie naming no backend of
 * the route (removed, or forged), or one marked down, is ignored: the balance
 * order stands and the answer carries a new cookie.
 */
export function pinBackend(
  order: readonly Upstream[],
  action: ForwardAction,
  state: StickyState,
  isDown: (backend: Upstream) => boolean,
): readonly Upstream[] {
  if (state.sent === null) return order;
  const pinned = action.backends[state.cookie.ids.indexOf(state.sent)];
  if (!pinned || isDown(pinned)) return order;
  return [pinned, ...order.filter((backend) => backend !== pinned)];
}

/** Whether an answer from this backend must carry a new cookie: the client named another one, or none. */
export function needsCookie(action: ForwardAction, state: StickyState, backend: Upstream): boolean {
  const id = state.cookie.ids[action.backends.indexOf(backend)];
  return id !== undefined && id !== state.sent;
}

/** Sets the cookie when the backend that answered is not the one the client named. */
export function stickTo(response: Response, action: ForwardAction, state: StickyState, backend: Upstream): void {
  // A 101 is fetch()'s own response, whose headers cannot change.
  if (!needsCookie(action, state, backend) || response.status === 101) return;
  response.headers.append("set-cookie", state.cookie.setCookies[action.backends.indexOf(backend)] ?? "");
}
