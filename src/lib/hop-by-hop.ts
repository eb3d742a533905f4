/**
 * Hop-by-hop headers describe one connection, not the message, so a proxy must
 * not forward them (RFC 9110 §7.6.1): `Connection`, every header it names, and
 * the fixed set below. `Proxy-Connection` is not standard but old clients send
 * it; `Upgrade` is kept only where a WebSocket upgrade needs it end to end.
 */
export const HOP_BY_HOP: readonly string[] = [
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
];

/** Removes hop-by-hop headers in place; `keepUpgrade` for a WebSocket handshake. */
export function stripHopByHop(headers: Headers, keepUpgrade = false): void {
  const connection = headers.get("connection");
  if (connection) {
    for (const token of connection.split(",")) {
      const name = token.trim().toLowerCase();
      if (name !== "" && !(keepUpgrade && name === "upgrade")) headers.delete(name);
    }
  }
  for (const name of HOP_BY_HOP) {
    if (keepUpgrade && (name === "upgrade" || name === "connection")) continue;
    headers.delete(name);
  }
}

/** RFC 6455 §4.1: the opening handshake is a GET with `Upgrade: websocket`. */
export function isWebSocketUpgrade(request: Request): boolean {
  return request.headers.get("upgrade")?.toLowerCase() === "websocket";
}
