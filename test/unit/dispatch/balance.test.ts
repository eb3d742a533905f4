import { describe, expect, it } from "vitest";
import { createRoundRobinCounters, orderBackends } from "../../../src/dispatch/balance.ts";
import { createDownMarks } from "../../../src/dispatch/down-marks.ts";
import type { ForwardAction, Strategy } from "../../../src/route-value/route.ts";

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

describe("createDownMarks", () => {
  it("expires marks and forgets the oldest past its bound", () => {
    const marks = createDownMarks(2);
    marks.mark("http://a", 1000);
    expect(marks.until("http://a", 999)).toBe(1000);
    expect(marks.until("http://a", 1000)).toBe(0);
    marks.mark("http://a", 5000);
    marks.mark("http://b", 5000);
    marks.mark("http://c", 5000);
    expect(["http://a", "http://b", "http://c"].map((o) => marks.until(o, 0))).toEqual([0, 5000, 5000]);
    marks.clear("http://b");
    expect(marks.until("http://b", 0)).toBe(0);
  });
});
