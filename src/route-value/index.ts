/**
 * The route-value door: what a stored value means. One parser (`parseRouteValue`), shared by the worker, the
 * routes CLI and the dashboard, and the types of a parsed route.
 */
export { applyHeaderEdits } from "./header-edits.ts";
export { DEFAULT_PRIVATE_RANGES, PUBLIC, PUBLIC_NETWORK, chooseNetwork, parsePrivateRanges } from "./network.ts";
export type { FetchFunction, Network, NetworkSetup } from "./network.ts";
export { findPathRule, stripPrefix } from "./paths.ts";
export type { BasicAuthSpec, IpAllowListSpec, MaintenanceSpec, Policies, RateLimitSpec } from "./policy-spec.ts";
export { RouteSyntaxError } from "./route-syntax-error.ts";
export type {
  Action,
  ForwardAction,
  HeaderEdits,
  RedirectAction,
  Route,
  RouteSpec,
  SharedDownMarks,
  StickyCookie,
} from "./route.ts";
export { parseUpstreamAs } from "./upstream.ts";
export type { Upstream } from "./upstream.ts";
export { forwardTo, parseHipacheList, parseRouteValue } from "./value.ts";
