import { Redis } from "@upstash/redis";
import { inject } from "vitest";
import { startRuntime, type RunningRuntime, type RuntimeOptions } from "../../scripts/lib/runtime.ts";

export interface RouterUnderTest extends RunningRuntime {
  /** Every line the worker logged, oldest first. */
  readonly logs: string[];
}

/**
 * The router bundle in workerd, pointed at the suite's bridge unless
 * `bindings` say otherwise (a per-test bridge, a dead address, other vars).
 * Tests read the access log, so these routers write a line for every request
 * (ACCESS_LOG_SAMPLE_RATE=1) unless `bindings` set another rate. Tests count
 * store commands, so the fleet's counters are not written
 * (FLEET_STATS_INTERVAL_MS=0) unless `bindings` ask for it: a write falling
 * inside a counted window would be a command the test did not cause.
 */
export async function startRouter(
  bindings: Record<string, string> = {},
  /**
   * Runtime extras (scripts/lib/runtime.ts): Miniflare's static `request.cf`, e.g. a peer
   * address for CLIENT_ADDRESS=connection; stand-in fetch bindings and a confined global
   * outbound (private-upstreams.test.ts).
   */
  extras: Pick<RuntimeOptions, "cf" | "serviceBindings" | "outboundService"> = {},
): Promise<RouterUnderTest> {
  const logs: string[] = [];
  const runtime = await startRuntime({
    bundle: inject("bundle"),
    bindings: {
      UPSTASH_REDIS_REST_URL: inject("bridgeUrl"),
      UPSTASH_REDIS_REST_TOKEN: inject("bridgeToken"),
      ACCESS_LOG_SAMPLE_RATE: "1",
      FLEET_STATS_INTERVAL_MS: "0",
      ...bindings,
    },
    onLog: (line) => logs.push(line),
    ...extras,
  });
  return Object.assign(runtime, { logs });
}

/** The `detail` of every access-log line for `host`: what the operator is told. */
export function logDetailsFor(router: RouterUnderTest, host: string): string[] {
  return router.logs
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { host?: string; detail?: string | null })
    .filter((entry) => entry.host === host && typeof entry.detail === "string")
    .map((entry) => entry.detail as string);
}

/** An @upstash/redis client on the suite's bridge: how tests write routes. */
export function routesClient(): Redis {
  return new Redis({
    url: inject("bridgeUrl"),
    token: inject("bridgeToken"),
    automaticDeserialization: false,
    enableTelemetry: false,
  });
}

/** A host name no other test uses, so tests can share one Redis. */
export function uniqueHost(label: string): string {
  return `${label}-${Math.random().toString(36).slice(2, 10)}.test.example`;
}

/**
 * A ROUTE_KEY_PREFIX no other test file uses: wildcard and catch-all keys
 * (`*.example`, `*`) and IP-literal keys (`127.0.0.1`) stay private to the
 * routers that read under it.
 */
export function uniquePrefix(label: string): string {
  return `t-${label}-${Math.random().toString(36).slice(2, 8)}:`;
}

let shared: Redis | undefined;

/** A fresh host (uniqueHost) whose route on the suite's Redis is `value`. */
export async function routedHost(label: string, value: string): Promise<string> {
  const host = uniqueHost(label);
  shared ??= routesClient();
  await shared.set(host, value);
  return host;
}
