/**
 * The exchange's door: one upstream request and the client's response, through the fetch function the caller
 * passes in.
 */
export { forward } from "./forward.ts";
export type { UpstreamCall } from "./upstream-call.ts";
