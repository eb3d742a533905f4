import type { RouterConfig } from "./config.ts";
import type { Isolate } from "./isolate.ts";
import type { ClientInfo } from "./receive/index.ts";
import type { RequestVariables } from "./request-state.ts";
import type { Route } from "./route-value/index.ts";

/**
 * The router's Hono environment: the Worker's bindings and the request's
 * state. Each phase of app.ts sets what it learnt (`c.set`) and the next
 * reads it (`c.get`); RequestFacts (request-state.ts) is the access log's
 * record of the same request.
 */
export interface AppEnv {
  Bindings: Env;
  Variables: RequestVariables & {
    /** The worker's settings, parsed once per bindings object (config.ts). */
    config: RouterConfig;
    /** What outlives the request: store client, route cache, rate limiter (isolate.ts). */
    isolate: Isolate;
    /** The normalised Host (receive/host.ts), once the guards have passed. */
    host: string;
    /** Who sent the request, as the upstream is told (receive/forwarded.ts). */
    client: ClientInfo;
    /** The host's route, or the fallback route. */
    route: Route;
    /** `Server-Timing` for the route lookup, when SERVER_TIMING is on; appended to the response. */
    serverTiming: string | undefined;
  };
}
