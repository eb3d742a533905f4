import { InvalidHostError } from "../errors.ts";

/** RFC 1035 §2.3.4: a name is at most 253 characters in text form. */
const MAX_HOST_LENGTH = 253;
/** RFC 1035 §2.3.4: a label is 1 to 63 octets. */
const MAX_LABEL_LENGTH = 63;
/** Letters, digits, hyphen (RFC 1123 §2.1) and underscore, which real names use. */
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/;
/** `host[:port]` where host is a reg-name or IPv4 (RFC 9110 §7.2, RFC 3986 §3.2.2). */
const NAME_AND_PORT = /^([^:[\]]+)(?::(\d{1,5}))?$/;
/** `[ipv6][:port]` (RFC 3986 §3.2.2). */
const IPV6_AND_PORT = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/;
/**
 * What the URL parser reads as syntax around a host rather than as part of
 * it: userinfo (`@`), path (`/`, and `\` for http), query, fragment, and
 * percent-escapes (decoded inside a host). None can appear in a host name.
 */
const URL_SYNTAX = /[@/?#\\%]/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** Accepted Host headers and their normal form, for the hosts an isolate serves over and over. */
const recentHosts = new Map<string, string>();
/** Bounded: past this many distinct headers the map starts again (a flood of names cannot grow it). */
const RECENT_HOSTS_LIMIT = 1_000;
/**
 * Only headers this short are kept (a name, brackets and a port): an accepted
 * header can be far longer than its normal form (ignorable code points, a port
 * padded with zeros), and 1,000 of those must not hold megabytes.
 */
const RECENT_HOST_MAX_LENGTH = MAX_HOST_LENGTH + 9;

/**
 * Turns a Host header into the route key's host part: lower case, port and
 * trailing dot dropped (`App1.Example.com.:8080` -> `app1.example.com`).
 * Anything that is not a well-formed host is refused with 400, so the router
 * can never be made to read a key other than one derived from a real host.
 *
 * Every request pays for this, and nearly every one repeats a header seen a
 * moment ago: an accepted header's answer is remembered (one Map read
 * instead of seven regular expressions); a refused one is never stored.
 */
export function normalizeHost(raw: string | null | undefined): string {
  if (raw === null || raw === undefined || raw === "") throw new InvalidHostError("missing");
  const known = recentHosts.get(raw);
  if (known !== undefined) return known;
  const host = normalizeUnseen(raw);
  if (raw.length > RECENT_HOST_MAX_LENGTH) return host;
  if (recentHosts.size >= RECENT_HOSTS_LIMIT) recentHosts.clear();
  recentHosts.set(raw, host);
  return host;
}

function normalizeUnseen(raw: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what we refuse
  if (/[\s\x00-\x1f\x7f]/.test(raw)) throw new InvalidHostError("contains spaces or control characters");
  if (URL_SYNTAX.test(raw)) throw new InvalidHostError("contains URL syntax (@ / ? # \\ %)");
  let host = raw.toLowerCase();
  if (!/^[\x21-\x7e]+$/.test(host)) host = toPunycode(host);

  const v6 = IPV6_AND_PORT.exec(host);
  if (v6) return `[${canonicalIpv6(v6[1] ?? "")}]`;

  const match = NAME_AND_PORT.exec(host);
  if (!match) throw new InvalidHostError("not of the form host[:port]");
  let name = match[1] ?? "";
  if (name.endsWith(".")) name = name.slice(0, -1);
  if (name.length === 0) throw new InvalidHostError("empty host name");
  if (name.length > MAX_HOST_LENGTH) throw new InvalidHostError(`longer than ${MAX_HOST_LENGTH} characters`);
  for (const label of name.split(".")) {
    if (label.length === 0 || label.length > MAX_LABEL_LENGTH || !LABEL.test(label)) {
      throw new InvalidHostError("bad label");
    }
  }
  return name;
}

/**
 * IDNA: a Unicode name becomes its `xn--` form, as browsers send it. The URL
 * parser does the mapping (UTS #46), so the text must reach it as a host and
 * nothing else: URL syntax is refused before (`é@admin.example.com` would
 * otherwise be userinfo plus `admin.example.com`), and a parse that still
 * finds more than a host and port, or turns the name into an IPv4 address
 * (full-width digits `１２７.0.0.1`), is refused after.
 */
function toPunycode(host: string): string {
  let url: URL;
  try {
    url = new URL(`http://${host}/`);
  } catch {
    throw new InvalidHostError("not a valid internationalised name");
  }
  if (url.username !== "" || url.password !== "" || url.pathname !== "/" || url.search !== "" || url.hash !== "") {
    throw new InvalidHostError("not a valid internationalised name");
  }
  if (IPV4.test(url.hostname)) throw new InvalidHostError("an internationalised name that is an address");
  return url.port ? `${url.hostname}:${url.port}` : url.hostname;
}

/** One spelling per address, so `[::1]` and `[0:0::1]` share a route key. */
function canonicalIpv6(address: string): string {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    throw new InvalidHostError("bad IPv6 literal");
  }
}
