/**
 * The receive phase's door: the request as it came, before any route (Host, hop count, body on GET, canonical
 * path, the URL split once, the client address and what the upstream is told of it).
 */
export { NonCanonicalPathError, canonicalPath } from "./canonical-path.ts";
export type { EncodedCharacterPolicy } from "./canonical-path.ts";
export { parseClientAddressing, resolveClient } from "./client-address.ts";
export type { ClientAddressing } from "./client-address.ts";
export { FORWARDING_HEADERS, addForwardingHeaders, clientInfo, dropClientClaims } from "./forwarded.ts";
export type { ClientInfo } from "./forwarded.ts";
export { normalizeHost } from "./host.ts";
export { HOPS_HEADER, checkHops, readHops } from "./loop.ts";
export { refuseBodyOnGetOrHead, sendsNoBody } from "./request-body.ts";
export { splitTarget } from "./target.ts";
export type { RequestTarget } from "./target.ts";
