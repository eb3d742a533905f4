import { describe, expect, it } from "vitest";
import { fallbackRoute } from "../../../src/lookup/fallback.ts";
import { parseUpstream } from "../../../src/route-value/upstream.ts";

describe("fallbackRoute", () => {
  it("is built once per configured upstream, not per request", () => {
    const upstream = parseUpstream("10.0.0.9:8080");
    expect(fallbackRoute(upstream)).toBe(fallbackRoute(upstream));
    expect(fallbackRoute(upstream)).toMatchObject({ key: "FALLBACK_UPSTREAM", host: "*", pattern: "*" });
  });
});
