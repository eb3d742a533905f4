import { describe, expect, it } from "vitest";
import { addForwardingHeaders } from "../../src/proxy/forwarded.ts";
import { stripHopByHop } from "../../src/proxy/hop-by-hop.ts";

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
    addForwardingHeaders(headers, { clientIp: "2001:db8::1", host: "app.example:8443", proto: "https", port: "8443" });
    expect(headers.get("forwarded")).toBe('for=192.0.2.60, for="[2001:db8::1]";host="app.example:8443";proto=https');
    expect(headers.get("x-forwarded-for")).toBe("2001:db8::1");
    expect(headers.get("x-forwarded-port")).toBe("8443");
  });

  it("omits for= when the client address is unknown", () => {
    const headers = new Headers();
    addForwardingHeaders(headers, { clientIp: null, host: "app.example", proto: "http", port: "80" });
    expect(headers.get("forwarded")).toBe("host=app.example;proto=http");
    expect(headers.has("x-forwarded-for")).toBe(false);
  });
});
