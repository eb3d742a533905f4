/**
 * The worker's own route parser, imported here once for the agent: a label's
 * route is refused exactly when the router would answer 502 for it. (When the
 * parser moves, this is the one line to change.)
 */
export { parseRouteValue } from "../../src/route-value/value.ts";
export { parseHostPattern } from "../../src/lookup/patterns.ts";
export { RouteSyntaxError } from "../../src/route-value/route-syntax-error.ts";
