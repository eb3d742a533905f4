import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { foldStale } from "../../src/admin/fleet-fold.ts";
import { adminStoreFor } from "../../src/admin/store.ts";
import { readConfig } from "../../src/config.ts";
import { emptyCounts } from "../../src/metrics/fleet-counts.ts";
import { decodeEntry, encodeEntry, RETIRED_FIELD } from "../../src/metrics/fleet-store.ts";
import { send } from "../support/http.ts";
import { bearer, startAdminRouter, type AdminUnderTest } from "../support/admin.ts";
import { routesClient } from "../support/stack.ts";
import { eventually } from "../support/wait.ts";

/*
 * The fleet hash on a real Redis (through the REST bridge): an isolate gone
 * quiet is folded into `_retired` by a reader, the totals never go down, a
 * value this version cannot read is left alone, and a fold that raced with a
 * write does nothing.
 */
const redis = routesClient();
let admin: AdminUnderTest;
let app: RunningDemoApp;
let key: string;

const MINUTE = 60_000;

/** An isolate's field as another isolate would have written it, `ageMs` ago. */
function entry(ageMs: number, host: string, requests: number): string {
  const counts = emptyCounts();
  counts.hosts[host] = [0, requests, 0, 0, 0];
  return encodeEntry({ at: Date.now() - ageMs, counts });
}

const scrape = async () => {
  const reply = await send(admin.router.url, { host: admin.host, path: "/metrics", headers: bearer(admin.token) });
  expect(reply.status).toBe(200);
  return reply.text;
};
const fleetCount = (text: string, host: string) =>
  Number(
    new RegExp(
      `^router_fleet_requests_total\\{host="${host.replace(/[.*]/g, "\\$&")}",class="2xx"\\} (\\d+)$`,
      "m",
    ).exec(text)?.[1] ?? 0,
  );

beforeAll(async () => {
  [admin, app] = await Promise.all([
    startAdminRouter("fleet", { FLEET_STATS_INTERVAL_MS: "1000" }),
    startDemoApp({ name: "fleet-app" }),
  ]);
  key = `${admin.prefix}fleet:stats`;
  await redis.set(`${admin.prefix}live.localhost`, app.address);
  // An isolate last heard of 11 minutes ago (folded: older than max(10 intervals, 10 min)),
  // one 1 minute ago (kept), and a value no version of the router wrote.
  await redis.hset(key, {
    "gone-isolate": entry(11 * MINUTE, "gone.localhost", 5),
    "quiet-isolate": entry(MINUTE, "quiet.localhost", 7),
    junk: "not the router's",
  });
}, 120_000);

afterAll(async () => {
  await admin?.router.dispose();
  await app?.close();
});

describe("the fleet hash", () => {
  it("sums every isolate's field with this isolate's own counts, written with the read", async () => {
    for (let i = 0; i < 2; i++) expect((await send(admin.router.url, { host: "live.localhost" })).status).toBe(200);
    const text = await scrape();
    expect(fleetCount(text, "gone.localhost")).toBe(5);
    expect(fleetCount(text, "quiet.localhost")).toBe(7);
    expect(fleetCount(text, "live.localhost")).toBe(2);
    expect(text).toContain("router_fleet_up 1");
  });

  it("folds a quiet isolate into _retired after the read, and the totals stay where they were", async () => {
    await eventually(async () => (await redis.hexists(key, "gone-isolate")) === 0, 10_000, "not folded");
    const fields = await redis.hkeys(key);
    expect(fields).toContain(RETIRED_FIELD);
    expect(fields).toContain("quiet-isolate");
    expect(fields).toContain("junk"); // never summed, never deleted
    expect(await redis.hget(key, "junk")).toBe("not the router's");
    const retired = decodeEntry(await redis.hget(key, RETIRED_FIELD));
    expect(retired?.counts.hosts["gone.localhost"]).toEqual([0, 5, 0, 0, 0]);
    const text = await scrape();
    expect(fleetCount(text, "gone.localhost")).toBe(5);
    expect(fleetCount(text, "quiet.localhost")).toBe(7);
    expect(fleetCount(text, "live.localhost")).toBe(2);
  });

  it("a fold that raced with a write (the field changed since it was read) changes nothing", async () => {
    const config = readConfig({
      UPSTASH_REDIS_REST_URL: inject("bridgeUrl"),
      UPSTASH_REDIS_REST_TOKEN: inject("bridgeToken"),
      ROUTE_KEY_PREFIX: admin.prefix,
    });
    const store = adminStoreFor(config);
    const stale = entry(20 * MINUTE, "raced.localhost", 3);
    await redis.hset(key, { "raced-isolate": stale });
    const retiredRaw = String(await redis.hget(key, RETIRED_FIELD));
    const retired = { raw: retiredRaw, entry: decodeEntry(retiredRaw) ?? { at: 0, counts: emptyCounts() } };
    const read = { field: "raced-isolate", raw: stale, entry: decodeEntry(stale) ?? retired.entry };
    // The isolate writes again between the reader's HGETALL and its fold.
    const newer = entry(0, "raced.localhost", 4);
    await redis.hset(key, { "raced-isolate": newer });
    expect(await foldStale(store, key, retired, [read], Date.now())).toBe(false);
    expect(await redis.hget(key, "raced-isolate")).toBe(newer);
    expect(await redis.hget(key, RETIRED_FIELD)).toBe(retiredRaw);
    // Read again, the fold goes through: the field's 4 move to _retired exactly once.
    const again = { ...read, raw: newer, entry: decodeEntry(newer) ?? retired.entry };
    expect(await foldStale(store, key, retired, [again], Date.now())).toBe(true);
    expect(await foldStale(store, key, retired, [again], Date.now())).toBe(false);
    expect(decodeEntry(await redis.hget(key, RETIRED_FIELD))?.counts.hosts["raced.localhost"]).toEqual([0, 4, 0, 0, 0]);
    expect(await redis.hexists(key, "raced-isolate")).toBe(0);
  });
});
