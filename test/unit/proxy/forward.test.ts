import { describe, expect, it } from "vitest";
import { UpstreamTimeoutError, UpstreamUnreachableError } from "../../../src/errors.ts";
import { forward } from "../../../src/proxy/forward.ts";
import type { UpstreamCall } from "../../../src/proxy/upstream-call.ts";
import { clientInfo } from "../../../src/receive/forwarded.ts";
import { parseUpstream } from "../../../src/route-value/upstream.ts";
import { standInFetch } from "../../support/stand-in-fetch.ts";

/*
 * forward() through its fetch seam: a real Request and Response, a stand-in
 * fetch that records what it was asked (no network).
 */

const ORIGIN = "https://app1.example.com";

// workerd's IdentityTransformStream (upload.ts pipes a streamed upload
// through one) is a TransformStream that passes bytes unchanged: Node has
// none, so the standard class stands in for it here. The real one is covered
// by the integration tests, which run the bundle in workerd.
const runtime = globalThis as { IdentityTransformStream?: unknown };
runtime.IdentityTransformStream ??= TransformStream;

function callFor(request: Request, overrides: Partial<UpstreamCall> = {}): UpstreamCall {
  return {
    pathAndQuery: "/a/b?c=1",
    publicPrefix: "",
    requestHeaders: [],
    responseHeaders: [],
    timeoutMs: 5_000,
    client: clientInfo(request, ORIGIN),
    hops: 0,
    exposeUpstream: false,
    editableResponse: false,
    body: null,
    ...overrides,
  };
}

function clientRequest(init: RequestInit = {}, path = "/a/b?c=1"): Request {
  const headers = new Headers(init.headers);
  headers.set("host", "app1.example.com");
  headers.set("cf-connecting-ip", "203.0.113.9");
  return new Request(ORIGIN + path, { ...init, headers });
}

describe("forward", () => {
  it("sends the request to the backend's base path + the call's path and query, through the fetch it is given", async () => {
    const stand = standInFetch();
    const request = clientRequest({ headers: { "x-app": "1" } });
    const response = await forward(request, parseUpstream("http://10.0.0.7:5000/base"), callFor(request), stand.fetch);
    expect(await response.text()).toBe("ok");
    expect(stand.calls).toHaveLength(1);
    const [call] = stand.calls;
    expect(call?.url).toBe("http://10.0.0.7:5000/base/a/b?c=1");
    expect(call?.init.method).toBe("GET");
    expect(call?.init.redirect).toBe("manual");
    expect(call?.headers.get("x-app")).toBe("1");
    expect(call?.headers.get("host")).toBeNull();
    expect(call?.headers.get("x-forwarded-host")).toBe("app1.example.com");
    expect(call?.headers.get("x-forwarded-for")).toBe("203.0.113.9");
    expect(call?.headers.get("x-forwarded-proto")).toBe("https");
    expect(call?.headers.get("x-host-router-hops")).toBe("1");
  });

  it("counts the incoming hops and applies the route's request header edits", async () => {
    const stand = standInFetch();
    const request = clientRequest({ headers: { cookie: "a=1" } });
    await forward(
      request,
      parseUpstream("10.0.0.7:5000"),
      callFor(request, {
        hops: 2,
        requestHeaders: [
          ["x-env", "prod"],
          ["cookie", null],
        ],
      }),
      stand.fetch,
    );
    const headers = stand.calls[0]?.headers;
    expect(headers?.get("x-host-router-hops")).toBe("3");
    expect(headers?.get("x-env")).toBe("prod");
    expect(headers?.get("cookie")).toBeNull();
  });

  it("streams the client's body to the upstream, and the upstream's body back", async () => {
    const stand = standInFetch(
      (_url, _init, calls) =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode(`got ${calls[0]?.body ?? ""}`));
              controller.close();
            },
          }),
          { status: 201, headers: { "content-type": "text/plain" } },
        ),
    );
    const request = clientRequest({
      method: "POST",
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("part 1, "));
          controller.enqueue(new TextEncoder().encode("part 2"));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    const response = await forward(request, parseUpstream("10.0.0.7:5000"), callFor(request), stand.fetch);
    expect(stand.calls[0]?.body).toBe("part 1, part 2");
    expect(response.status).toBe(201);
    expect(await response.text()).toBe("got part 1, part 2");
  });

  it("sends a kept body (a replay) instead of the client's stream", async () => {
    const stand = standInFetch();
    const request = clientRequest({ method: "PUT", body: "original" });
    const body = await new Response("kept").arrayBuffer();
    await forward(request, parseUpstream("10.0.0.7:5000"), callFor(request, { body }), stand.fetch);
    expect(stand.calls[0]?.body).toBe("kept");
  });

  it("returns the upstream's response object itself when nothing in it changes", async () => {
    const answer = new Response("as is", { headers: { "x-up": "1" } });
    const request = clientRequest();
    const response = await forward(
      request,
      parseUpstream("10.0.0.7:5000"),
      callFor(request),
      standInFetch(() => answer).fetch,
    );
    expect(response).toBe(answer);
  });

  it("builds a new, editable response for response edits, X-Upstream and Location rewrites", async () => {
    const request = clientRequest();
    const response = await forward(
      request,
      parseUpstream("http://10.0.0.7:5000/base"),
      callFor(request, { responseHeaders: [["x-frame-options", "DENY"]], exposeUpstream: true, publicPrefix: "/app" }),
      standInFetch(() => new Response(null, { status: 302, headers: { location: "http://10.0.0.7:5000/base/next" } }))
        .fetch,
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-upstream")).toBe("http://10.0.0.7:5000/base");
    expect(response.headers.get("location")).toBe("https://app1.example.com/app/next");
    response.headers.set("server-timing", "route;dur=0");
    expect(response.headers.get("server-timing")).toBe("route;dur=0");
  });

  it("drops the body of an answer to HEAD", async () => {
    const request = clientRequest({ method: "HEAD" });
    const response = await forward(
      request,
      parseUpstream("10.0.0.7:5000"),
      callFor(request),
      standInFetch(() => new Response("body that HEAD must not get", { headers: { "content-length": "27" } })).fetch,
    );
    expect(response.body).toBeNull();
  });

  it("reports a failed fetch as UpstreamUnreachableError (so failover may try another backend)", async () => {
    const request = clientRequest();
    const failing = standInFetch(() => {
      throw new Error("connect ECONNREFUSED 10.0.0.7:5000");
    });
    const attempt = forward(request, parseUpstream("10.0.0.7:5000"), callFor(request), failing.fetch);
    await expect(attempt).rejects.toBeInstanceOf(UpstreamUnreachableError);
    await expect(attempt).rejects.toMatchObject({ status: 502, detail: "connect ECONNREFUSED 10.0.0.7:5000" });
  });

  it("reports no response headers within the call's timeout as UpstreamTimeoutError", async () => {
    const request = clientRequest();
    // Answers only when aborted, as a silent upstream would.
    const silent = standInFetch(
      (_url, init) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener("abort", () => reject(new Error("aborted")));
        }),
    );
    const attempt = forward(request, parseUpstream("10.0.0.7:5000"), callFor(request, { timeoutMs: 20 }), silent.fetch);
    await expect(attempt).rejects.toBeInstanceOf(UpstreamTimeoutError);
    await expect(attempt).rejects.toMatchObject({ status: 504 });
  });
});
