import { describe, expect, it } from "vitest";
import { createDownMarks } from "../../../src/dispatch/down-marks.ts";

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
