import { describe, expect, it } from "vitest";
import { type ForwardAction, type RedirectAction } from "../../../src/route-value/route.ts";
import { RouteSyntaxError } from "../../../src/route-value/route-syntax-error.ts";
import { parseHipacheList, parseRouteValue } from "../../../src/route-value/value.ts";

function refusal(value: string): string {
  try {
    parseRouteValue(value);
  } catch (error) {
    if (error instanceof RouteSyntaxError) return error.message;
    throw error;
  }
  throw new Error(`accepted: ${value}`);
}

describe("parseRouteValue: one-line formats", () => {
  it.each([
    ["10.0.0.7:5000", "upstream", "http://10.0.0.7:5000", ""],
    ["app.internal:8080", "upstream", "http://app.internal:8080", ""],
    ["  app.internal  ", "upstream", "http://app.internal", ""],
    ["[::1]:8080", "upstream", "http://[::1]:8080", ""],
    ["https://api.internal/v2/", "url", "https://api.internal", "/v2"],
    ["HTTP://App.Internal:80", "url", "http://app.internal", ""],
  ])("%s is a %s route to %s%s", (value, kind, origin, basePath) => {
    const spec = parseRouteValue(value);
    expect(spec.kind).toBe(kind);
    expect(spec.paths).toEqual([]);
    expect(spec.fallback).toMatchObject({ type: "forward", backends: [{ origin, basePath }], strategy: "random" });
  });

  it.each([
    ["", "empty upstream"],
    ["ftp://files.internal", 'unsupported scheme "ftp"'],
    ["http://user:pw@app.internal", "credentials are not allowed"],
    ["http://app.internal/?q=1", "a query or fragment is not allowed"],
    ["not a host", "not a host:port or an http(s) URL"],
    ['["10.0.0.1:80"]', "a JSON route must be an object"],
  ])("refuses %j: %s", (value, message) => {
    expect(refusal(value)).toContain(message);
  });
});

describe("parseRouteValue: JSON routes", () => {
  it("reads backends, strategy, timeout and header edits", () => {
    const spec = parseRouteValue(
      JSON.stringify({
        backends: ["10.0.0.1:8080", "https://api.internal/v2"],
        strategy: "round-robin",
        timeout: 2.5,
        requestHeaders: { "X-Env": "prod", Cookie: null },
        responseHeaders: { "Strict-Transport-Security": "max-age=63072000" },
      }),
    );
    expect(spec.kind).toBe("json");
    expect(spec.fallback).toEqual({
      type: "forward",
      backends: [
        { origin: "http://10.0.0.1:8080", basePath: "" },
        { origin: "https://api.internal", basePath: "/v2" },
      ],
      strategy: "round-robin",
      timeoutMs: 2500,
      requestHeaders: [
        ["x-env", "prod"],
        ["cookie", null],
      ],
      responseHeaders: [["strict-transport-security", "max-age=63072000"]],
    } satisfies ForwardAction);
  });

  it.each([
    [5, 5000],
    [0.25, 250],
    [0.0004, 1],
    ['"5s"', 5000],
    ['"500ms"', 500],
    ['"1m"', 60_000],
  ])("reads a timeout of %s as %i ms: a number of seconds or a duration, as a rate limit's period", (raw, ms) => {
    const spec = parseRouteValue(`{"backends": "a:1", "timeout": ${raw}}`);
    expect(spec.fallback).toMatchObject({ timeoutMs: ms });
  });

  it("accepts a single backend as a string", () => {
    expect(parseRouteValue('{"backends": "10.0.0.1:80"}').fallback).toMatchObject({
      backends: [{ origin: "http://10.0.0.1" }],
    });
  });

  it("reads a redirect, 302 unless a status is given", () => {
    const redirect = parseRouteValue('{"redirect": "https://www.example.com", "status": 301}').fallback;
    expect(redirect).toEqual({
      type: "redirect",
      target: { origin: "https://www.example.com", basePath: "" },
      status: 301,
      responseHeaders: [],
    } satisfies RedirectAction);
    expect(parseRouteValue('{"redirect": "https://new.example/blog"}').fallback).toMatchObject({
      status: 302,
      target: { basePath: "/blog" },
    });
  });

  it("sorts path rules longest first and lets entries inherit the route's settings", () => {
    const spec = parseRouteValue(
      JSON.stringify({
        backends: ["10.0.0.1:80"],
        strategy: "round-robin",
        timeout: 5,
        requestHeaders: { "X-A": "route", "X-B": "route" },
        paths: {
          "/api": "10.0.0.2:80",
          "/api/v2": { backends: ["10.0.0.3:80", "10.0.0.4:80"], strip: true, requestHeaders: { "X-B": "entry" } },
          "/old": { redirect: "https://new.example", status: 308 },
          "/static": ["10.0.0.5:80", "10.0.0.6:80"],
        },
      }),
    );
    expect(spec.paths.map((rule) => rule.prefix)).toEqual(["/api/v2", "/static", "/api", "/old"]);
    const [v2, , api, old] = spec.paths;
    expect(v2).toMatchObject({
      strip: true,
      action: {
        strategy: "round-robin",
        timeoutMs: 5000,
        requestHeaders: [
          ["x-a", "route"],
          ["x-b", "entry"],
        ],
      },
    });
    expect(api).toMatchObject({ strip: false, action: { backends: [{ origin: "http://10.0.0.2" }] } });
    expect(old?.action).toMatchObject({ type: "redirect", status: 308 });
  });

  it("lets an entry with only policies or only headers inherit the route's backends or redirect", () => {
    const spec = parseRouteValue(
      JSON.stringify({
        backends: [{ url: "10.0.0.1:80", weight: 3 }, "10.0.0.2:80"],
        paths: {
          "/admin": { ipAllowList: { sourceRange: ["192.0.2.0/24"] } },
          "/tagged": { requestHeaders: { "X-Zone": "tagged" }, strip: true },
        },
      }),
    );
    const [tagged, admin] = spec.paths;
    expect(admin).toMatchObject({
      prefix: "/admin",
      action: {
        type: "forward",
        backends: [{ origin: "http://10.0.0.1" }, { origin: "http://10.0.0.2" }],
        weights: [3, 1],
        policies: { ipAllowList: {} },
      },
    });
    expect(tagged).toMatchObject({
      prefix: "/tagged",
      strip: true,
      action: { requestHeaders: [["x-zone", "tagged"]] },
    });
    const redirecting = parseRouteValue(
      JSON.stringify({ redirect: "https://new.example", status: 301, paths: { "/closed": { maintenance: true } } }),
    );
    expect(redirecting.paths[0]?.action).toMatchObject({
      type: "redirect",
      status: 301,
      policies: { maintenance: {} },
    });
  });

  it("keeps prefixes in the canonical form request paths are compared in", () => {
    const spec = parseRouteValue(
      JSON.stringify({ backends: "10.0.0.1:80", paths: { "/%61pi//v2": "10.0.0.2:80", "/caf%c3%a9/": "10.0.0.3:80" } }),
    );
    expect(spec.paths.map((rule) => rule.prefix).sort()).toEqual(["/api/v2", "/caf%C3%A9/"]);
    expect(refusal('{"paths": {"/api": "a:1", "/%61pi": "b:1"}}')).toContain(
      'paths["/%61pi"] is the same prefix as paths["/api"]',
    );
    expect(refusal('{"paths": {"/a%zz": "a:1"}}')).toContain('a "%" that starts no percent-encoding');
  });

  it("allows paths without route-wide backends", () => {
    const spec = parseRouteValue('{"paths": {"/api": "10.0.0.2:80"}}');
    expect(spec.fallback).toBeNull();
    expect(spec.paths).toHaveLength(1);
  });

  it.each([
    ["{", "not valid JSON"],
    ["{}", 'a JSON route needs "backends", "redirect" or "paths"'],
    ['{"backend": "10.0.0.1:80"}', 'unknown field "backend" (did you mean "backends"?)'],
    ['{"backends": []}', '"backends" is empty'],
    ['{"backends": [80]}', '"backends"[0] must be a string'],
    ['{"backends": ["10.0.0.1:80", "ftp://x"]}', '"backends"[1]: unsupported scheme "ftp"'],
    ['{"backends": "a:1", "strategy": "rr"}', '"strategy" must be "random" or "round-robin", not "rr"'],
    ['{"backends": "a:1", "timeout": 0}', '"timeout" must be a duration above 0 and at most 600s'],
    ['{"backends": "a:1", "timeout": "11m"}', '"timeout" must be a duration above 0 and at most 600s'],
    ['{"backends": "a:1", "timeout": "5 s"}', 'not "5 s"'],
    ['{"backends": "a:1", "status": 301}', '"status" only applies with "redirect"'],
    ['{"redirect": "https://x.example", "backends": "a:1"}', '"backends" cannot be combined with "redirect"'],
    ['{"redirect": "https://x.example", "status": 303}', '"status" must be 301, 302, 307 or 308, not 303'],
    ['{"redirect": "www.example.com"}', '"redirect" must be an http:// or https:// URL'],
    ['{"backends": "a:1", "requestHeaders": {"Host": "x"}}', 'the "Host" header cannot be set by a route'],
    ['{"backends": "a:1", "requestHeaders": {"X-Forwarded-For": "x"}}', 'the "X-Forwarded-For" header cannot be set'],
    ['{"backends": "a:1", "requestHeaders": {"x-host-router-hops": "0"}}', 'the "x-host-router-hops" header cannot'],
    ['{"backends": "a:1", "responseHeaders": {"Transfer-Encoding": "x"}}', 'the "Transfer-Encoding" header cannot'],
    ['{"backends": "a:1", "requestHeaders": {"Bad Name": "x"}}', '"Bad Name" is not a valid header name'],
    ['{"backends": "a:1", "responseHeaders": {"X-A": "a\\r\\nb"}}', "contains a line break"],
    ['{"backends": "a:1", "responseHeaders": {"X-A": 1}}', "must be a string, or null to remove the header"],
    ['{"backends": "a:1", "requestHeaders": []}', '"requestHeaders" must be an object of header names'],
    ['{"paths": {}}', '"paths" is empty'],
    ['{"paths": {"api": "a:1"}}', 'paths["api"]: a path prefix must start with "/"'],
    ['{"paths": {"/a?b": "a:1"}}', 'a path prefix cannot contain "?" or "#"'],
    ['{"paths": {"/a": {"strip": true}}}', 'paths["/a"] needs "backends" or "redirect"'],
    ['{"paths": {"/a": {"backends": "a:1", "strip": "yes"}}}', 'paths["/a"].strip must be true or false'],
    ['{"paths": {"/a": {"backends": "a:1", "paths": {}}}}', 'paths["/a"]: unknown field "paths"'],
    ['{"paths": {"/a": {"backends": ["gopher://x"]}}}', 'paths["/a"].backends[0]: unsupported scheme "gopher"'],
    ['{"paths": {"/a": 5}}', 'paths["/a"] must be a backend, a list of backends, or an object, not number'],
  ])("refuses %s: %s", (value, message) => {
    expect(refusal(value)).toContain(message);
  });
});

describe("parseHipacheList", () => {
  it("reads an identifier and backend URLs", () => {
    const spec = parseHipacheList(["mysite", "http://10.0.0.1:80", "http://10.0.0.2:8080"]);
    expect(spec).toMatchObject({ kind: "hipache", label: "mysite", paths: [] });
    expect(spec.fallback).toMatchObject({
      strategy: "random",
      backends: [{ origin: "http://10.0.0.1" }, { origin: "http://10.0.0.2:8080" }],
    });
  });

  it("refuses a list with no backends, or a backend that is not one", () => {
    expect(() => parseHipacheList(["mysite"])).toThrow(/identifier but no backends/);
    expect(() => parseHipacheList(["mysite", "http://ok:80", "ftp://no"])).toThrow(
      /list element 2: unsupported scheme "ftp"/,
    );
  });
});
