import { describe, expect, it } from "vitest";
import { createDownMarks } from "../../../src/dispatch/down-marks.ts";
import { NoPathRouteError } from "../../../src/dispatch/dispatch-errors.ts";
import { routeRequest, type DispatchOptions } from "../../../src/dispatch/dispatch.ts";
import { createUpstashRouteStore } from "../../../src/lookup/store.ts";
import { clientInfo } from "../../../src/receive/forwarded.ts";
import { splitTarget } from "../../../src/receive/target.ts";
import type { RouterConfig } from "../../../src/config.ts";
import type { FetchFunction } from "../../../src/route-value/network.ts";
import { boundRoute, configWith } from "../../support/bound-route.ts";
import { standInFetch } from "../../support/stand-in-fetch.ts";

/*
 * dispatch through the fetch seam: the route is bound to a stand-in
 * PRIVATE_NETWORK, and its backends are private addresses, so every
 * upstream call lands in the stand-in (no network).
 */

function dispatchOptions(request: Request, config: RouterConfig): DispatchOptions {
  return {
    settings: config,
    client: clientInfo(request, splitTarget(request.url).origin),
    hops: 0,
    editableResponse: false,
    // Never called: SHARED_DOWN_MARKS is off and no route here has a rate limit.
    store: createUpstashRouteStore({ url: config.redisUrl, token: config.redisToken, timeoutMs: 1_000 }),
    waitUntil: () => undefined,
    rateLimiter: () => {
      throw new Error("no route here has a rateLimit");
    },
    marks: createDownMarks(),
    log: () => undefined,
  };
}

async function dispatch(value: string, url: string, network: FetchFunction, vars: Record<string, string> = {}) {
  const config = configWith({ PRIVATE_NETWORK: network }, vars);
  const request = new Request(url, { headers: { host: new URL(url).host } });
  return routeRequest(request, splitTarget(request.url), boundRoute(value, config), dispatchOptions(request, config));
}

describe("routeRequest", () => {
  it("builds one call from the path rule: prefix stripped, query kept, the rule's header edits", async () => {
    const network = standInFetch(() => new Response("api"));
    const dispatched = await dispatch(
      '{"backends": "10.0.0.9:80", "paths": {"/api/": {"backends": "http://10.0.0.7:5000/v2", "strip": true, "requestHeaders": {"X-Env": "prod"}}}}',
      "https://app.test/api/users?id=7",
      network.fetch,
    );
    expect("response" in dispatched && (await dispatched.response.text())).toBe("api");
    expect(dispatched.backend?.origin).toBe("http://10.0.0.7:5000");
    expect(network.calls[0]?.url).toBe("http://10.0.0.7:5000/v2/users?id=7");
    expect(network.calls[0]?.headers.get("x-env")).toBe("prod");
  });

  it("maps an upstream redirect back under the stripped prefix, and names the upstream with DEBUG_EXPOSE_UPSTREAM", async () => {
    const network = standInFetch(
      () => new Response(null, { status: 302, headers: { location: "http://10.0.0.7:5000/login" } }),
    );
    const dispatched = await dispatch(
      '{"paths": {"/app/": {"backends": "10.0.0.7:5000", "strip": true}}}',
      "https://app.test/app/",
      network.fetch,
      { DEBUG_EXPOSE_UPSTREAM: "true" },
    );
    if (!("response" in dispatched)) throw new Error("expected a response");
    expect(dispatched.response.headers.get("location")).toBe("https://app.test/app/login");
    expect(dispatched.response.headers.get("x-upstream")).toBe("http://10.0.0.7:5000");
  });

  it("answers a redirect route itself: no backend, no upstream call", async () => {
    const network = standInFetch();
    const dispatched = await dispatch(
      '{"redirect": "https://www.example.com", "status": 301}',
      "https://app.test/a?b=1",
      network.fetch,
    );
    expect(dispatched.backend).toBeNull();
    expect("response" in dispatched && dispatched.response.status).toBe(301);
    expect("response" in dispatched && dispatched.response.headers.get("location")).toBe(
      "https://www.example.com/a?b=1",
    );
    expect(network.calls).toEqual([]);
  });

  it("refuses a path no rule matches (404) without calling any backend", async () => {
    const network = standInFetch();
    await expect(
      dispatch('{"paths": {"/api": "10.0.0.7:5000"}}', "https://app.test/other", network.fetch),
    ).rejects.toBeInstanceOf(NoPathRouteError);
    expect(network.calls).toEqual([]);
  });

  it("checks the route's policies first: a refused client reaches no backend", async () => {
    const network = standInFetch();
    await expect(
      dispatch(
        '{"backends": "10.0.0.7:5000", "ipAllowList": {"sourceRange": ["192.0.2.0/24"]}}',
        "https://app.test/",
        network.fetch,
        { CLIENT_ADDRESS: "cf-connecting-ip" },
      ),
    ).rejects.toMatchObject({ status: 403 });
    expect(network.calls).toEqual([]);
  });

  it("returns the failure with the backend tried, for the access log", async () => {
    const network = standInFetch(() => {
      throw new Error("no route to host");
    });
    const dispatched = await dispatch('{"backends": "10.0.0.7:5000"}', "https://app.test/", network.fetch);
    expect("error" in dispatched && dispatched.error).toMatchObject({ status: 502, code: "upstream_unreachable" });
    expect(dispatched.backend?.origin).toBe("http://10.0.0.7:5000");
  });
});
