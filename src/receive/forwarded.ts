import { wellFormedForwarded } from "./forwarded-syntax.ts";
import { EDGE_ADDRESSING, resolveClient, type ClientAddressing, type ClientAddressSource } from "./client-address.ts";

/** What the upstream is told about the original request. */
export interface ClientInfo {
  /**
   * The real client's address, when known: CF-Connecting-IP at the edge, the
   * connection's peer (or what trusted proxies say) when self-hosted — never
   * a value the client could choose (receive/client-address.ts).
   */
  readonly clientIp: string | null;
  /** The X-Forwarded-For chain kept in front of clientIp; absent: the request's own header. */
  readonly forwardedFor?: string | null;
  /** Where clientIp came from; absent: the edge's CF-Connecting-IP. */
  readonly source?: ClientAddressSource;
  /** The Host header as the client sent it. */
  readonly host: string;
  /** `http` or `https`, as the client connected. */
  readonly proto: string;
  readonly port: string;
  /** `https://app1.example.com`: the origin the client used, as the platform wrote it. */
  readonly origin: string;
}

/**
 * Describes the client from the request the platform handed us: its address
 * as CLIENT_ADDRESS says (resolveClient), scheme and port from the URL's
 * origin the platform built (split once, receive/target.ts).
 */
export function clientInfo(
  request: Request,
  origin: string,
  addressing: ClientAddressing = EDGE_ADDRESSING,
  /** The Host header when the caller has read it already (a runtime call saved). */
  hostHeader: string | null = request.headers.get("host"),
): ClientInfo {
  const schemeEnd = origin.indexOf(":");
  const proto = origin.slice(0, schemeEnd);
  const authority = origin.slice(schemeEnd + 3);
  // The platform serialises the URL, so a port is there only when it is not
  // the scheme's default, and it is digits after the last colon (an IPv6
  // literal's colons are all inside its brackets).
  const colon = authority.lastIndexOf(":");
  const port = colon > authority.lastIndexOf("]") ? authority.slice(colon + 1) : proto === "https" ? "443" : "80";
  const { clientIp, forwardedFor } = resolveClient(request, addressing);
  return {
    clientIp,
    forwardedFor,
    source: addressing.source,
    host: hostHeader ?? authority,
    proto,
    port,
    origin,
  };
}

/** The headers addForwardingHeaders writes: what the router vouches for, so no route may edit them. */
export const FORWARDING_HEADERS: readonly string[] = [
  "x-real-ip",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-forwarded-port",
  "forwarded",
  "via",
];

/**
 * Headers a client could send to claim another address or another URL, read
 * by some upstream as if a proxy had set them: Akamai's and Cloudflare
 * Enterprise's True-Client-IP, X-Client-IP (Apache, Express' request-ip),
 * Spring's and ASP.NET's X-Forwarded-Prefix, IIS' X-Original-URL and
 * X-Rewrite-URL (Symfony and Laravel trusted them for routing). Likewise
 * the scheme claims beside X-Forwarded-Proto: Rack (so Rails) believes
 * `X-Forwarded-Ssl: on` and `X-Forwarded-Scheme` before X-Forwarded-Proto,
 * from whoever sent the request, and IIS/ASP.NET read `Front-End-Https: on`
 * and `X-Url-Scheme`; a client on plain HTTP would pass for HTTPS. The router
 * sets none of them, so the client's are removed; a route may still set one
 * (X-Forwarded-Prefix for a stripped prefix), its edits come after.
 */
export const CLIENT_CLAIMS: readonly string[] = [
  "true-client-ip",
  "x-client-ip",
  "x-forwarded-prefix",
  "x-original-url",
  "x-rewrite-url",
  "x-forwarded-ssl",
  "x-forwarded-scheme",
  "x-url-scheme",
  "front-end-https",
];

export function dropClientClaims(headers: Headers): void {
  for (const name of CLIENT_CLAIMS) headers.delete(name);
}

/** Names the router in `Via` (RFC 9110 §7.6.3). */
export const VIA = "1.1 edge-host-router";

/**
 * Sets the de-facto X-Forwarded-* headers and the standard `Forwarded`
 * (RFC 7239). Values the client sent are kept in front and ours appended, so
 * the last element is always the one this router vouches for. X-Real-IP is
 * the client address alone, as nginx's `proxy_set_header X-Real-IP
 * $remote_addr` writes it: whatever the client sent is replaced (removed
 * when the address is unknown).
 */
export function addForwardingHeaders(headers: Headers, client: ClientInfo): void {
  if (client.clientIp) headers.set("x-real-ip", client.clientIp);
  else headers.delete("x-real-ip");
  if (client.forwardedFor === null) headers.delete("x-forwarded-for");
  else if (client.forwardedFor !== undefined) headers.set("x-forwarded-for", client.forwardedFor);
  if (client.clientIp) append(headers, "x-forwarded-for", client.clientIp);
  // Self-hosted, a CF-Connecting-IP the client sent is a claim nobody checked:
  // the upstream gets the real address there instead, as an origin behind the edge would.
  if (client.source === "connection") {
    if (client.clientIp) headers.set("cf-connecting-ip", client.clientIp);
    else headers.delete("cf-connecting-ip");
  }
  headers.set("x-forwarded-host", client.host);
  headers.set("x-forwarded-proto", client.proto);
  headers.set("x-forwarded-port", client.port);
  // A client's Forwarded that is not well formed could swallow ours (forwarded-syntax.ts): dropped.
  const sent = headers.get("forwarded");
  if (sent !== null && !wellFormedForwarded(sent)) headers.delete("forwarded");
  append(headers, "forwarded", forwardedElement(client));
  append(headers, "via", VIA);
}

function append(headers: Headers, name: string, value: string): void {
  const existing = headers.get(name);
  headers.set(name, existing ? `${existing}, ${value}` : value);
}

/** RFC 7239 §4: IPv6 addresses and anything but a token must be quoted. */
function forwardedElement(client: ClientInfo): string {
  const parts: string[] = [];
  if (client.clientIp)
    parts.push(`for=${quoteIfNeeded(client.clientIp.includes(":") ? `[${client.clientIp}]` : client.clientIp)}`);
  parts.push(`host=${quoteIfNeeded(client.host)}`, `proto=${client.proto}`);
  return parts.join(";");
}

function quoteIfNeeded(value: string): string {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value) ? value : `"${value.replace(/["\\]/g, "\\$&")}"`;
}
