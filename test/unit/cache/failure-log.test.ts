import { describe, expect, it } from "vitest";
import { createFailureLog } from "../../../src/cache/failure-log.ts";

describe("createFailureLog", () => {
  it("logs the first failure, then one line per interval with the count, then the recovery once", () => {
    let now = 0;
    const lines: string[] = [];
    const failures = createFailureLog({ intervalMs: 1000, log: (line) => lines.push(line), now: () => now });
    for (; now < 2500; now += 100) failures.failure("timed out");
    failures.success();
    failures.success();
    expect(lines).toEqual([
      "route store failing: timed out",
      "route store failing: timed out (and 9 more since the last report)",
      "route store failing: timed out (and 9 more since the last report)",
      "route store recovered after 2.5 s and 25 failed lookups",
    ]);
  });

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
});
