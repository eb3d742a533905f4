import { describe, expect, it } from "vitest";
import { createLookupBudget } from "../../../src/cache/lookup-budget.ts";

describe("createLookupBudget", () => {
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
