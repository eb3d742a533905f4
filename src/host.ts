import { InvalidHostError } from "./errors.ts";

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
 * Turns a Host header into the route key's host part: lower case, port and
 * trailing dot dropped (`App1.Example.com.:8080` -> `app1.example.com`).
 * Anything that is not a well-formed host is refused with 400, so the router
 * can never be made to read a key other than one derived from a real host.
 */
export function normalizeHost(raw: string | null | undefined): string {
  if (raw === null || raw === undefined || raw === "") throw new InvalidHostError("missing");
  // eslint-disable-next-line no-control-regex -- control characters are what we refuse
  if (/[\s\x00-\x1f\x7f]/.test(raw)) throw new InvalidHostError("contains spaces or control characters");
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

/** IDNA: a Unicode name becomes its `xn--` form, as browsers send it. */
function toPunycode(host: string): string {
  try {
    const url = new URL(`http://${host}/`);
    return url.port ? `${url.hostname}:${url.port}` : url.hostname;
  } catch {
    throw new InvalidHostError("not a valid internationalised name");
  }
}

/** One spelling per address, so `[::1]` and `[0:0::1]` share a route key. */
function canonicalIpv6(address: string): string {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    throw new InvalidHostError("bad IPv6 literal");
  }
}
