import type { HeaderEdits } from "../route/route.ts";
import { applyHeaderEdits } from "../route/headers.ts";
import type { Upstream } from "../route/upstream.ts";
import { stripHopByHop } from "./hop-by-hop.ts";
import { rewriteLocation } from "./location.ts";

export interface ResponseHeaderOptions {
  /** `https://app1.example.com`: the origin the client used. */
  readonly publicOrigin: string;
  /** The path prefix the route stripped (`/app`), or "". */
  readonly publicPrefix: string;
  /** The route's response header edits. */
  readonly edits: HeaderEdits;
  /** Debug: name the upstream in `X-Upstream`. */
  readonly exposeUpstream: boolean;
}

/** The upstream's headers as the client gets them. */
export function clientResponseHeaders(response: Response, upstream: Upstream, options: ResponseHeaderOptions): Headers {
  const headers = new Headers(response.headers);
  stripHopByHop(headers);
  const location = headers.get("location");
  if (location !== null) {
    headers.set("location", rewriteLocation(location, upstream, options.publicOrigin, options.publicPrefix));
  }
  applyHeaderEdits(headers, options.edits);
  if (options.exposeUpstream) headers.set("x-upstream", upstream.origin + upstream.basePath);
  return headers;
}
