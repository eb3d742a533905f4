import { describe, expect, it } from "vitest";
import { createRoundRobinCounters, orderBackends } from "../../../src/dispatch/balance.ts";
import type { ForwardAction, Strategy } from "../../../src/route-value/route.ts";
import { parseRouteValue } from "../../../src/route-value/value.ts";

function action(strategy: Strategy, ...names: string[]): ForwardAction {
  return {
    type: "forward",
    backends: names.map((name) => ({ origin: `http://${name}`, basePath: "" })),
    strategy,
    timeoutMs: null,
    requestHeaders: [],
    responseHeaders: [],
  };
}
const names = (list: { origin: string }[]) => list.map((b) => b.origin.slice(7));

const forward = (value: unknown) => parseRouteValue(JSON.stringify(value)).fallback as ForwardAction;
const first = (action: ForwardAction, downUntil: (origin: string) => number = () => 0) =>
  (orderBackends(action, { key: "k", now: 100, downUntil })[0]?.origin ?? "").slice(7);

describe("orderBackends", () => {
  it("rotates round robin per key", () => {
    const counters = createRoundRobinCounters();
    const rr = action("round-robin", "a", "b", "c");
    const order = () => names(orderBackends(rr, { key: "k", now: 0, downUntil: () => 0, counters }));
    expect([order(), order(), order(), order()]).toEqual([
      ["a", "b", "c"],
      ["b", "c", "a"],
      ["c", "a", "b"],
      ["a", "b", "c"],
    ]);
    expect(names(orderBackends(rr, { key: "other", now: 0, downUntil: () => 0, counters }))).toEqual(["a", "b", "c"]);
  });

  it("still tries a route's only backend while it is marked down (as the seed would)", () => {
    for (const strategy of ["round-robin", "random"] as const) {
      expect(names(orderBackends(action(strategy, "a"), { key: "k", now: 0, downUntil: () => 60_000 }))).toEqual(["a"]);
    }
  });

  it("spreads random choices over every backend", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      seen.add(
        names(orderBackends(action("random", "a", "b", "c"), { key: "k", now: 0, downUntil: () => 0 }))[0] ?? "",
      );
    }
    expect([...seen].sort()).toEqual(["a", "b", "c"]);
  });

  it("puts backends marked down last, soonest to expire first, and lists each once", () => {
    const until: Record<string, number> = { "http://a": 500, "http://c": 200 };
    const order = orderBackends(action("round-robin", "a", "b", "c", "b"), {
      key: "k",
      now: 100,
      downUntil: (origin) => until[origin] ?? 0,
      counters: createRoundRobinCounters(),
    });
    expect(names(order)).toEqual(["b", "c", "a"]);
  });
});

describe("weighted backends", () => {
  it("spreads smooth weighted round robin as nginx does: 5:1:1 is a a b a c a a", () => {
    const action = forward({ backends: [{ url: "a", weight: 5 }, { url: "b" }, { url: "c" }] });
    expect(Array.from({ length: 7 }, () => first(action)).join(" ")).toBe("a a b a c a a");
  });

  it("sends 9:1 exactly over 1,000 requests", () => {
    const action = forward({
      backends: [
        { url: "a", weight: 9 },
        { url: "b", weight: 1 },
      ],
    });
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 1000; i++) counts[first(action) as "a" | "b"]++;
    expect(counts).toEqual({ a: 900, b: 100 });
  });

  it("random in proportion to the weights, within 5 points over 1,000 requests", () => {
    const action = forward({
      backends: [
        { url: "a", weight: 9 },
        { url: "b", weight: 1 },
      ],
      strategy: "random",
    });
    let a = 0;
    for (let i = 0; i < 1000; i++) if (first(action) === "a") a++;
    expect(Math.abs(a / 10 - 90)).toBeLessThanOrEqual(5);
  });

  it("gives a drained backend (weight 0) no traffic and skips one marked down", () => {
    const action = forward({
      backends: [
        { url: "a", weight: 0 },
        { url: "b", weight: 1 },
        { url: "c", weight: 1 },
      ],
    });
    const seen = new Set(Array.from({ length: 20 }, () => first(action, (o) => (o === "http://c" ? 500 : 0))));
    expect([...seen]).toEqual(["b"]);
    const order = orderBackends(action, { key: "k", now: 100, downUntil: () => 500 });
    expect(order.map((b) => b.origin)).toEqual(["http://b", "http://c"]);
  });
});
