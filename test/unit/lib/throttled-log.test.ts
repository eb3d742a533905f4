import { describe, expect, it } from "vitest";
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
