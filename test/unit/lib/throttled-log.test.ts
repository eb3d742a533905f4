import { describe, expect, it } from "vitest";
import { createFailureLog } from "../../../src/cache/failure-log.ts";
import { createLookupBudget } from "../../../src/cache/lookup-budget.ts";
import { createThrottledLog } from "../../../src/lib/throttled-log.ts";

describe("createThrottledLog", () => {
  it("writes the first event, then at most one line per interval saying how many it stands for", () => {
    let now = 0;
    const lines: string[] = [];
    const throttled = createThrottledLog({ intervalMs: 1000, log: (line) => lines.push(line), now: () => now });
    const worded: number[] = [];
    for (; now < 2500; now += 100) {
      throttled.event(({ skipped, sinceMs }) => {
        worded.push(now);
        return `event at ${now}: ${skipped} skipped, ${sinceMs ?? "first"}`;
      });
    }
    expect(lines).toEqual([
      "event at 0: 0 skipped, first",
      "event at 1000: 9 skipped, 1000",
      "event at 2000: 9 skipped, 1000",
    ]);
    // The line is worded only when it is written: a flood costs no string building.
    expect(worded).toEqual([0, 1000, 2000]);
  });

  it("forgets skipped events once another line has accounted for them (settle)", () => {
    let now = 0;
    const lines: string[] = [];
    const throttled = createThrottledLog({ intervalMs: 1000, log: (line) => lines.push(line), now: () => now });
    const event = () => throttled.event(({ skipped }) => `${skipped} skipped`);
    event();
    now = 100;
    event();
    throttled.settle();
    now = 1000;
    event();
    expect(lines).toEqual(["0 skipped", "0 skipped"]);
  });
});

describe("the throttled logs that use it", () => {
  it("a recovery line accounts for the failures before it: the next outage counts afresh", () => {
    let now = 0;
    const lines: string[] = [];
    const failures = createFailureLog({ intervalMs: 1000, log: (line) => lines.push(line), now: () => now });
    failures.failure("timed out");
    now = 100;
    failures.failure("timed out");
    failures.success();
    now = 500;
    failures.failure("refused"); // within the interval: skipped
    now = 1200;
    failures.failure("refused");
    expect(lines).toEqual([
      "route store failing: timed out",
      "route store recovered after 0.1 s and 2 failed lookups",
      "route store failing: refused (and 1 more since the last report)",
    ]);
  });

  it("the lookup budget logs its refusals with their count and the time they span", () => {
    let now = 0;
    const lines: string[] = [];
    const budget = createLookupBudget({
      perSecond: 1,
      burst: 1,
      logIntervalMs: 1000,
      log: (line) => lines.push(line),
      now: () => now,
    });
    expect(budget.take()).toBe(true);
    for (let i = 0; i < 5; i++) expect(budget.take()).toBe(false);
    now = 1000;
    expect(budget.take()).toBe(true); // refilled
    expect(budget.take()).toBe(false);
    expect(lines).toEqual([
      "route lookups refused: 1 for hosts not in the cache (LOOKUP_BUDGET_PER_SECOND=1, LOOKUP_BUDGET_BURST=1)",
      "route lookups refused: 5 for hosts not in the cache in the last 1.0 s (LOOKUP_BUDGET_PER_SECOND=1, LOOKUP_BUDGET_BURST=1)",
    ]);
  });
});
