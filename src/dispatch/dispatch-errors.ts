import { RouterError } from "../errors.ts";

/** The route has `"paths"` but none matches this path, and no route-wide backends or redirect. */
export class NoPathRouteError extends RouterError {
  constructor(host: string, path: string) {
    const shown = path.length > 100 ? `${path.slice(0, 100)}…` : path;
    super(404, "no_path_route", `No route for ${shown} on host ${host}.`);
  }
}

/** A redirect route would send the client back to the very URL it asked for. */
export class RedirectLoopError extends RouterError {
  constructor(host: string) {
    super(508, "redirect_loop", `The route for host ${host} redirects to itself.`);
  }
}
