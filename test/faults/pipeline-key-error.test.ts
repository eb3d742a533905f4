/**
 * Fault: the store answers one command of a lookup's pipeline with an error
 * while the others succeed. A lookup reads every candidate key of a host
 * (exact, wildcards, catch-all; string and Hipache list) in one pipeline, so
 * an error on one key must spoil only the hosts that key would decide.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { RespError } from "../../scripts/lib/resp.ts";
import { send, type Reply } from "../support/http.ts";
import {
  logDetailsFor,
  routesClient,
  startRouter,
  uniqueHost,
  uniquePrefix,
  type RouterUnderTest,
} from "../support/stack.ts";
import { startPrivateStore, type PrivateStore } from "../support/store.ts";

let app: RunningDemoApp;
beforeAll(async () => {
  app = await startDemoApp({ name: "app" });
});
afterAll(async () => {
  await app.close();
});

const get = (router: RouterUnderTest, host: string): Promise<Reply> =>
  send(router.url, { host, headers: { accept: "application/json" } });

describe("an error for one key in the lookup pipeline", () => {
  it("a wrong-type wildcard key affects only the hosts under it: a hash where a string belongs is skipped (MGET reads it as missing), a string where a Hipache list belongs is 502; exact routes and other hosts are unaffected", async () => {
    const prefix = uniquePrefix("wrongtype");
    const redis = routesClient();
    const router = await startRouter({ ROUTE_KEY_PREFIX: prefix, HIPACHE_ROUTES: "true" });
    try {
      const zone = uniqueHost("zone");
      // `*.zone` as a hash: the MGET of string keys reads it as nil, so the next key decides (here: none).
      await redis.hset(`${prefix}*.${zone}`, { upstream: app.address });
      // `frontend:*.list-zone` as a string: LRANGE answers WRONGTYPE.
      const listZone = uniqueHost("list-zone");
      await redis.set(`${prefix}frontend:*.${listZone}`, app.address);
      await redis.set(`${prefix}exact.${zone}`, app.address);
      await redis.set(`${prefix}exact.${listZone}`, app.address);
      const elsewhere = uniqueHost("elsewhere");
      await redis.set(prefix + elsewhere, app.address);

      const [exact, listExact, underZone, deepUnderZone, underListZone, other, unrouted] = await Promise.all([
        get(router, `exact.${zone}`),
        get(router, `exact.${listZone}`),
        get(router, `a.${zone}`),
        get(router, `b.c.${zone}`),
        get(router, `a.${listZone}`),
        get(router, elsewhere),
        get(router, uniqueHost("unrouted")),
      ]);
      // The pipeline for exact.<zone> carried the WRONGTYPE reply too; the exact key decided first.
      expect([exact.status, listExact.status, other.status, unrouted.status]).toEqual([200, 200, 200, 403]);
      expect([underZone.status, deepUnderZone.status]).toEqual([403, 403]);
      expect(underListZone.status).toBe(502);
      expect(underListZone.json()).toMatchObject({ error: "invalid_route" });
      expect(logDetailsFor(router, `a.${listZone}`).join("\n")).toContain(
        `key "${prefix}frontend:*.${listZone}": holds another Redis type than a list`,
      );
    } finally {
      await router.dispose();
    }
  });

  describe("any other error for one key (NOPERM from a Redis ACL that denies that key)", () => {
    let store: PrivateStore;
    let router: RouterUnderTest;
    beforeAll(async () => {
      store = await startPrivateStore();
      // Negative TTL short, so the second request asks the store again.
      router = await startRouter({ ...store.bindings, ROUTE_CACHE_NEGATIVE_TTL_MS: "1" });
    });
    afterAll(async () => {
      await router.dispose();
      await store.close();
    });

    it("503 + Retry-After for the host whose key is denied; other hosts, routed or not, are unaffected", async () => {
      await store.client.set("ok.example", app.address);
      await store.client.set("zz-denied.example", app.address);
      // The connection's user may read every key but those starting with "z"
      // (`*.example`, `*`, `frontend:…` all stay readable).
      const acl = await store.command("ACL", "SETUSER", "default", "resetkeys", "~[^z]*");
      expect(acl).not.toBeInstanceOf(RespError);

      for (let round = 0; round < 2; round++) {
        const [denied, ok, unrouted] = await Promise.all([
          get(router, "zz-denied.example"),
          get(router, "ok.example"),
          get(router, "not-routed.example"),
        ]);
        expect(denied.status).toBe(503);
        expect(denied.headers["retry-after"]).toBe("1");
        expect(denied.json()).toMatchObject({ error: "route_store_unavailable" });
        expect(denied.text).not.toContain("NOPERM");
        expect([ok.status, unrouted.status]).toEqual([200, 403]);
      }
      expect(router.logs.join("\n")).toMatch(/route store failing: reading the route keys: NOPERM/);
    });

    it("in a batch of 40 hosts that miss together, only the denied host fails (the batch is split, not retried host by host)", async () => {
      const hosts = Array.from({ length: 40 }, (_, i) => `b${i}.batch.example`);
      for (const host of hosts) await store.client.set(host, app.address);
      const replies = await Promise.all([get(router, "zz-denied.example"), ...hosts.map((host) => get(router, host))]);
      expect(replies.map((reply) => reply.status)).toEqual([503, ...hosts.map(() => 200)]);
    });
  });
});
