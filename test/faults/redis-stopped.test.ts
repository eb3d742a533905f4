/**
 * Fault: the redis-server behind the route store stops while the router
 * serves: killed outright, or frozen (accepts connections, answers nothing).
 * The bridge stays up, as Upstash's front end would; the router is never
 * restarted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { send, type Reply } from "../support/http.ts";
import { startRouter, uniqueHost, type RouterUnderTest } from "../support/stack.ts";
import { startPrivateStore, type PrivateStore } from "../support/store.ts";
import { eventually, sleep, until } from "../support/wait.ts";

const TTL_MS = 200;
const LOOKUP_TIMEOUT_MS = 500;
const SETTINGS = {
  ROUTE_CACHE_TTL_MS: String(TTL_MS),
  ROUTE_CACHE_STALE_WHILE_REVALIDATE_MS: "0",
  ROUTE_CACHE_NEGATIVE_TTL_MS: "200",
  LOOKUP_TIMEOUT_MS: String(LOOKUP_TIMEOUT_MS),
};
/**
 * No answer may take longer than this. Not a speed: the lookup timeout plus
 * room for a busy machine, far below the 30 s that a request waiting on a
 * dead store would take (UPSTREAM_TIMEOUT_MS, the test timeout).
 */
const NO_HANG_MS = LOOKUP_TIMEOUT_MS + 4_500;

let app1: RunningDemoApp;
let app2: RunningDemoApp;
let store: PrivateStore;
let router: RouterUnderTest;

beforeAll(async () => {
  [app1, app2, store] = await Promise.all([
    startDemoApp({ name: "app1" }),
    startDemoApp({ name: "app2" }),
    startPrivateStore(),
  ]);
  router = await startRouter({ ...store.bindings, ...SETTINGS });
});
afterAll(async () => {
  await router.dispose();
  await Promise.all([store.close(), app1.close(), app2.close()]);
});

interface Timed extends Reply {
  readonly ms: number;
}
async function timedGet(host: string): Promise<Timed> {
  const started = Date.now();
  const reply = await send(router.url, { host, timeoutMs: 20_000 });
  return Object.assign(reply, { ms: Date.now() - started });
}

/** Known hosts (looked up once while Redis was up) and hosts the router has never seen. */
async function outageTraffic(known: readonly string[], unknown: readonly string[]): Promise<void> {
  const replies = await Promise.all([
    ...known.flatMap((host) => Array.from({ length: 5 }, () => timedGet(host))),
    ...unknown.flatMap((host) => Array.from({ length: 3 }, () => timedGet(host))),
  ]);
  const knownReplies = replies.slice(0, known.length * 5);
  const unknownReplies = replies.slice(known.length * 5);
  for (const reply of knownReplies) {
    expect([reply.status, reply.text]).toEqual([200, expect.stringContaining("I am app1")]);
  }
  for (const reply of unknownReplies) {
    expect(reply.status).toBe(503);
    expect(reply.headers["retry-after"]).toBe("1");
    expect(reply.text).toContain("The route store is unavailable");
  }
  expect(Math.max(...replies.map((reply) => reply.ms))).toBeLessThan(NO_HANG_MS);
}

/** After Redis is back: new values for the known hosts and first routes for the unknown ones, with no restart. */
async function expectRecovery(known: readonly string[], unknown: readonly string[], logsFrom: number): Promise<void> {
  for (const host of [...known, ...unknown]) await store.client.set(host, app2.address);
  await eventually(async () => {
    const replies = await Promise.all([...known, ...unknown].map((host) => timedGet(host)));
    return replies.every((reply) => reply.status === 200 && reply.text.includes("I am app2"));
  });
  await until(() => router.logs.slice(logsFrom).some((line) => line.includes("route store recovered")));
}

describe("redis-server stopped while serving", () => {
  it("killed (SIGKILL): known hosts keep 200, unknown hosts get 503 + Retry-After without hanging; restarted on the same port, everything recovers", async () => {
    const known = [uniqueHost("killed-known"), uniqueHost("killed-known")];
    const unknown = [uniqueHost("killed-unknown"), uniqueHost("killed-unknown")];
    for (const host of known) await store.client.set(host, app1.address);
    for (const host of known) expect((await timedGet(host)).status).toBe(200);

    const logsFrom = router.logs.length;
    await store.kill();
    await sleep(TTL_MS + 50); // past the TTL: the cache has to ask the store again
    await outageTraffic(known, unknown);
    await sleep(TTL_MS + 50); // and once more, after a failed refresh
    await outageTraffic(known, unknown);

    await store.restart();
    await expectRecovery(known, unknown, logsFrom);
  });

  it("frozen (SIGSTOP): no request waits past the lookup timeout; known hosts keep 200; after SIGCONT everything recovers", async () => {
    const known = [uniqueHost("frozen-known")];
    const unknown = [uniqueHost("frozen-unknown"), uniqueHost("frozen-unknown")];
    for (const host of known) await store.client.set(host, app1.address);
    for (const host of known) expect((await timedGet(host)).status).toBe(200);

    const logsFrom = router.logs.length;
    store.freeze();
    try {
      await sleep(TTL_MS + 50);
      await outageTraffic(known, unknown);
    } finally {
      store.thaw();
    }
    await expectRecovery(known, unknown, logsFrom);
  });
});
