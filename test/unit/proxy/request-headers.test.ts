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
