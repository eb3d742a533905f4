/** A request URL cut into the parts the router uses, each exactly as received. */
export interface RequestTarget {
  /** `https://app1.example.com`: the origin the client used, as the platform wrote it. */
  readonly origin: string;
  /** Starts with `/` (`/` for an empty path). */
  readonly path: string;
  /** With its `?`, or "". */
  readonly query: string;
}

/**
 * Splits a request URL in one pass. Slicing, rather than re-serialising a URL
 * object, keeps `%2F`, `//` and the query byte for byte; a fragment is
 * dropped (it is never sent).
 */
export function splitTarget(url: string): RequestTarget {
  const authorityStart = url.indexOf("//") + 2;
  let pathStart = url.length;
  let end = url.length;
  for (let i = authorityStart; i < url.length; i++) {
    const char = url[i];
    if (pathStart === url.length && (char === "/" || char === "?")) pathStart = i;
    if (char === "#") {
      end = i;
      break;
    }
  }
  if (pathStart > end) pathStart = end;
  const target = url.slice(pathStart, end);
  const queryAt = target.indexOf("?");
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  return {
    origin: url.slice(0, pathStart),
    path: path.startsWith("/") ? path : `/${path}`,
    query: queryAt === -1 ? "" : target.slice(queryAt),
  };
}
