import { describe, expect, it } from "vitest";
import { parseRouteValue } from "../../../src/route-value/value.ts";
import { parsePrivateRanges } from "../../../src/route-value/network.ts";
import { RouteSyntaxError } from "../../../src/route-value/route-syntax-error.ts";
import { readConfig } from "../../../src/config.ts";

describe('a JSON route\'s "network"', () => {
  it("is kept on the forward action, and inherited by path entries", () => {
    const spec = parseRouteValue(
      '{"backends": "10.0.0.7:5000", "network": "STAGING_NETWORK", "paths": {"/a": "10.0.0.8:80"}}',
    );
    expect(spec.fallback).toMatchObject({ type: "forward", network: "STAGING_NETWORK" });
    expect(spec.paths[0]?.action).toMatchObject({ network: "STAGING_NETWORK" });
  });

  it.each([
    ['{"backends": "10.0.0.7:5000", "network": 7}', '"network" must be "public" or a binding\'s name'],
    ['{"backends": "10.0.0.7:5000", "network": "not a name"}', '"network" must be "public"'],
    ['{"redirect": "https://example.com", "network": "public"}', '"network" cannot be combined with "redirect"'],
    ['{"backends": "10.0.0.7:5000", "networks": "public"}', 'unknown field "networks"; known fields: '],
  ])("refuses %s", (value, message) => {
    expect(() => parseRouteValue(value)).toThrow(RouteSyntaxError);
    expect(() => parseRouteValue(value)).toThrow(message);
  });
});

describe("PRIVATE_NETWORK_RANGES", () => {
  it("is a list of CIDR blocks, comma- or space-separated", () => {
    const ranges = parsePrivateRanges("10.0.0.0/8, 192.168.0.0/16 fc00::/7");
    expect(Array.isArray(ranges) && ranges.map((range) => range.toJSON())).toEqual([
      "10.0.0.0/8",
      "192.168.0.0/16",
      "fc00::/7",
    ]);
  });

  it("that does not parse is a configuration error naming the setting", () => {
    const env = { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9", UPSTASH_REDIS_REST_TOKEN: "t" };
    expect(() => readConfig({ ...env, PRIVATE_NETWORK_RANGES: "10.0.0.0/33" })).toThrow(
      expect.objectContaining({ status: 500, setting: "PRIVATE_NETWORK_RANGES" }) as Error,
    );
  });
});
