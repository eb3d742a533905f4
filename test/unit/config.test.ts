import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.ts";
import { ConfigError } from "../../src/errors.ts";

const secrets = { UPSTASH_REDIS_REST_URL: "https://db.example", UPSTASH_REDIS_REST_TOKEN: "t" };

describe("readConfig: proxy settings", () => {
  it("has the defaults wrangler.toml ships: 403, no fallback, 5 hops, a log line for 1 request in 100 (and every 5xx), no debug", () => {
    expect(readConfig({ ...secrets })).toMatchObject({
      noRouteStatus: 403,
      fallbackUpstream: null,
      maxHops: 5,
      accessLogSampleRate: 0.01,
      exposeUpstream: false,
      upstreamTimeoutMs: 30_000,
    });
  });

  it("parses each setting", () => {
    expect(
      readConfig({
        ...secrets,
        NO_ROUTE_STATUS: "404",
        FALLBACK_UPSTREAM: "https://default.internal/base/",
        MAX_HOPS: "2",
        ACCESS_LOG_SAMPLE_RATE: "0.25",
        DEBUG_EXPOSE_UPSTREAM: "true",
      }),
    ).toMatchObject({
      noRouteStatus: 404,
      fallbackUpstream: { origin: "https://default.internal", basePath: "/base" },
      maxHops: 2,
      accessLogSampleRate: 0.25,
      exposeUpstream: true,
    });
  });

  it.each([
    ["FALLBACK_UPSTREAM", "ftp://x"],
    ["MAX_HOPS", "-1"],
    ["ACCESS_LOG_SAMPLE_RATE", "2"],
    ["ACCESS_LOG_SAMPLE_RATE", "half"],
    ["DEBUG_EXPOSE_UPSTREAM", "yes please"],
  ])("refuses %s=%j with a message naming it", (name, value) => {
    expect(() => readConfig({ ...secrets, [name]: value })).toThrow(ConfigError);
    expect(() => readConfig({ ...secrets, [name]: value })).toThrow(name);
  });
});
