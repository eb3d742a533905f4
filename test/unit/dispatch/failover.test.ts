import { describe, expect, it } from "vitest";
import { ClientClosedError, UpstreamUnreachableError } from "../../../src/errors.ts";
import { createDownMarks } from "../../../src/dispatch/down-marks.ts";
import { forwardWithFailover, type FailoverOptions } from "../../../src/dispatch/failover.ts";
import type { UpstreamCall } from "../../../src/proxy/upstream-call.ts";
import { clientInfo } from "../../../src/receive/forwarded.ts";
import type { ForwardAction, Route } from "../../../src/route-value/route.ts";
import { boundRoute, configWith } from "../../support/bound-route.ts";
import { standInFetch } from "../../support/stand-in-fetch.ts";

/*
 * failover through the fetch seam: every backend here is a private address,
 * so the bound route sends it through the PRIVATE_NETWORK stand-in; nothing
 * reaches the global fetch() (no network).
 */

// workerd's IdentityTransformStream (upload.ts) is a pass-through TransformStream: Node has none.
const runtime = globalThis as { IdentityTransformStream?: unknown };
runtime.IdentityTransformStream ??= TransformStream;

let keys = 0;
const uniqueKey = () => `failover-test-${++keys}`;

function callFor(request: Request): UpstreamCall {
  return {
    pathAndQuery: new URL(request.url).pathname,
    publicPrefix: "",
    requestHeaders: [],
    responseHeaders: [],
    timeoutMs: 5_000,
    client: clientInfo(request, "https://app.test"),
    hops: 0,
    exposeUpstream: false,
    editableResponse: false,
    body: null,
  };
}

function options(overrides: Partial<FailoverOptions> = {}): FailoverOptions & { logged: string[] } {
  const logged: string[] = [];
  return {
    tries: 3,
    downMs: 30_000,
    marks: createDownMarks(),
    shared: null,
    waitUntil: () => undefined,
    log: (line) => logged.push(line),
    stickySecret: "a secret of the router's",
    logged,
    ...overrides,
  };
}

function forwardOf(route: Route): ForwardAction {
  if (route.fallback?.type !== "forward") throw new Error("not a forward route");
  return route.fallback;
}

const refusing = (down: string) =>
  standInFetch((url) => {
    if (url.startsWith(down)) throw new Error("connection refused");
    return new Response(`from ${new URL(url).host}`);
  });

describe("forwardWithFailover", () => {
  it("returns the response and the backend that answered, after marking a refusing one down", async () => {
    const network = refusing("http://10.0.0.7:5000");
    const config = configWith({ PRIVATE_NETWORK: network.fetch });
    const route = boundRoute('{"backends": ["10.0.0.7:5000", "10.0.0.8:5000"], "strategy": "round-robin"}', config);
    const request = new Request("https://app.test/x");
    const opts = options();
    // Round robin from a fresh key starts at the first backend, the refusing one.
    const attempted = await forwardWithFailover(request, route, forwardOf(route), callFor(request), uniqueKey(), opts);
    expect("response" in attempted && (await attempted.response.text())).toBe("from 10.0.0.8:5000");
    expect(attempted.backend.origin).toBe("http://10.0.0.8:5000");
    expect(attempted.backend.network?.name).toBe("PRIVATE_NETWORK");
    expect(network.calls.map((call) => call.url)).toEqual(["http://10.0.0.7:5000/x", "http://10.0.0.8:5000/x"]);
    expect(opts.marks.until("http://10.0.0.7:5000", Date.now())).toBeGreaterThan(Date.now());
    expect(opts.logged.join("\n")).toContain("backend http://10.0.0.7:5000 of app.test failed");
  });

  it("steers the next request away from the backend marked down", async () => {
    const network = refusing("http://10.0.0.7:5000");
    const route = boundRoute(
      '{"backends": ["10.0.0.7:5000", "10.0.0.8:5000"], "strategy": "round-robin"}',
      configWith({ PRIVATE_NETWORK: network.fetch }),
    );
    const opts = options();
    const key = uniqueKey();
    for (let i = 0; i < 3; i++) {
      const request = new Request("https://app.test/");
      const attempted = await forwardWithFailover(request, route, forwardOf(route), callFor(request), key, opts);
      expect(attempted.backend.origin).toBe("http://10.0.0.8:5000");
    }
    // Once refused, then skipped while the other is up.
    expect(network.calls.filter((call) => call.url.startsWith("http://10.0.0.7:5000"))).toHaveLength(1);
  });

  it("returns the last error and the last backend tried when none answers", async () => {
    const network = standInFetch(() => {
      throw new Error("connection refused");
    });
    const route = boundRoute(
      '{"backends": ["10.0.0.7:5000", "10.0.0.8:5000"], "strategy": "round-robin"}',
      configWith({ PRIVATE_NETWORK: network.fetch }),
    );
    const request = new Request("https://app.test/");
    const attempted = await forwardWithFailover(
      request,
      route,
      forwardOf(route),
      callFor(request),
      uniqueKey(),
      options(),
    );
    expect("error" in attempted && attempted.error).toBeInstanceOf(UpstreamUnreachableError);
    expect(attempted.backend.origin).toBe("http://10.0.0.8:5000");
    expect(network.calls).toHaveLength(2);
  });

  it("tries at most UPSTREAM_TRIES backends", async () => {
    const network = standInFetch(() => {
      throw new Error("connection refused");
    });
    const route = boundRoute(
      '{"backends": ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"]}',
      configWith({ PRIVATE_NETWORK: network.fetch }),
    );
    const request = new Request("https://app.test/");
    await forwardWithFailover(request, route, forwardOf(route), callFor(request), uniqueKey(), options({ tries: 2 }));
    expect(network.calls).toHaveLength(2);
  });

  it("replays a small body on the next backend, and never retries a POST", async () => {
    const network = refusing("http://10.0.0.7:5000");
    const route = boundRoute(
      '{"backends": ["10.0.0.7:5000", "10.0.0.8:5000"], "strategy": "round-robin"}',
      configWith({ PRIVATE_NETWORK: network.fetch }),
    );
    const put = new Request("https://app.test/doc", { method: "PUT", body: "v2", headers: { "content-length": "2" } });
    const replayed = await forwardWithFailover(put, route, forwardOf(route), callFor(put), uniqueKey(), options());
    expect("response" in replayed).toBe(true);
    expect(network.calls.map((call) => call.body)).toEqual(["v2", "v2"]);

    const post = new Request("https://app.test/doc", { method: "POST", body: "once" });
    const before = network.calls.length;
    const posted = await forwardWithFailover(post, route, forwardOf(route), callFor(post), uniqueKey(), options());
    expect("error" in posted && posted.error).toBeInstanceOf(UpstreamUnreachableError);
    expect(network.calls.length - before).toBe(1);
  });

  it("returns the client's own failure (an upload that broke off) with the backend, not as the upstream's", async () => {
    const network = standInFetch(() => new Response("never"));
    const route = boundRoute(
      '{"backends": ["10.0.0.7:5000", "10.0.0.8:5000"]}',
      configWith({ PRIVATE_NETWORK: network.fetch }),
    );
    const request = new Request("https://app.test/upload", {
      method: "PUT",
      body: new ReadableStream({
        pull(controller) {
          controller.error(new Error("the client went away"));
        },
      }),
      duplex: "half",
    } as RequestInit);
    const opts = options();
    const attempted = await forwardWithFailover(request, route, forwardOf(route), callFor(request), uniqueKey(), opts);
    expect("error" in attempted && attempted.error).toBeInstanceOf(ClientClosedError);
    expect(["http://10.0.0.7:5000", "http://10.0.0.8:5000"]).toContain(attempted.backend.origin);
    // Not the backend's fault: no mark.
    expect(opts.logged).toEqual([]);
  });

  it("sends each backend through the network it was bound to", async () => {
    const production = standInFetch(() => new Response("production"));
    const staging = standInFetch(() => new Response("staging"));
    const config = configWith({ PRIVATE_NETWORK: production.fetch, STAGING_NETWORK: staging.fetch });
    const route = boundRoute(
      '{"backends": "10.0.0.7:5000", "paths": {"/staging": {"backends": "10.0.0.7:5000", "network": "STAGING_NETWORK"}}}',
      config,
    );
    const request = new Request("https://app.test/");
    const main = await forwardWithFailover(request, route, forwardOf(route), callFor(request), uniqueKey(), options());
    expect("response" in main && (await main.response.text())).toBe("production");
    const rule = route.paths[0]?.action;
    if (rule?.type !== "forward") throw new Error("expected a forward rule");
    const other = await forwardWithFailover(request, route, rule, callFor(request), uniqueKey(), options());
    expect("response" in other && (await other.response.text())).toBe("staging");
    expect(other.backend.network?.name).toBe("STAGING_NETWORK");
  });
});
