/**
 * The request target exactly as received. Slicing, rather than re-serialising
 * a URL object, keeps `%2F`, `//` and the query byte for byte.
 */
export function pathAndQuery(url: string): string {
  const authorityStart = url.indexOf("//") + 2;
  let end = url.length;
  let start = end;
  for (let i = authorityStart; i < url.length; i++) {
    const char = url[i];
    if (start === url.length && (char === "/" || char === "?")) start = i;
    if (char === "#") {
      end = i;
      break;
    }
  }
  const target = url.slice(start, end);
  return target.startsWith("/") ? target : `/${target}`;
}
