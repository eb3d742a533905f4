/**
 * The lookup door: a host's candidate keys, read for many hosts in one round trip through the Upstash REST
 * store, resolved to the most specific route.
 */
export { deadKey, deadMember, deadMembers } from "./dead-set.ts";
export { fallbackRoute } from "./fallback.ts";
export { lookupReads, lookupRoutes, resolveRoute } from "./lookup.ts";
export type { BatchAnswers, HostAnswer, LookupOptions } from "./lookup.ts";
export { DEAD_PREFIX, HIPACHE_PREFIX, parseHostPattern } from "./patterns.ts";
export type { KeyFormat } from "./patterns.ts";
export { createUpstashRouteStore } from "./store.ts";
export type { RouteStore } from "./store.ts";
