import { parse } from "hono/utils/cookie";
import { toBase64url } from "../lib/crypto.ts";
import type { ForwardAction, StickyCookie } from "../route-value/index.ts";
import type { Upstream } from "../route-value/index.ts";

/** What the client's sticky cookie said, read once per request, with the values naming each backend. */
export interface StickyState {
  readonly cookie: StickyCookie;
  /** The cookie's value; null when the client sent none. */
  readonly sent: string | null;
  /** Parallel to the action's backends: the value naming each (an HMAC, never the address). */
  readonly ids: readonly string[];
  /** Parallel too: the whole Set-Cookie value for each. */
  readonly setCookies: readonly string[];
}

interface StickyIds {
  readonly secret: string;
  readonly scope: string;
  readonly ids: readonly string[];
  readonly setCookies: readonly string[];
}

/**
 * Each value is HMAC-SHA256 (RFC 2104) of the backend's URL under the
 * router's secret, cut to 128 bits and base64url'd: the same in every
 * isolate that has the secret, and impossible to compute without it. So a
 * client can neither learn which value names which address nor forge one
 * (say for a drained backend); only values the router issued select a
 * backend. The secret is STICKY_SECRET, or when that is unset the Upstash
 * token: every isolate already has it, it never changes by itself, and it
 * is secret; a label in the message keeps these MACs from serving as
 * anything else keyed by that token. Changing either re-pins clients once,
 * which costs a session's affinity, not its correctness.
 *
 * The MAC covers the route's key too: a value another route issued for the
 * same backend names nothing here, so a cookie got where a backend is in
 * service cannot pick it where it is drained (`weight: 0`). Not the path
 * prefix: a `paths` entry that inherits the route's backends keeps its
 * clients pinned across both.
 *
 * HMAC is asynchronous in WebCrypto and the parser has no secret, so the
 * values are computed here on an action's first sticky request, once per
 * isolate, and kept beside the parsed action (a WeakMap: they go when the
 * cached route does). Later requests do one lookup.
 */
const computed = new WeakMap<ForwardAction, StickyIds | Promise<StickyIds>>();
/** Promise<CryptoKey>, spelled so the Workers and the Node type libraries agree (the tests compile this file too). */
type HmacKey = ReturnType<typeof crypto.subtle.importKey>;
const hmacKeys = new Map<string, HmacKey>();
const encoder = new TextEncoder();
const LABEL = "edge-host-router sticky cookie v1\n";

function hmacKey(secret: string): HmacKey {
  let key = hmacKeys.get(secret);
  if (!key) {
    if (hmacKeys.size > 4) hmacKeys.clear(); // one secret in use; a few while it changes
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    hmacKeys.set(secret, key);
  }
  return key;
}

/** The value naming `backend` on the route `scope` (its key) under `secret` (exported for the tests). */
export async function stickyId(backend: Upstream, secret: string, scope: string): Promise<string> {
  const mac = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(secret),
    encoder.encode(`${LABEL}${scope}\n${backend.origin}${backend.basePath}`),
  );
  return toBase64url(new Uint8Array(mac).subarray(0, 16));
}

async function computeIds(
  action: ForwardAction,
  cookie: StickyCookie,
  secret: string,
  scope: string,
): Promise<StickyIds> {
  const ids = await Promise.all(action.backends.map((backend) => stickyId(backend, secret, scope)));
  const ready = { secret, scope, ids, setCookies: ids.map((id) => `${cookie.name}=${id}${cookie.attributes}`) };
  computed.set(action, ready);
  return ready;
}

function idsFor(
  action: ForwardAction,
  cookie: StickyCookie,
  secret: string,
  scope: string,
): StickyIds | Promise<StickyIds> {
  const known = computed.get(action);
  const fits = (ids: StickyIds) => ids.secret === secret && ids.scope === scope;
  if (known && !(known instanceof Promise) && fits(known)) return known;
  if (known instanceof Promise)
    return known.then((ids) => (fits(ids) ? ids : computeIds(action, cookie, secret, scope)));
  const pending = computeIds(action, cookie, secret, scope);
  computed.set(action, pending);
  return pending;
}

/**
 * The client's sticky cookie for this action; null when the action has no
 * sticky setting. A promise only on the action's first sticky request in
 * this isolate (the values are being computed); after that, and for every
 * action without `sticky`, the answer is immediate, so the request path
 * pays no await for it.
 */
export function readStickyCookie(
  request: Request,
  action: ForwardAction,
  secret: string,
  /** The route's key: a value is valid only on the route that issued it. */
  scope: string,
): StickyState | null | Promise<StickyState> {
  const cookie = action.sticky;
  if (!cookie) return null;
  const ids = idsFor(action, cookie, secret, scope);
  return ids instanceof Promise ? ids.then((ready) => stateOf(request, cookie, ready)) : stateOf(request, cookie, ids);
}

function stateOf(request: Request, cookie: StickyCookie, { ids, setCookies }: StickyIds): StickyState {
  const header = request.headers.get("cookie");
  return { cookie, sent: header ? (parse(header, cookie.name)[cookie.name] ?? null) : null, ids, setCookies };
}

/**
 * Puts the pinned backend first while it is up, whatever its weight (a
 * drained backend still finishes the sessions it issued cookies for). A
 * cookie naming no backend of the route (removed, or forged: without the
 * secret no value names anything), or one marked down, is ignored: the
 * balance order stands and the answer carries a new cookie.
 */
export function pinBackend(
  order: readonly Upstream[],
  action: ForwardAction,
  state: StickyState,
  isDown: (backend: Upstream) => boolean,
): readonly Upstream[] {
  if (state.sent === null) return order;
  const pinned = action.backends[state.ids.indexOf(state.sent)];
  if (!pinned || isDown(pinned)) return order;
  return [pinned, ...order.filter((backend) => backend !== pinned)];
}

/** Whether an answer from this backend must carry a new cookie: the client named another one, or none. */
export function needsCookie(action: ForwardAction, state: StickyState, backend: Upstream): boolean {
  const id = state.ids[action.backends.indexOf(backend)];
  return id !== undefined && id !== state.sent;
}

/** Sets the cookie when the backend that answered is not the one the client named. */
export function stickTo(response: Response, action: ForwardAction, state: StickyState, backend: Upstream): void {
  // A 101 is fetch()'s own response, whose headers cannot change.
  if (!needsCookie(action, state, backend) || response.status === 101) return;
  response.headers.append("set-cookie", state.setCookies[action.backends.indexOf(backend)] ?? "");
}
