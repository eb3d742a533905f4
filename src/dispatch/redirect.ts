import { applyHeaderEdits } from "../route-value/index.ts";
import { RedirectLoopError } from "./dispatch-errors.ts";
import type { RedirectAction } from "../route-value/index.ts";

/**
 * The redirect a route asks for: its target plus the request's path and query
 * (`https://www.example.com` + `/a?b=1`), so apex → www keeps deep links.
 */
export function redirectResponse(
  request: Request,
  host: string,
  action: RedirectAction,
  pathAndQuery: string,
): Response {
  const location = action.target.origin + action.target.basePath + pathAndQuery;
  // A wildcard that redirects to a name it also matches would loop forever in the browser.
  if (location === request.url) throw new RedirectLoopError(host);
  const headers = new Headers({ location });
  applyHeaderEdits(headers, action.responseHeaders);
  return new Response(null, { status: action.status, headers });
}
