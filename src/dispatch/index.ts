/**
 * The dispatch door: per request once the route is known, the path rule, the policies, then a redirect or
 * forwarding with failover in balance order.
 */
export { routeRequest } from "./dispatch.ts";
export { isolateDownMarks } from "./down-marks.ts";
export type { DownMarks } from "./down-marks.ts";
