import type { Upstream } from "../route-value/index.ts";

/** `scheme://authority` or `//authority` at the start of a URI reference (RFC 3986 §4.2). */
const AUTHORITY = /^(?:[a-z][a-z0-9+.-]*:)?\/\/[^/?#]*/i;

/**
 * nginx's `proxy_redirect default`: a redirect that names the upstream's own
 * address (`http://10.0.0.7:5000/login`, which an app builds from the Host it
 * was sent) is rewritten to the public origin the client used, and the
 * upstream's base path is taken off again. When the route stripped a path
 * prefix before forwarding (`"/app": {"strip": true}`), the redirect is put
 * back under it (`/login` → `/app/login`), as nginx maps the proxy_pass URL
 * back to the location's prefix. Relative references and other origins are
 * the app's business and are left alone.
 *
 * The path is sliced from the original text, not re-serialised, so its bytes
 * (`%2F`, `//`, the query) stay as the app wrote them.
 */
export function rewriteLocation(location: string, upstream: Upstream, publicOrigin: string, publicPrefix = ""): string {
  const authority = AUTHORITY.exec(location);
  if (!authority) return location;
  let origin: string;
  try {
    origin = new URL(location, upstream.origin).origin;
  } catch {
    return location;
  }
  if (origin !== upstream.origin) return location;
  let rest = location.slice(authority[0].length);
  const base = upstream.basePath;
  // Only a location under the upstream's base path maps back under the public prefix.
  let mapped = base === "";
  if (base !== "" && rest.startsWith(base) && /^(?:[/?#]|$)/.test(rest.slice(base.length))) {
    rest = rest.slice(base.length);
    mapped = true;
  }
  return publicOrigin + (mapped ? publicPrefix : "") + (rest.startsWith("/") ? rest : `/${rest}`);
}
