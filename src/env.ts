import type { RequestVariables } from "./request-state.ts";

/** The router's Hono environment: the Worker's bindings and the request's state. */
export interface AppEnv {
  Bindings: Env;
  Variables: RequestVariables & {
    /** `Server-Timing` for the route lookup, when SERVER_TIMING is on; appended to the response. */
    serverTiming: string | undefined;
  };
}
