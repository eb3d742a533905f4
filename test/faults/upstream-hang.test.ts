/**
 * Fault: an upstream that accepts requests and never answers. Its requests
 * must end at the timeout (504) without holding up any other host's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { send } from "../support/http.ts";
import { routesClient, startRouter, uniqueHost, type RouterUnderTest } from "../support/stack.ts";
import { startSilentBackend, type TestUpstream } from "../support/upstream.ts";

const redis = routesClient();
let router: RouterUnderTest;
let app: RunningDemoApp;
let silent: TestUpstream;

beforeAll(async () => {
  [router, app, silent] = await Promise.all([startRouter(), startDemoApp({ name: "healthy" }), startSilentBackend()]);
});
afterAll(async () => {
  await Promise.all([router.dispose(), app.close(), silent.close()]);
});

describe("an upstream that hangs", () => {
  it("its requests get 504 at the route's timeout; meanwhile other hosts are served as usual", async () => {
    const hungHost = uniqueHost("hung");
    const healthyHost = uniqueHost("healthy");
    // The route's own timeout: 2 s, long enough that the healthy traffic below runs while the others hang.
    await redis.set(hungHost, JSON.stringify({ backends: silent.address, timeout: 2 }));
    await redis.set(healthyHost, app.address);

    let hungDone = 0;
    const hung = Array.from({ length: 10 }, () =>
      send(router.url, { host: hungHost, headers: { accept: "application/json" } }).finally(() => hungDone++),
    );
    const healthyStatuses: number[] = [];
    for (let round = 0; round < 3; round++) {
      const replies = await Promise.all(Array.from({ length: 10 }, () => send(router.url, { host: healthyHost })));
      healthyStatuses.push(...replies.map((reply) => reply.status));
    }
    expect(healthyStatuses).toEqual(Array.from({ length: 30 }, () => 200));
    expect(hungDone).toBe(0);
    expect(silent.connections).toBeGreaterThan(0);

    for (const reply of await Promise.all(hung)) {
      expect(reply.status).toBe(504);
      expect(reply.json()).toMatchObject({ status: 504, error: "upstream_timeout" });
    }
  });
});
