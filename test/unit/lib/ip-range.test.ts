import { describe, expect, it } from "vitest";
import { inRanges, parseSourceRange, type CidrRange } from "../../../src/lib/ip-range.ts";

describe("ip ranges", () => {
  const ranges = ["192.0.2.0/24", "2001:db8::/32", "198.51.100.7", "::ffff:203.0.113.0/120"].map(
    (text) => parseSourceRange(text) as CidrRange,
  );
  it.each([
    ["192.0.2.77", true],
    ["192.0.3.1", false],
    ["198.51.100.7", true],
    ["198.51.100.8", false],
    ["2001:db8:1::5", true],
    ["2001:db9::1", false],
    ["::ffff:192.0.2.9", true],
    ["203.0.113.200", true],
    ["not an address", false],
    ["", false],
  ])("%s inside: %s", (address, inside) => {
    expect(inRanges(address, ranges)).toBe(inside);
  });
});
