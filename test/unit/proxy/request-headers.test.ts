import { describe, expect, it } from "vitest";
import { upstreamRequestHeaders } from "../../../src/proxy/request-headers.ts";

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
