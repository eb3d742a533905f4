import { describe, expect, it } from "vitest";
import { parseClientAddressing } from "../../../src/receive/client-address.ts";
import { addForwardingHeaders, clientInfo } from "../../../src/receive/forwarded.ts";

/** A request as `workerd serve` hands it over: the peer only in request.cf.clientIp. */
function fromPeer(peer: string, headers: Record<string, string> = {}): Request {
  const request = new Request("http://app.test/", { headers });
  Object.defineProperty(request, "cf", { value: { clientIp: peer } });
  return request;
}

describe("addForwardingHeaders", () => {
  it("quotes IPv6 and non-token values in Forwarded (RFC 7239 §4)", () => {
    const headers = new Headers({ forwarded: "for=192.0.2.60" });
    addForwardingHeaders(headers, {
      clientIp: "2001:db8::1",
      host: "app.example:8443",
      proto: "https",
      port: "8443",
      origin: "https://app.example:8443",
    });
    expect(headers.get("forwarded")).toBe('for=192.0.2.60, for="[2001:db8::1]";host="app.example:8443";proto=https');
    expect(headers.get("x-forwarded-for")).toBe("2001:db8::1");
    expect(headers.get("x-forwarded-port")).toBe("8443");
  });

  it("omits for= when the client address is unknown", () => {
    const headers = new Headers();
    addForwardingHeaders(headers, {
      clientIp: null,
      host: "app.example",
      proto: "http",
      port: "80",
      origin: "http://app.example",
    });
    expect(headers.get("forwarded")).toBe("host=app.example;proto=http");
    expect(headers.has("x-forwarded-for")).toBe(false);
  });
});

describe("clientInfo", () => {
  it.each([
    ["http://app.example", "http", "80"],
    ["https://app.example", "https", "443"],
    ["https://app.example:8443", "https", "8443"],
    ["http://[::1]:8787", "http", "8787"],
    ["http://[::1]", "http", "80"],
    ["https://[::1]", "https", "443"],
    ["https://[2001:db8::1]:8443", "https", "8443"],
  ])("reads scheme and port from the origin %s", (origin, proto, port) => {
    const request = new Request(`${origin}/x`, { headers: { host: "app.example" } });
    expect(clientInfo(request, origin)).toMatchObject({ proto, port, origin, host: "app.example" });
  });
});

describe("forwarding headers when self-hosted", () => {
  it("end X-Forwarded-For with the real client and replace a client-sent CF-Connecting-IP", () => {
    const request = fromPeer("10.0.0.2:1000", {
      "x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.0.0.9",
      "cf-connecting-ip": "6.6.6.6",
    });
    const client = clientInfo(request, "http://app.test", parseClientAddressing("connection", "10.0.0.0/8"));
    const headers = new Headers(request.headers);
    addForwardingHeaders(headers, client);
    expect(headers.get("x-forwarded-for")).toBe("6.6.6.6, 198.51.100.7");
    expect(headers.get("cf-connecting-ip")).toBe("198.51.100.7");
    expect(headers.get("forwarded")).toBe("for=198.51.100.7;host=app.test;proto=http");
  });
});
