import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { startOwnBridge, type OwnBridge } from "../support/bridges.ts";
import { startGate, type Gate } from "../support/gate.ts";
import { send } from "../support/http.ts";
import { routesClient, startRouter, uniqueHost, type RouterUnderTest } from "../support/stack.ts";
import { sleep, until } from "../support/wait.ts";

const redis = routesClient();
let bridge: OwnBridge;
let gate: Gate;
let router: RouterUnderTest;
let app: RunningDemoApp;

beforeAll(async () => {
  bridge = await startOwnBridge();
  gate = await startGate(bridge.port);
  [router, app] = await Promise.all([
    startRouter({ ...bridge.bindings, UPSTASH_REDIS_REST_URL: gate.url, LOOKUP_TIMEOUT_MS: "5000" }),
    startDemoApp({ name: "app" }),
  ]);
});
afterAll(async () => {
  await Promise.all([router.dispose(), app.close()]);
  await gate.close();
  await bridge.close();
});

/**
 * The gate holds the first lookup until all 100 requests have been sent, so
 * they are all in the worker while it is in flight; without single flight
 * each of them would start its own.
 */
async function hundredAtOnce(host: string): Promise<number[]> {
  gate.hold();
  const replies = Array.from({ length: 100 }, () => send(router.url, { host }));
  await until(() => gate.heldBytes > 0);
  await sleep(300);
  gate.release();
  return (await Promise.all(replies)).map((reply) => reply.status);
}

describe("route cache: single flight", () => {
  it("100 concurrent requests for an uncached host cause one lookup", async () => {
    const host = uniqueHost("flight");
    await redis.set(host, app.address);
    const statuses = await hundredAtOnce(host);
    expect(statuses).toEqual(Array.from({ length: 100 }, () => 200));
    expect(bridge.readsOf(host)).toBe(1);
  });

  it("100 concurrent requests for a host with no route cause one lookup", async () => {
    const host = uniqueHost("flight-none");
    const statuses = await hundredAtOnce(host);
    expect(statuses).toEqual(Array.from({ length: 100 }, () => 403));
    expect(bridge.readsOf(host)).toBe(1);
  });
});
