import { describe, expect, it } from "vitest";
import { bindNetworks } from "../../../src/lookup/bind-networks.ts";
import { fallbackRoute } from "../../../src/lookup/fallback.ts";
import { parseUpstream } from "../../../src/route-value/upstream.ts";
import type { FetchFunction } from "../../../src/route-value/network.ts";
import type { RouteSpec } from "../../../src/route-value/route.ts";
import { parseRouteValue } from "../../../src/route-value/value.ts";
import { configWith } from "../../support/bound-route.ts";

const fetcher: FetchFunction = () => Promise.resolve(new Response("stand-in"));

/** Each backend of the spec's own action, as `url → network`. */
function ways(spec: RouteSpec | { problem: string }): string[] {
  if (!("paths" in spec)) throw new Error(spec.problem);
  const action = spec.fallback;
  if (action?.type !== "forward") return [];
  return action.backends.map((b) => `${b.origin}${b.basePath} → ${b.network?.name ?? "unbound"}`);
}

describe("bindNetworks", () => {
  const config = configWith({ PRIVATE_NETWORK: fetcher, STAGING_NETWORK: fetcher });

  it("sends private addresses through PRIVATE_NETWORK and everything else direct", () => {
    const spec = parseRouteValue(
      JSON.stringify({
        backends: [
          "10.0.0.7:5000",
          "172.17.0.37:5000",
          "192.168.1.20:8080",
          "http://100.64.3.4:9000/base",
          "http://[fd00::7]:80",
          "127.0.0.1:5001",
          "172.32.0.1:80",
          "app.internal:8080",
          "https://api.example.com",
        ],
      }),
    );
    expect(ways(bindNetworks(spec, config.networks))).toEqual([
      "http://10.0.0.7:5000 → PRIVATE_NETWORK",
      "http://172.17.0.37:5000 → PRIVATE_NETWORK",
      "http://192.168.1.20:8080 → PRIVATE_NETWORK",
      "http://100.64.3.4:9000/base → PRIVATE_NETWORK",
      "http://[fd00::7] → PRIVATE_NETWORK",
      "http://127.0.0.1:5001 → public",
      "http://172.32.0.1 → public",
      "http://app.internal:8080 → public",
      "https://api.example.com → public",
    ]);
  });

  it("gives the binding's fetch to private backends and none (the global fetch) to public ones", () => {
    const bound = bindNetworks(parseRouteValue('{"backends": ["10.0.0.7:5000", "127.0.0.1:80"]}'), config.networks);
    if (!("paths" in bound) || bound.fallback?.type !== "forward") throw new Error("expected a forward route");
    const [inside, outside] = bound.fallback.backends;
    expect(typeof inside?.network?.fetch).toBe("function");
    expect(outside?.network).toEqual({ name: "public" });
  });

  it("sends everything direct when the worker has no PRIVATE_NETWORK (local, self-hosted)", () => {
    const plain = configWith({});
    expect(ways(bindNetworks(parseRouteValue("10.0.0.7:5000"), plain.networks))).toEqual([
      "http://10.0.0.7:5000 → public",
    ]);
  });

  it("reads the private ranges from PRIVATE_NETWORK_RANGES", () => {
    const narrow = configWith({ PRIVATE_NETWORK: fetcher }, { PRIVATE_NETWORK_RANGES: "10.1.0.0/16" });
    const spec = parseRouteValue('{"backends": ["10.1.2.3:80", "10.2.0.1:80"]}');
    expect(ways(bindNetworks(spec, narrow.networks))).toEqual([
      "http://10.1.2.3 → PRIVATE_NETWORK",
      "http://10.2.0.1 → public",
    ]);
  });

  it('follows the route\'s "network": a named binding for every backend, or "public"', () => {
    const staging = parseRouteValue('{"backends": ["10.0.0.7:5000", "app.internal"], "network": "STAGING_NETWORK"}');
    expect(ways(bindNetworks(staging, config.networks))).toEqual([
      "http://10.0.0.7:5000 → STAGING_NETWORK",
      "http://app.internal → STAGING_NETWORK",
    ]);
    const direct = parseRouteValue('{"backends": "10.0.0.7:5000", "network": "public"}');
    expect(ways(bindNetworks(direct, config.networks))).toEqual(["http://10.0.0.7:5000 → public"]);
  });

  it("binds path rules too, which inherit the route's network unless they name their own", () => {
    const spec = parseRouteValue(
      '{"backends": "10.0.0.1:80", "network": "STAGING_NETWORK", "paths": {"/a": "10.0.0.2:80", "/b": {"backends": "10.0.0.3:80", "network": "PRIVATE_NETWORK"}, "/old": {"redirect": "https://new.example"}}}',
    );
    const bound = bindNetworks(spec, config.networks);
    if (!("paths" in bound)) throw new Error(bound.problem);
    const named = bound.paths.map((rule) =>
      rule.action.type === "forward" ? `${rule.prefix} ${rule.action.backends[0]?.network?.name ?? ""}` : rule.prefix,
    );
    expect(named.sort()).toEqual(["/a STAGING_NETWORK", "/b PRIVATE_NETWORK", "/old"]);
  });

  it("finds a binding the worker does not have, and says which it has", () => {
    const spec = parseRouteValue('{"backends": "10.0.0.7:5000", "network": "OTHER_NETWORK"}');
    expect(bindNetworks(spec, config.networks)).toEqual({
      network: "OTHER_NETWORK",
      problem: expect.stringContaining(
        "no binding OTHER_NETWORK in this worker (it has: PRIVATE_NETWORK, STAGING_NETWORK)",
      ) as string,
    });
  });

  it("takes only bindings with a fetch(): a secret, a [vars] name, an object's own names are missing networks (502)", () => {
    const withSecrets = configWith({ PRIVATE_NETWORK: fetcher }, { ADMIN_TOKEN: "a token", STICKY_SECRET: "a secret" });
    for (const name of [
      "__proto__",
      "constructor",
      "toString",
      "hasOwnProperty",
      "fetch",
      "UPSTASH_REDIS_REST_TOKEN",
      "UPSTASH_REDIS_REST_URL",
      "ADMIN_TOKEN",
      "ACCESS_LOG_SAMPLE_RATE",
      "STICKY_SECRET",
    ]) {
      const spec = parseRouteValue(JSON.stringify({ backends: "10.0.0.7:5000", network: name }));
      expect(bindNetworks(spec, withSecrets.networks), name).toMatchObject({ network: name });
    }
  });

  it("binds FALLBACK_UPSTREAM's route as a route's: a private address through PRIVATE_NETWORK", () => {
    const route = fallbackRoute(parseUpstream("10.0.0.9:8080"), config.networks);
    expect(ways(route)).toEqual(["http://10.0.0.9:8080 → PRIVATE_NETWORK"]);
  });

  it("binds a parsed spec once per configuration: the same object comes back", () => {
    const spec = parseRouteValue("10.0.0.7:5000");
    expect(bindNetworks(spec, config.networks)).toBe(bindNetworks(spec, config.networks));
  });
});
