import { describe, expect, it } from "vitest";
import { addForwardingHeaders, clientInfo } from "../../src/receive/forwarded.ts";
import { stripHopByHop } from "../../src/lib/hop-by-hop.ts";
import { upstreamRequestHeaders } from "../../src/proxy/request-headers.ts";

describe("stripHopByHop", () => {
  it("removes Connection, the headers it names, and the fixed hop-by-hop set", () => {
    const headers = new Headers({
      connection: "keep-alive, X-Named, , x-other",
      "x-named": "1",
      "x-other": "2",
      "keep-alive": "timeout=5",
      "proxy-authorization": "Basic x",
      "proxy-authenticate": "Basic",
      te: "trailers",
      trailer: "X-T",
      "transfer-encoding": "chunked",
      upgrade: "h2c",
      "x-kept": "yes",
    });
    stripHopByHop(headers);
    expect([...headers.keys()]).toEqual(["x-kept"]);
  });

  it("keeps Upgrade and Connection: upgrade for a WebSocket handshake", () => {
    const headers = new Headers({ connection: "Upgrade, X-Named", upgrade: "websocket", "x-named": "1" });
    stripHopByHop(headers, true);
    expect(Object.fromEntries(headers)).toEqual({ connection: "Upgrade, X-Named", upgrade: "websocket" });
  });
});

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

describe("identity claims of the client", () => {
  const client = (clientIp: string | null) => ({
    clientIp,
    host: "app.example",
    proto: "http",
    port: "80",
    origin: "http://app.example",
  });
  const claims = {
    "x-real-ip": "6.6.6.6",
    "true-client-ip": "6.6.6.6",
    "x-client-ip": "6.6.6.6",
    "x-forwarded-prefix": "/admin",
    "x-original-url": "/admin",
    "x-rewrite-url": "/admin",
  };

  it("replaces X-Real-IP with the real address (none when unknown) and removes the other claims", () => {
    const known = upstreamRequestHeaders(
      new Request("http://app.example/", { headers: claims }),
      client("192.0.2.7"),
      0,
    );
    expect(Object.fromEntries(known)).toMatchObject({ "x-real-ip": "192.0.2.7" });
    for (const name of ["true-client-ip", "x-client-ip", "x-forwarded-prefix", "x-original-url", "x-rewrite-url"]) {
      expect(known.has(name), name).toBe(false);
    }
    const unknown = upstreamRequestHeaders(new Request("http://app.example/", { headers: claims }), client(null), 0);
    expect(unknown.has("x-real-ip")).toBe(false);
  });

  it("lets a route's edits set X-Forwarded-Prefix after the client's is removed", () => {
    const headers = upstreamRequestHeaders(new Request("http://app.example/", { headers: claims }), client(null), 0, [
      ["x-forwarded-prefix", "/app"],
    ]);
    expect(headers.get("x-forwarded-prefix")).toBe("/app");
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

describe("upstreamRequestHeaders: the client's Accept-Encoding", () => {
  const client = { clientIp: null, host: "app.example", proto: "https", port: "443", origin: "https://app.example" };
  // Node's Request has no `cf`: the edge's is added as the runtime would show it.
  const atTheEdge = (headers: Record<string, string>, clientAcceptEncoding?: string) =>
    Object.assign(new Request("https://app.example/", { headers }), {
      cf: clientAcceptEncoding === undefined ? {} : { clientAcceptEncoding },
    });

  it("puts back what the client sent in place of the edge's value", () => {
    const headers = upstreamRequestHeaders(atTheEdge({ "accept-encoding": "br, gzip" }, "gzip, deflate"), client, 0);
    expect(headers.get("accept-encoding")).toBe("gzip, deflate");
  });

  it("drops the edge's value when the client sent none", () => {
    const headers = upstreamRequestHeaders(atTheEdge({ "accept-encoding": "br, gzip" }, ""), client, 0);
    expect(headers.has("accept-encoding")).toBe(false);
  });

  it("restores it even when the client's Connection named it", () => {
    const request = atTheEdge({ "accept-encoding": "br, gzip", connection: "accept-encoding" }, "identity");
    expect(upstreamRequestHeaders(request, client, 0).get("accept-encoding")).toBe("identity");
  });

  it("leaves a request without Accept-Encoding and without cf as it is", () => {
    const headers = upstreamRequestHeaders(new Request("https://app.example/"), client, 0);
    expect(headers.has("accept-encoding")).toBe(false);
  });
});
