import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startBridge, type RunningBridge } from "../../scripts/bridge/server.ts";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { normalizeHost } from "../../src/receive/host.ts";
import { lookupKeys } from "../../src/lookup/lookup.ts";
import { rawRequest } from "../support/raw.ts";
import { routesClient, startRouter, uniquePrefix, type RouterUnderTest } from "../support/stack.ts";

/** FUZZ_RUNS=20000 npm test -- test/fuzz for a longer run; the seed keeps CI repeatable. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const TOKEN = "fuzz-secret-token-4d1f0c";

let bridge: RunningBridge;
let router: RouterUnderTest;
let app: RunningDemoApp;
const ROUTED = ["fuzz-routed.example", "xn--bcher-kva.fuzz.example", "127.0.0.1", "[::1]"];
/** Routes for `127.0.0.1` and `[::1]` must not reach other files' routers, which share the suite's Redis. */
const PREFIX = uniquePrefix("fuzz");

beforeAll(async () => {
  bridge = await startBridge({ redisPort: inject("redisPort"), token: TOKEN });
  [router, app] = await Promise.all([
    startRouter({
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: TOKEN,
      ROUTE_KEY_PREFIX: PREFIX,
      HIPACHE_ROUTES: "true",
      // Routes in use are refreshed together, on whichever request comes after
      // the TTL: a TTL longer than the run keeps each request's reads its own.
      ROUTE_CACHE_TTL_MS: "3600000",
    }),
    startDemoApp({ name: "fuzzed" }),
  ]);
  const redis = routesClient();
  for (const host of ROUTED) await redis.set(PREFIX + host, app.address);
});
afterAll(async () => {
  const redis = routesClient();
  for (const host of ROUTED) await redis.del(PREFIX + host);
  await Promise.all([router.dispose(), app.close(), bridge.close()]);
});

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
const hostHeader = fc.oneof(
  fc.constantFrom(...ROUTED, "FUZZ-ROUTED.example.", "fuzz-routed.example:8080", "localhost", "169.254.169.254"),
  fc.constantFrom("0x7f.1", "[::ffff:127.0.0.1]", "[::1]:80", "2130706433", "a..b", ".", "*", "*.example", "_"),
  fc.array(label, { minLength: 1, maxLength: 6 }).map((labels) => labels.join(".")),
  fc
    .tuple(fc.array(label, { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 99999 }))
    .map(([labels, port]) => `${labels.join(".")}:${port}`),
  fc.ipV4().map(String),
  fc.ipV6().map((address) => `[${address}]`),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ maxLength: 300 }),
  fc.integer({ min: 240, max: 400 }).map((length) => "a.".repeat(length / 2)),
);
const method = fc.constantFrom("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
const path = fc.oneof(
  fc.webPath(),
  fc.tuple(fc.webPath(), fc.webQueryParameters()).map(([p, q]) => `${p || "/"}?${q}`),
  fc.constantFrom("/a%2Fb//c?q=%20&r=1", "http://other.example/", "*", "/../../etc/passwd"),
);
const extraHeaders = fc.dictionary(
  fc.stringMatching(/^x-[a-z]{1,8}$/),
  fc.string({ unit: "grapheme-ascii", maxLength: 40 }).filter((v) => !/[\r\n]/.test(v)),
  { maxKeys: 4 },
);

/** Writes the Host header as raw bytes: latin1 keeps every code unit < 256 intact. */
function requestBytes(m: string, target: string, host: string, headers: Record<string, string>): Buffer {
  const lines = [
    `${m} ${target.startsWith("/") || target === "*" || target.startsWith("http") ? target : `/${target}`} HTTP/1.1`,
  ];
  lines.push(`Host: ${host}`);
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push("Connection: close", "", "");
  return Buffer.from(lines.join("\r\n"), "utf8");
}

/** The key the router may read: HTTP strips optional whitespace around a header value (RFC 9110 §5.5). */
function expectedKey(host: string): string | null {
  try {
    return normalizeHost(host.replace(/^[ \t]+|[ \t]+$/g, ""));
  } catch {
    return null;
  }
}

describe("fuzzed requests", () => {
  it(`answers every random request with a defined status, reads only the normalised host's key, and never leaks the token (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(hostHeader, method, path, extraHeaders, async (host, m, target, headers) => {
        bridge.resetStats();
        const reply = await rawRequest(router.url, requestBytes(m, target, host, headers));
        expect(reply.text).not.toContain(TOKEN);
        const key = expectedKey(host);
        if (/^x-app: fuzzed\r$/im.test(reply.text)) {
          // Reached the upstream: only a routed host may.
          expect(ROUTED).toContain(key);
        } else if (/^x-request-id: /im.test(reply.text)) {
          // The router's own answer.
          expect([400, 403]).toContain(reply.status);
        } else {
          // Refused by the runtime's HTTP layer before the worker ran (bad
          // request line or Host): never forwarded, no key read.
          expect([0, 400, 413, 414, 431, 500]).toContain(reply.status);
          expect(bridge.stats.keysRead).toEqual([]);
        }
        // One lookup reads exactly the candidate keys derived from the normalised host
        // (one MGET of the string keys, then the Hipache lists), in that order.
        const candidates =
          key === null
            ? []
            : lookupKeys(key, {
                keyPrefix: PREFIX,
                hipacheRoutes: true,
                sharedDownMarks: false,
                noRouteStatus: 403,
                backendDownMs: 30_000,
              });
        expect(bridge.stats.keysRead).toEqual(bridge.stats.keysRead.length === 0 ? [] : candidates);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  }, 300_000);
});
