import { afterAll, describe, expect, it } from "vitest";
import { AGENT_MARKS_KEY } from "../../src/admin/agent-marks.ts";
import { createAgentStore } from "../../scripts/docker/store.ts";
import { routesClient, uniquePrefix } from "../support/stack.ts";

/**
 * The agents' store writes (the sync script) on the suite's real Redis,
 * through the REST bridge: several Docker hosts, each with its own agent,
 * merging into one route; ownership; skipped writes.
 */
const redis = routesClient();
const prefix = uniquePrefix("docker-store");
const agent = (agentId: string) => createAgentStore({ redis, keyPrefix: prefix, agentId });
const entry = (backend: string, members = "") => `${JSON.stringify(backend)}\n${members}`;
const route = async (host: string) => {
  const value = await redis.get<string>(prefix + host);
  return value === null ? null : (JSON.parse(value) as Record<string, unknown>);
};

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

describe("the agents' route store", () => {
  it("merges the backends of agents on several Docker hosts into one route, and removes only each one's own", async () => {
    const [east, west] = [agent("east"), agent("west")];
    expect(await east.sync("shop.test", new Map([["c1", entry("10.0.1.5:80")]]))).toEqual({ outcome: "ok", writes: 4 });
    await west.sync("shop.test", new Map([["c9", entry("10.0.2.7:80")]]));
    expect(await route("shop.test")).toEqual({ backends: ["10.0.1.5:80", "10.0.2.7:80"] });
    expect(await redis.hget(prefix + AGENT_MARKS_KEY, "shop.test")).toMatch(/^east,west\n/);
    expect(await west.hosts()).toEqual(["shop.test"]);

    await east.sync("shop.test", new Map());
    expect(await route("shop.test")).toEqual({ backends: ["10.0.2.7:80"] });
    expect(await east.hosts()).toEqual([]);
    await west.sync("shop.test", new Map());
    expect(await route("shop.test")).toBeNull();
    expect(await redis.hexists(prefix + AGENT_MARKS_KEY, "shop.test")).toBe(0);
    expect(await redis.exists(`${prefix}docker:backends:shop.test`)).toBe(0);
  });

  it("keeps every backend when agents write the same host at the same moment", async () => {
    const agents = ["a1", "a2", "a3", "a4"].map(agent);
    await Promise.all(
      agents.map((store, i) => store.sync("busy.test", new Map([[`c${i}`, entry(`10.0.3.${i + 1}:80`)]]))),
    );
    expect(await route("busy.test")).toEqual({
      backends: ["10.0.3.1:80", "10.0.3.2:80", "10.0.3.3:80", "10.0.3.4:80"],
    });
  });

  it("writes nothing when the store already holds the same, and merges router.route members", async () => {
    const store = agent("same");
    const entries = new Map([
      ["c1", entry("10.0.4.1:8000", '"strategy":"round-robin","timeout":"5s"')],
      ["c2", entry("10.0.4.2:8000", '"strategy":"round-robin","timeout":"5s"')],
    ]);
    expect((await store.sync("opts.test", entries)).writes).toBeGreaterThan(0);
    const before = store.commands;
    expect(await store.sync("opts.test", entries)).toEqual({ outcome: "ok", writes: 0 });
    expect(store.commands - before).toBe(1);
    expect(await route("opts.test")).toEqual({
      backends: ["10.0.4.1:8000", "10.0.4.2:8000"],
      strategy: "round-robin",
      timeout: "5s",
    });
  });

  it("leaves a hand-written route alone, and one edited by hand since the agent wrote it", async () => {
    const store = agent("owner");
    await redis.set(`${prefix}hand.test`, "127.0.0.1:9");
    expect(await store.sync("hand.test", new Map([["c1", entry("10.0.5.1:80")]]))).toEqual({
      outcome: "conflict",
      writes: 0,
    });
    expect(await redis.get(`${prefix}hand.test`)).toBe("127.0.0.1:9");

    await store.sync("edited.test", new Map([["c1", entry("10.0.5.2:80")]]));
    await redis.set(`${prefix}edited.test`, '{"backends": ["127.0.0.1:9"]}');
    const outcome = await store.sync("edited.test", new Map([["c2", entry("10.0.5.3:80")]]));
    expect(outcome.outcome).toBe("conflict");
    expect(await redis.get(`${prefix}edited.test`)).toBe('{"backends": ["127.0.0.1:9"]}');
    // Its own entries are withdrawn, so the route is never rebuilt from them behind the operator's back.
    expect(await store.hosts()).toEqual([]);
  });
});
