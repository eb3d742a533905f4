import { describe, expect, it } from "vitest";
import { LoopDetectedError } from "../../../src/errors.ts";
import { checkHops, HOPS_HEADER, readHops } from "../../../src/receive/loop.ts";

describe("hop counter", () => {
  it.each([
    [null, 0],
    ["0", 0],
    ["3", 3],
    [" 5 ", 5],
    ["-1", Number.MAX_SAFE_INTEGER],
    ["1e3", Number.MAX_SAFE_INTEGER],
    ["many", Number.MAX_SAFE_INTEGER],
    ["9999999", Number.MAX_SAFE_INTEGER],
  ])("reads %j as %d", (value, hops) => {
    const headers = new Headers();
    if (value !== null) headers.set(HOPS_HEADER, value);
    expect(readHops(headers)).toBe(hops);
  });

  it("allows up to maxHops returns and refuses the next with 508", () => {
    expect(() => checkHops(5, 5)).not.toThrow();
    expect(() => checkHops(6, 5)).toThrow(LoopDetectedError);
    expect(() => checkHops(1, 0)).toThrow(expect.objectContaining({ status: 508, code: "loop_detected" }));
  });
});
