import { describe, expect, it } from "vitest";
import { parseClientAddressing, resolveClient } from "../../../src/receive/client-address.ts";
import { ConfigError } from "../../../src/errors.ts";

/** A request as `workerd serve` hands it over: the peer only in request.cf.clientIp. */
function fromPeer(peer: string, headers: Record<string, string> = {}): Request {
  const request = new Request("http://app.test/", { headers });
  Object.defineProperty(request, "cf", { value: { clientIp: peer } });
  return request;
}

describe("parseClientAddressing", () => {
  it("defaults to the edge header and reads a list of blocks", () => {
    expect(parseClientAddressing("", "").source).toBe("cf-connecting-ip");
    expect(parseClientAddressing("connection", "10.0.0.0/8, 192.168.1.1 ::1").trustedProxies).toHaveLength(3);
  });

  it("refuses unknown sources and malformed blocks with a config error naming the setting", () => {
    expect(() => parseClientAddressing("x-real-ip", "")).toThrow(ConfigError);
    expect(() => parseClientAddressing("connection", "10.0.0.0/99")).toThrow(/TRUSTED_PROXIES/);
  });
});

describe("resolveClient", () => {
  const connection = parseClientAddressing("connection", "");
  const behindProxies = parseClientAddressing("connection", "10.0.0.0/8");

  it("at the edge, reads CF-Connecting-IP", () => {
    const request = fromPeer("127.0.0.1:1", { "cf-connecting-ip": "198.51.100.1" });
    expect(resolveClient(request, parseClientAddressing("", "")).clientIp).toBe("198.51.100.1");
  });

  it("self-hosted, takes the peer without its port and ignores a client-sent CF-Connecting-IP", () => {
    expect(resolveClient(fromPeer("127.0.0.1:52762", { "cf-connecting-ip": "6.6.6.6" }), connection)).toEqual({
      clientIp: "127.0.0.1",
      forwardedFor: null,
    });
    expect(resolveClient(fromPeer("[::1]:40000"), connection).clientIp).toBe("::1");
    expect(resolveClient(new Request("http://app.test/"), connection).clientIp).toBeNull();
  });

  it("does not believe X-Forwarded-For from a peer that is not a trusted proxy", () => {
    const request = fromPeer("203.0.113.5:1000", { "x-forwarded-for": "6.6.6.6" });
    expect(resolveClient(request, behindProxies)).toEqual({ clientIp: "203.0.113.5", forwardedFor: "6.6.6.6" });
  });

  it("behind trusted proxies, takes the rightmost untrusted hop (real_ip_recursive)", () => {
    const request = fromPeer("10.0.0.2:1000", { "x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.0.0.9" });
    expect(resolveClient(request, behindProxies)).toEqual({ clientIp: "198.51.100.7", forwardedFor: "6.6.6.6" });
  });

  it("takes the leftmost hop when every hop is trusted", () => {
    expect(resolveClient(fromPeer("10.0.0.2:1", { "x-forwarded-for": "10.1.1.1, 10.0.0.3" }), behindProxies)).toEqual({
      clientIp: "10.1.1.1",
      forwardedFor: null,
    });
  });

  it("makes the client unknown at an entry that is no address, never the proxy it came through", () => {
    for (const junk of ["junk", "unknown", "_hidden", "example.com", "1.2.3", "[::1"]) {
      expect(resolveClient(fromPeer("10.0.0.2:1", { "x-forwarded-for": `${junk}, 10.0.0.3` }), behindProxies)).toEqual({
        clientIp: null,
        forwardedFor: `${junk}, 10.0.0.3`,
      });
    }
    expect(resolveClient(fromPeer("10.0.0.2:1", { "x-forwarded-for": "unknown" }), behindProxies).clientIp).toBeNull();
  });

  it("reads an X-Forwarded-For entry without its port, IPv4 or bracketed IPv6", () => {
    const cases: [string, string, string | null][] = [
      ["203.0.113.5:51234", "203.0.113.5", null],
      ["[2001:db8::1]:5", "2001:db8::1", null],
      ["[2001:db8::1]", "2001:db8::1", null],
      ["2001:db8::1", "2001:db8::1", null],
      ["6.6.6.6, 198.51.100.7:80, 10.0.0.9:443", "198.51.100.7", "6.6.6.6"],
    ];
    for (const [header, clientIp, forwardedFor] of cases) {
      expect(resolveClient(fromPeer("10.0.0.2:1", { "x-forwarded-for": header }), behindProxies), header).toEqual({
        clientIp,
        forwardedFor,
      });
    }
  });
});
